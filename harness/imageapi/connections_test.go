package imageapi

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/glance-conformance/glance-conformance/harness/evidence"
)

// scripted is a raw HTTP server whose answer to the n-th request on the c-th connection (both
// from 1) is decided by a script. It reads each request whole before acting, so a request the
// client wrote on a kept connection has surely been written when the server drops it.
type scripted struct {
	l     net.Listener
	conns atomic.Int32
	reqs  atomic.Int32
	wg    sync.WaitGroup
}

// action is what the server does with a request: write these bytes (may be ""), then close the
// connection or keep it.
type action struct {
	write string
	close bool
	reset bool          // close with a reset (SO_LINGER 0) instead of writing
	after time.Duration // wait this long before acting
	early bool          // answer before reading the body (an early answer), then read it
	// drainAfter: with early, read the body only once this is closed
	drainAfter chan struct{}
}

const ok204 = "HTTP/1.1 204 No Content\r\n\r\n"

func serve(t *testing.T, script func(conn, req int) action) *scripted {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &scripted{l: l}
	t.Cleanup(func() { l.Close(); s.wg.Wait() })
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n := int(s.conns.Add(1))
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				for i := 1; ; i++ {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					a := script(n, i)
					if a.early {
						io.WriteString(c, a.write) // while the client is still writing the body
						if a.drainAfter != nil {
							<-a.drainAfter
						}
						io.Copy(io.Discard, req.Body)
						s.reqs.Add(1)
						continue
					}
					io.Copy(io.Discard, req.Body)
					s.reqs.Add(1)
					time.Sleep(a.after)
					if a.reset {
						c.(*net.TCPConn).SetLinger(0)
						return
					}
					io.WriteString(c, a.write)
					if a.close {
						return
					}
				}
			}()
		}
	}()
	return s
}

func (s *scripted) url() string { return "http://" + s.l.Addr().String() + "/" }

// closesAfterEachAnswer answers the first request on every connection and drops the connection
// when the second arrives, without ever announcing it: the uWSGI HTTP router's way.
func closesAfterEachAnswer(conn, req int) action {
	if req == 1 {
		return action{write: ok204}
	}
	return action{close: true}
}

func newTestClient(url string) (*gophercloud.ServiceClient, *evidence.Recorder) {
	rec := &evidence.Recorder{}
	return New(url, Main, rec), rec
}

func TestDroppedConnectionIsAttributedAndResent(t *testing.T) {
	srv := serve(t, closesAfterEachAnswer)
	sc, rec := newTestClient(srv.url())
	defer CloseIdle(sc)
	ctx := context.Background()
	// PATCH is not idempotent for Go's transport: it does not resend it itself.
	for i := range 2 {
		if _, err := Do(ctx, sc, "PATCH", "v2/images/x", strings.NewReader(`[]`), nil); err != nil {
			t.Fatalf("request %d: %v (a dropped kept-alive connection must be resent)", i+1, err)
		}
	}
	drops := rec.Drops()
	if len(drops) != 1 {
		t.Fatalf("drops %+v, want the second request's", drops)
	}
	d := drops[0]
	if d.Row != keepAliveRow || d.Request != "PATCH /v2/images/x" || !strings.Contains(d.PreviousAnswer, "204 to PATCH /v2/images/x") || !strings.Contains(d.Resent, "resent on a new connection: answered 204") {
		t.Errorf("drop %+v", d)
	}
	if got := srv.conns.Load(); got != 2 {
		t.Errorf("%d connections, want 2 (the kept one, then a new one for the resend)", got)
	}
	var noted bool
	for _, ex := range rec.Exchanges() {
		noted = noted || ex.Method == "dropped"
	}
	if !noted {
		t.Errorf("the drop is not among the exchanges: %+v", rec.Exchanges())
	}
}

func TestAnEarlyAnswerIsToldApart(t *testing.T) {
	// The server answers an upload right after its headers and reads the body only once the
	// client has the answer: the client cannot have taken 32 MiB into socket buffers by then.
	answered := make(chan struct{})
	srv := serve(t, func(conn, req int) action {
		return action{write: "HTTP/1.1 409 Conflict\r\nContent-Length: 0\r\n\r\n", early: true, drainAfter: answered}
	})
	k := newKeptAlive(&http.Transport{}, func(evidence.Drop) {})
	defer k.CloseIdleConnections()
	req, _ := http.NewRequest("PUT", srv.url()+"v2/images/x/file", Sized(make([]byte, 32<<20)))
	resp, err := k.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	close(answered)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.last) != 1 {
		t.Fatalf("answers noted: %+v", k.last)
	}
	for _, a := range k.last {
		if !a.early || a.text != "409 to PUT /v2/images/x/file" {
			t.Errorf("noted %+v, want an early 409", a)
		}
	}
}

