package evidence

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRecorderKeepsErrorHeadAndBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Openstack-Request-Id", "req-123")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusLengthRequired)
		io.WriteString(w, "<h1>411 Length Required</h1>"+strings.Repeat("x", 2000))
	}))
	defer srv.Close()
	rec := &Recorder{Next: http.DefaultTransport}
	c := &http.Client{Transport: rec}
	// An io.Reader of unknown length makes net/http send the body chunked.
	req, _ := http.NewRequest("PUT", srv.URL+"/v2/images/x/file", io.MultiReader(strings.NewReader("abc")))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if len(body) != len("<h1>411 Length Required</h1>")+2000 {
		t.Fatalf("caller got %d bytes, the body must pass through intact", len(body))
	}
	ex := rec.Exchanges()
	if len(ex) != 1 {
		t.Fatalf("%d exchanges", len(ex))
	}
	e := ex[0]
	if e.Status != 411 || e.RequestID != "req-123" || e.Body != "Transfer-Encoding: chunked" || len(e.BodyHead) != HeadBytes {
		t.Fatalf("%+v", e)
	}
	if !strings.Contains(e.String(), "PUT /v2/images/x/file [Transfer-Encoding: chunked] -> 411 req-123: <h1>411") {
		t.Fatalf("one-line form: %s", e)
	}
	if got := rec.RequestIDs(); len(got) != 1 || got[0] != "req-123" {
		t.Fatalf("ids %v", got)
	}
}

func TestRecorderLeavesBinaryBodiesAlone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(bytes.Repeat([]byte{1}, 100000))
	}))
	defer srv.Close()
	rec := &Recorder{Next: http.DefaultTransport}
	req, _ := http.NewRequest("PUT", srv.URL, bytes.NewReader([]byte("abcd")))
	resp, err := (&http.Client{Transport: rec}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	if n != 100000 || rec.Exchanges()[0].BodyHead != "" || rec.Exchanges()[0].Body != "Content-Length: 4" {
		t.Fatalf("n=%d %+v", n, rec.Exchanges()[0])
	}
}

func TestRecorderRecordsTransportErrors(t *testing.T) {
	rec := &Recorder{Next: http.DefaultTransport}
	_, err := (&http.Client{Transport: rec}).Get("http://127.0.0.1:1/versions")
	if err == nil || rec.Exchanges()[0].Error == "" {
		t.Fatalf("err=%v ex=%+v", err, rec.Exchanges())
	}
}

func TestMatchLines(t *testing.T) {
	log := strings.Join([]string{
		"2026 INFO glance.api [req-1 ...] GET /v2/images",
		"2026 INFO glance.api [req-2 ...] PUT /v2/images/abc/file",
		"[wsgi:error] [pid 9] something broke",
		"Traceback (most recent call last):",
		"harmless",
		"[Sat Nov 28 07:58:17 2026] [wsgi:error] [pid 80:tid 191] 2026-11-28 07:58:17.072 80 INFO glance.domain [-] Task done\x1b[00m",
	}, "\n")
	got := MatchLines(log, []string{"req-2"}, 10)
	want := []string{"2026 INFO glance.api [req-2 ...] PUT /v2/images/abc/file", "[wsgi:error] [pid 9] something broke", "Traceback (most recent call last):"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q", got)
	}
	got = MatchLines(log, []string{"req-2"}, 1)
	if len(got) != 2 || !strings.Contains(got[0], "2 earlier lines") || got[1] != "Traceback (most recent call last):" {
		t.Fatalf("capped: %q", got)
	}
}

func ExampleDrop() {
	d := Drop{Request: "PATCH /v2/images/x", PreviousAnswer: "201 to POST /v2/images, without Connection: close", Idle: "2ms", Met: "EOF", Resent: "resent on a new connection: answered 200"}
	fmt.Println(d)
	// Output: PATCH /v2/images/x met EOF on a kept-alive connection idle for 2ms whose previous answer (201 to POST /v2/images, without Connection: close) had not announced a close; resent on a new connection: answered 200
}
