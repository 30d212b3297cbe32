package rawhttp

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

const bodySize = 32 << 20 // far more than the socket buffers hold

// serve answers the first request on every connection with handle, without reading its body.
func serve(t *testing.T, handle func(c *net.TCPConn, br *bufio.Reader, req *http.Request)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				handle(c.(*net.TCPConn), br, req)
			}()
		}
	}()
	return "http://" + l.Addr().String() + "/v2/images/x/file"
}

const conflict = "HTTP/1.1 409 Conflict\r\nContent-Length: 0\r\n"

func send(t *testing.T, url string) Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	o, err := SendWholeBody(ctx, Request{Method: "PUT", URL: url, Body: bytes.NewReader(make([]byte, bodySize)), BodySize: bodySize}, "/versions")
	if err != nil {
		t.Fatal(err)
	}
	t.Log(o)
	return o
}

func TestServerClosingUnreadBodyResetsTheClient(t *testing.T) {
	url := serve(t, func(c *net.TCPConn, _ *bufio.Reader, _ *http.Request) {
		io.WriteString(c, conflict+"Connection: close\r\n\r\n")
		// close() with unread data in the receive buffer: the kernel sends RST.
	})
	o := send(t, url)
	if !o.Reset() {
		t.Fatalf("no reset seen: %s", o)
	}
	if o.BodySent == bodySize {
		t.Fatalf("the whole body went through a closed connection: %s", o)
	}
}

func TestServerDrainingTheBodyKeepsTheConnection(t *testing.T) {
	url := serve(t, func(c *net.TCPConn, br *bufio.Reader, req *http.Request) {
		io.WriteString(c, conflict+"\r\n")
		io.Copy(io.Discard, req.Body)
		if next, err := http.ReadRequest(br); err == nil && next.URL.Path == "/versions" {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
		}
	})
	o := send(t, url)
	if o.Reset() || o.Status != 409 || o.Followed != 200 || o.BodySent != bodySize || o.ReadErr != nil || o.WriteErr != nil {
		t.Fatalf("want 409, the whole body, then 200 and a clean end: %s", o)
	}
}

func TestServerLingeringAfterCloseEndsCleanly(t *testing.T) {
	url := serve(t, func(c *net.TCPConn, br *bufio.Reader, _ *http.Request) {
		io.WriteString(c, conflict+"Connection: close\r\n\r\n")
		c.CloseWrite()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		io.Copy(io.Discard, br) // lingering close: read until the client is done
	})
	o := send(t, url)
	if o.Reset() || o.Status != 409 || o.Followed != 0 || o.ReadErr != nil {
		t.Fatalf("want 409 and a clean close: %s", o)
	}
}

func TestBadURLIsAnError(t *testing.T) {
	if _, err := SendWholeBody(context.Background(), Request{URL: "https://example.invalid/"}, "/"); err == nil {
		t.Fatal("an https URL was accepted")
	}
}
