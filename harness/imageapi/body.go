package imageapi

import (
	"bytes"
	"io"
	"net/http"
)

// Sized returns a body whose length net/http knows, so it is sent with Content-Length.
func Sized(data []byte) io.Reader { return bytes.NewReader(data) }

// Chunked returns a body net/http sends with Transfer-Encoding: chunked, one chunk per chunkSize
// bytes (the last one shorter).
func Chunked(data []byte, chunkSize int) io.Reader { return Chunks(data, chunkSize) }

// Chunks returns a body sent with Transfer-Encoding: chunked whose chunks have the given sizes
// in turn, the last size repeating until the data ends (the final chunk may be shorter).
func Chunks(data []byte, sizes ...int) io.Reader { return &sizedChunks{data: data, sizes: sizes} }

// Replayer is a body that can be sent again from its start (a request resent after a dropped
// connection, connections.go). net/http knows how for in-memory readers only.
type Replayer interface {
	Replay() io.ReadCloser
}

// sizedChunks writes its data in chunks of the given sizes. net/http writes one chunk per Write
// of the body copy, and io.Copy hands the copy to WriteTo: that is where chunk sizes are chosen.
type sizedChunks struct {
	data  []byte
	sizes []int
	off   int
}

// Close makes it an io.ReadCloser, so net/http takes it as the body itself (and it stays
// visible to bodySetter).
func (c *sizedChunks) Close() error { return nil }

// Replay implements Replayer.
func (c *sizedChunks) Replay() io.ReadCloser { return &sizedChunks{data: c.data, sizes: c.sizes} }

// Read exists for completeness; net/http uses WriteTo.
func (c *sizedChunks) Read(p []byte) (int, error) {
	if c.off >= len(c.data) {
		return 0, io.EOF
	}
	n := copy(p, c.data[c.off:])
	c.off += n
	return n, nil
}

func (c *sizedChunks) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for i := 0; c.off < len(c.data); i++ {
		size := c.sizes[min(i, len(c.sizes)-1)]
		end := min(c.off+size, len(c.data))
		n, err := w.Write(c.data[c.off:end])
		c.off += n
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// WithLength returns a body sent with Content-Length: n although it is a stream (net/http only
// knows the length of in-memory readers). The body may deliver fewer bytes or fail: that is
// how a client that drops an upload halfway is made.
func WithLength(r io.Reader, n int64) io.ReadCloser { return &lengthBody{Reader: r, n: n} }

type lengthBody struct {
	io.Reader
	n int64
}

func (*lengthBody) Close() error { return nil }

// bodySetter gives requests whose body came from WithLength their Content-Length, and a GetBody
// to bodies that can be replayed. net/http takes an io.ReadCloser body as it is, so the type is
// still visible here.
type bodySetter struct{ next http.RoundTripper }

func (l bodySetter) RoundTrip(req *http.Request) (*http.Response, error) {
	switch b := req.Body.(type) {
	case *lengthBody:
		req = req.Clone(req.Context())
		if req.ContentLength <= 0 {
			req.ContentLength = b.n
		}
		if r, ok := b.Reader.(Replayer); ok {
			req.GetBody = func() (io.ReadCloser, error) { return &lengthBody{Reader: r.Replay(), n: b.n}, nil }
		}
	case Replayer:
		if req.GetBody == nil {
			req = req.Clone(req.Context())
			req.GetBody = func() (io.ReadCloser, error) { return b.Replay(), nil }
		}
	}
	return l.next.RoundTrip(req)
}

// CloseIdleConnections closes the idle connections of the transport below.
func (l bodySetter) CloseIdleConnections() {
	if c, ok := l.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
