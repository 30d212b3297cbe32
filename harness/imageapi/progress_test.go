package imageapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/evidence"
)

// clientStalling returns a client whose bodies may stand still for stall only.
func clientStalling(url string, stall time.Duration) (*http.Client, func()) {
	sc := New(url, Main, &evidence.Recorder{})
	rec := sc.ProviderClient.HTTPClient.Transport.(bodySetter).next.(*evidence.Recorder)
	rec.Next.(*keptAlive).stall = stall
	return &sc.ProviderClient.HTTPClient, func() { CloseIdle(sc) }
}

func TestABodyThatStopsMovingFails(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "PUT" {
			<-release // reads nothing: the client's writes stop once the socket buffers are full
			return
		}
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(200)
		w.Write(make([]byte, 1000))
		w.(http.Flusher).Flush()
		<-release // the rest of the answer never comes
	}))
	defer srv.Close()
	defer close(release)
	c, done := clientStalling(srv.URL+"/", 300*time.Millisecond)
	defer done()

	req, _ := http.NewRequest("PUT", srv.URL+"/up", WithLength(io.LimitReader(zeros{}, 1<<30), 1<<30))
	start := time.Now()
	_, err := c.Do(req)
	if !errors.Is(err, errStalled) || time.Since(start) > 10*time.Second {
		t.Errorf("upload into a server that stopped reading: %v after %s, want errStalled soon", err, time.Since(start))
	}

	resp, err := c.Get(srv.URL + "/down")
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !errors.Is(err, errStalled) {
		t.Errorf("download that stopped moving: %v, want errStalled", err)
	}
}

func TestASlowBodyThatKeepsMovingPasses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// 20 pieces 50 ms apart: 1 s in all, far over the 300 ms stall, never standing still
		// that long.
		for range 20 {
			time.Sleep(50 * time.Millisecond)
			w.Write(bytes.Repeat([]byte("x"), 100))
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	c, done := clientStalling(srv.URL+"/", 300*time.Millisecond)
	defer done()
	resp, err := c.Get(srv.URL + "/slow")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != 2000 {
		t.Errorf("slow but moving download: %d bytes, %v", n, err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