func TestAnAnswerToAWholeBodyIsNotEarly(t *testing.T) {
	srv := serve(t, func(conn, req int) action { return action{write: ok204} })
	k := newKeptAlive(&http.Transport{}, func(evidence.Drop) {})
	defer k.CloseIdleConnections()
	for _, body := range []io.Reader{Sized(make([]byte, 32<<20)), Chunked(make([]byte, 1<<20), 64<<10)} {
		req, _ := http.NewRequest("PUT", srv.url()+"v2/images/x/file", body)
		resp, err := k.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		k.mu.Lock()
		if len(k.last) != 1 {
			t.Errorf("answers noted: %+v", k.last)
		}
		for _, a := range k.last {
			if a.early {
				t.Errorf("noted %+v as early; the server read the body whole before answering", a)
			}
		}
		k.mu.Unlock()
	}
}

func TestADropAfterAnEarlyAnswerIsUploadEarlyAnswers(t *testing.T) {
	d := try{reused: true, previous: answer{text: "409 to PUT /v2/images/x/file", early: true}}.drop("PATCH /v2/images/x", "EOF")
	if d.Row != earlyAnswerRow || !strings.Contains(d.PreviousAnswer, "early answer") {
		t.Errorf("%+v, want %s's, naming the early answer", d, earlyAnswerRow)
	}
	if d := (try{reused: true, previous: answer{text: "204 to PATCH /v2/images/x"}}).drop("PATCH /v2/images/x", "EOF"); d.Row != keepAliveRow {
		t.Errorf("%+v, want %s's", d, keepAliveRow)
	}
}

func TestGoResendIsRecordedToo(t *testing.T) {
	srv := serve(t, closesAfterEachAnswer)
	sc, rec := newTestClient(srv.url())
	defer CloseIdle(sc)
	for i := range 2 {
		r, err := Do(context.Background(), sc, "GET", "v2/images", nil, nil)
		if err != nil || r.Status != 204 {
			t.Fatalf("GET %d: %v %v", i+1, r, err)
		}
	}
	drops := rec.Drops()
	if len(drops) != 1 || !strings.Contains(drops[0].Resent, "Go's transport") {
		t.Fatalf("Go's own resend of a GET must be recorded as a drop: %+v", drops)
	}
}

func TestUploadBodiesAreResentWhole(t *testing.T) {
	srv := serve(t, closesAfterEachAnswer)
	sc, rec := newTestClient(srv.url())
	defer CloseIdle(sc)
	data := strings.Repeat("z", 300<<10)
	bodies := []func() io.Reader{
		func() io.Reader { return Sized([]byte(data)) },
		func() io.Reader { return Chunked([]byte(data), 64<<10) },
	}
	for i, body := range bodies {
		// The first request of each pair takes a new connection; the second meets the drop.
		for j := range 2 {
			if _, err := Do(context.Background(), sc, "PUT", "v2/images/x/file", body(), nil); err != nil {
				t.Fatalf("body %d, request %d: %v", i, j+1, err)
			}
		}
	}
	if n := len(rec.Drops()); n != 2 {
		t.Errorf("%d drops, want 2: %+v", n, rec.Drops())
	}
}

