package framework

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/evidence"
	"github.com/glance-conformance/glance-conformance/harness/imageapi"
)

// The probe tells a server that answers, even with an error, from one that does not.
func TestProbe(t *testing.T) {
	cases := []struct {
		name     string
		handler  http.HandlerFunc
		failures int
		want     string
	}{
		{"answers", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"images": []}`)) }, 0, ""},
		{"500 is an answer", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, 0, ""},
		{"a gateway with nothing behind it", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) }, probeRequests, "502"},
		{"silence", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, probeRequests, "no answer in 300ms"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			var paths []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				paths = append(paths, r.URL.RequestURI())
				mu.Unlock()
				c.handler(w, r)
			}))
			got := probe(context.Background(), imageapi.New(srv.URL+"/", imageapi.Main, &evidence.Recorder{}), 300*time.Millisecond)
			srv.Close() // waits for the handlers
			if len(got) != c.failures {
				t.Fatalf("probe found %d failures %q, want %d", len(got), got, c.failures)
			}
			if c.want != "" && !strings.Contains(got[0], c.want) {
				t.Errorf("failure %q does not say %q", got[0], c.want)
			}
			if len(paths) > 0 && paths[0] != "/v2/images?limit=1" {
				t.Errorf("probed %s, want /v2/images?limit=1", paths[0])
			}
		})
	}
}

func TestTheNativeThreadsTracebackIsRecognised(t *testing.T) {
	// As bookworm/uwsgi-debian's log had it when its workers stopped answering.
	log := `Traceback (most recent call last):
  File "/usr/lib/python3/dist-packages/eventlet/hubs/hub.py", line 476, in fire_timers
    timer()
  File "/usr/lib/python3/dist-packages/eventlet/semaphore.py", line 147, in _do_acquire
    waiter.switch()
greenlet.error: cannot switch to a different thread
`
	if !logHas(log, nativeThreadsSignature...) {
		t.Error("the traceback of oslo.log's green lock hand-over is not recognised")
	}
	if logHas("greenlet.error: cannot switch to a different thread", nativeThreadsSignature...) {
		t.Error("the error without eventlet's hand-over taken for the native threads defect")
	}
}
