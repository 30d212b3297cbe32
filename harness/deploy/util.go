package deploy

import "io"

func readAll(r io.Reader) ([]byte, error) {
	if rc, ok := r.(io.ReadCloser); ok {
		defer rc.Close()
	}
	return io.ReadAll(r)
}
