package rawhttp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
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

// answers serves every connection: it answers each request with answer(n) (n from 1) and closes
// the connection when close(n) says so, after the answer.
func answers(t *testing.T, answer func(n int) string, close func(n int) bool) string {
	u, _ := url.Parse(serve(t, func(c *net.TCPConn, br *bufio.Reader, req *http.Request) {
		for n := 1; ; n++ {
			io.Copy(io.Discard, req.Body)
			io.WriteString(c, answer(n))
			if close(n) {
				return
			}
			var err error
			if req, err = http.ReadRequest(br); err != nil {
				return
			}
		}
	}))
	return "http://" + u.Host + "/"
}

func TestConnMeetsAnUnannouncedClose(t *testing.T) {
	url := answers(t, func(int) string { return "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}" }, func(n int) bool { return n == 1 })
	c, err := Dial(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := c.Do(context.Background(), "POST", "v2/images", map[string]string{"Content-Type": "application/json"}, []byte(`{}`))
	if err != nil || a.Status != 201 || a.Close || string(a.Body) != "{}" {
		t.Fatalf("first answer %+v, %v", a, err)
	}
	_, err = c.Do(context.Background(), "PATCH", "v2/images/x", nil, []byte(`[]`))
	var none *NoAnswerError
	if !errors.As(err, &none) {
		t.Fatalf("the request after an unannounced close: %v, want NoAnswerError", err)
	}
}

func TestConnSeesAnAnnouncedClose(t *testing.T) {
	url := answers(t, func(int) string { return "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n" }, func(int) bool { return true })
	c, err := Dial(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := c.Do(context.Background(), "DELETE", "v2/images/x", nil, nil)
	if err != nil || a.Status != 204 || !a.Close {
		t.Fatalf("answer %+v, %v: want 204 announcing the close", a, err)
	}
}

func TestConnKeepsAConnection(t *testing.T) {
	url := answers(t, func(n int) string { return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n%d", n%10) }, func(int) bool { return false })
	c, err := Dial(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 1; i <= 3; i++ {
		a, err := c.Do(context.Background(), "GET", "versions", nil, nil)
		if err != nil || a.Status != 200 || string(a.Body) != fmt.Sprint(i) {
			t.Fatalf("request %d on the kept connection: %+v, %v", i, a, err)
		}
	}
}

func TestConnTellsASilentServerFromAClose(t *testing.T) {
	url := answers(t, func(n int) string {
		if n > 1 {
			time.Sleep(2 * time.Second) // keeps the connection, answers late
		}
		return "HTTP/1.1 204 No Content\r\n\r\n"
	}, func(int) bool { return false })
	c, err := Dial(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Do(context.Background(), "GET", "versions", nil, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, "GET", "versions", nil, nil)
	var none *NoAnswerError
	if err == nil || errors.As(err, &none) {
		t.Errorf("a server that kept the connection but answered late: %v, want a deadline error, not NoAnswerError", err)
	}
}
