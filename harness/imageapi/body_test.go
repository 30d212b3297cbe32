package imageapi

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
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