func TestWhatIsNotADroppedConnection(t *testing.T) {
	cases := []struct {
		name   string
		script func(conn, req int) action
		// wantErr: the second request must fail (nothing resent)
		wantErr bool
	}{
		{"a reset on a fresh connection", func(conn, req int) action {
			if conn == 1 && req == 1 {
				return action{write: "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", close: true}
			}
			return action{reset: true}
		}, true},
		{"a 500 on a kept connection", func(conn, req int) action {
			if req == 1 {
				return action{write: ok204}
			}
			return action{write: "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"}
		}, false},
		{"part of an answer, then the close", func(conn, req int) action {
			if req == 1 {
				return action{write: ok204}
			}
			return action{write: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", close: true}
		}, true},
		{"a close long after the request came (a server that gave up on it)", func(conn, req int) action {
			if req == 1 {
				return action{write: ok204}
			}
			return action{close: true, after: promptEnd + 500*time.Millisecond}
		}, true},
		{"an announced close", func(conn, req int) action {
			return action{write: "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", close: true}
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := serve(t, c.script)
			sc, rec := newTestClient(srv.url())
			defer CloseIdle(sc)
			var err error
			for range 2 {
				var r *Response
				r, err = Do(context.Background(), sc, "PATCH", "v2/images/x", strings.NewReader(`[]`), nil)
				if err == nil && r.Status == 500 {
					err = nil
				}
			}
			if (err != nil) != c.wantErr {
				t.Errorf("second request: err %v, want an error: %v", err, c.wantErr)
			}
			if d := rec.Drops(); len(d) != 0 {
				t.Errorf("attributed as a dropped connection: %+v", d)
			}
			if got, want := srv.reqs.Load(), int32(2); got != want {
				t.Errorf("the server saw %d requests, want %d (nothing resent)", got, want)
			}
		})
	}
}

func TestARequestThatFailsOnANewConnectionTooIsNotCounted(t *testing.T) {
	// The server reads any 16 MiB body and closes without a word, whatever the connection: the
	// request fails on its own. Met on a kept connection it is resent once, fails again, and is
	// shown in the evidence but not counted as a dropped connection.
	srv := serve(t, func(conn, req int) action {
		if conn == 1 && req == 1 {
			return action{write: ok204}
		}
		return action{close: true}
	})
	sc, rec := newTestClient(srv.url())
	defer CloseIdle(sc)
	if _, err := Do(context.Background(), sc, "PATCH", "v2/images/x", strings.NewReader(`[]`), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := Do(context.Background(), sc, "PUT", "v2/images/x/file", Sized(make([]byte, 16<<20)), nil); err == nil {
		t.Fatal("the upload got an answer the server never sent")
	}
	if d := rec.Drops(); len(d) != 0 {
		t.Errorf("counted as a dropped connection: %+v", d)
	}
	var shown bool
	for _, ex := range rec.Exchanges() {
		shown = shown || (ex.Method == "dropped" && strings.Contains(ex.URL, "failed too"))
	}
	if !shown {
		t.Errorf("the resend that failed too is not in the evidence: %+v", rec.Exchanges())
	}
	if got := srv.reqs.Load(); got != 3 {
		t.Errorf("the server saw %d requests, want 3 (the upload resent once)", got)
	}
}

// rawServer answers one connection's requests with handle, which reads the request itself from
// the connection's reader (head, then the body as it chooses) and writes the answer.
func rawServer(t *testing.T, handle func(br *bufio.Reader, c net.Conn) bool) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { l.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			br := bufio.NewReader(c)
			for handle(br, c) {
			}
			c.Close()
		}
	}()
	return "http://" + l.Addr().String() + "/"
}

// readHead reads a request's head and returns its lines.
func readHead(br *bufio.Reader) []string {
	var lines []string
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return nil
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			return lines
		}
		lines = append(lines, l)
	}
}

func TestChunkedBodiesKeepTheirChunkSizes(t *testing.T) {
	sizes := make(chan []int64, 1)
	url := rawServer(t, func(br *bufio.Reader, c net.Conn) bool {
		if readHead(br) == nil {
			return false
		}
		var got []int64
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return false
			}
			var n int64
			fmt.Sscanf(strings.TrimSpace(l), "%x", &n)
			if n == 0 {
				br.ReadString('\n')
				break
			}
			got = append(got, n)
			io.CopyN(io.Discard, br, n+2)
		}
		sizes <- got
		io.WriteString(c, ok204)
		return true
	})
	sc, _ := newTestClient(url)
	defer CloseIdle(sc)
	data := make([]byte, 4<<20+1<<20+1+100)
	if _, err := Do(context.Background(), sc, "PUT", "v2/images/x/file", Chunks(data, 4<<20, 1<<20+1, 4<<20), nil); err != nil {
		t.Fatal(err)
	}
	if got := <-sizes; fmt.Sprint(got) != fmt.Sprint([]int64{4 << 20, 1<<20 + 1, 100}) {
		t.Errorf("chunks on the wire %v, want the body's own sizes", got)
	}
}

func TestAnAnswerAfter100ContinueToAWholeBodyIsNotEarly(t *testing.T) {
	url := rawServer(t, func(br *bufio.Reader, c net.Conn) bool {
		head := readHead(br)
		if head == nil {
			return false
		}
		var length int64
		for _, h := range head {
			if k, v, ok := strings.Cut(h, ": "); ok && strings.EqualFold(k, "Content-Length") {
				fmt.Sscan(v, &length)
			}
		}
		io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\n")
		io.CopyN(io.Discard, br, length)
		io.WriteString(c, ok204)
		return true
	})
	k := newKeptAlive(&http.Transport{ExpectContinueTimeout: time.Second}, func(evidence.Drop) {})
	defer k.CloseIdleConnections()
	req, _ := http.NewRequest("PUT", url+"v2/images/x/file", Sized(make([]byte, 8<<20)))
	req.Header.Set("Expect", "100-continue")
	resp, err := k.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.last) != 1 {
		t.Fatalf("answers noted: %+v", k.last)
	}
	for _, a := range k.last {
		if a.early {
			t.Errorf("noted %+v as early: the 100 Continue is not the answer", a)
		}
	}
}
