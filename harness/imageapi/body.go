package imageapi

import (
	"bytes"
	"io"
)

// Sized returns a body whose length net/http knows, so it is sent with Content-Length.
func Sized(data []byte) io.Reader { return bytes.NewReader(data) }

// Chunked returns a body net/http sends with Transfer-Encoding: chunked, one chunk per chunkSize
// bytes (the last one shorter). net/http writes one chunk per Write of the body copy; io.Copy
// hands the copy to WriteTo, which is where the chunk size is chosen.
func Chunked(data []byte, chunkSize int) io.Reader { return &chunkedBody{data: data, size: chunkSize} }

type chunkedBody struct {
	data []byte
	size int
	off  int
}

// Read exists for completeness; net/http uses WriteTo.
func (c *chunkedBody) Read(p []byte) (int, error) {
	if c.off >= len(c.data) {
		return 0, io.EOF
	}
	if len(p) > c.size {
		p = p[:c.size]
	}
	n := copy(p, c.data[c.off:])
	c.off += n
	return n, nil
}

// WriteTo writes the rest of the data in chunkSize pieces.
func (c *chunkedBody) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for c.off < len(c.data) {
		end := min(c.off+c.size, len(c.data))
		n, err := w.Write(c.data[c.off:end])
		c.off += n
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
