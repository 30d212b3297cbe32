package imageapi

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/glance-conformance/glance-conformance/harness/evidence"
)

// chunkSizes accepts one HTTP request on l and returns the sizes of the chunks of its body, as
// they appear on the wire.
func chunkSizes(t *testing.T, l net.Listener) (sizes []int, header http.Header) {
	conn, err := l.Accept()
	if err != nil {
		t.Error(err)
		return nil, nil
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil {
		t.Error(err)
		return nil, nil
	}
	header = req.Header
	if req.TransferEncoding == nil {
		fmt.Fprint(conn, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
		return nil, header
	}
	// http.ReadRequest hides the framing; read it raw instead (the body has not been read yet).
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Error(err)
			return
		}
		n, err := strconv.ParseInt(strings.TrimSpace(line), 16, 64)
		if err != nil {
			t.Errorf("chunk header %q: %v", line, err)
			return
		}
		if n == 0 {
			break
		}
		sizes = append(sizes, int(n))
		if _, err := io.CopyN(io.Discard, br, n+2); err != nil {
			t.Error(err)
			return
		}
	}
	fmt.Fprint(conn, "HTTP/1.1 204 No Content\r\n\r\n")
	return sizes, header
}

func TestChunkedSendsFixedSizeChunks(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	data := bytes.Repeat([]byte("x"), 3*65536+100)
	done := make(chan []int)
	go func() { s, _ := chunkSizes(t, l); done <- s }()
	req, _ := http.NewRequest("PUT", "http://"+l.Addr().String()+"/", Chunked(data, 65536))
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := <-done
	want := []int{65536, 65536, 65536, 100}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("chunks on the wire %v, want %v", got, want)
	}
}

func TestSizedSendsContentLength(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan http.Header)
	go func() { _, h := chunkSizes(t, l); done <- h }()
	req, _ := http.NewRequest("PUT", "http://"+l.Addr().String()+"/", Sized([]byte("hello")))
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	<-done
	if req.ContentLength != 5 || resp.StatusCode != 400 { // 400: our fake server saw no chunking
		t.Fatalf("ContentLength=%d status=%d", req.ContentLength, resp.StatusCode)
	}
}

func TestChunksCycleThroughSizes(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan []int)
	go func() { s, _ := chunkSizes(t, l); done <- s }()
	data := bytes.Repeat([]byte("y"), 4<<20+(1<<20+1)+100)
	req, _ := http.NewRequest("PUT", "http://"+l.Addr().String()+"/", Chunks(data, 4<<20, 1<<20+1, 4<<20))
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := fmt.Sprint(<-done), fmt.Sprint([]int{4 << 20, 1<<20 + 1, 100}); got != want {
		t.Fatalf("chunks %s, want %s", got, want)
	}
}

func TestWithLengthSendsContentLengthThroughTheClient(t *testing.T) {
	got := make(chan int64, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got <- r.ContentLength
	}))
	defer srv.Close()
	rec := &evidence.Recorder{}
	sc := New(srv.URL+"/", Main, rec)
	r, err := Do(context.Background(), sc, "PUT", "x", WithLength(strings.NewReader("hello"), 5), nil)
	if err != nil || r.Status != 200 {
		t.Fatalf("%v %+v", err, r)
	}
	if n := <-got; n != 5 {
		t.Fatalf("server saw Content-Length %d", n)
	}
	if ex := rec.Exchanges(); len(ex) != 1 || ex[0].Body != "Content-Length: 5" {
		t.Fatalf("recorded %+v", ex)
	}
}

func TestWithLengthShortBodyFailsTheRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer srv.Close()
	sc := New(srv.URL+"/", Main, &evidence.Recorder{})
	_, err := Do(context.Background(), sc, "PUT", "x", WithLength(strings.NewReader("half"), 100), nil)
	if err == nil {
		t.Fatal("a body shorter than its Content-Length must fail the request")
	}
}
