package framework

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	. "github.com/onsi/ginkgo/v2"

	"github.com/glance-conformance/glance-conformance/harness/deploy"
	"github.com/glance-conformance/glance-conformance/harness/evidence"
	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/reports"
)

// A spec can leave a server unable to answer: a request thread stuck for good takes the rest of
// its process with it. The rows after it must not inherit that state (one defect, one row), so
// after every spec the column is probed, and a column that no longer answers is restarted; the
// spec that left it so fails, with a note and the logs until then.

const (
	// probeRequests are sent at once, each on a fresh connection, so that with several server
	// processes a stuck one is almost surely among those asked.
	probeRequests = 6
	probeTimeout  = 20 * time.Second
	// restartTimeout bounds the restart and the wait until the column is ready again.
	restartTimeout = 6 * time.Minute
)

// NativeThreadsFeature is the row of oslo.log's green logging lock under native threads
// (suites/specs_threads.go): a thread waiting for it sleeps for good after its hand-over raised
// nativeThreadsSignature. A server that stops answering with that traceback in its log since the
// spec began stopped on that row's defect, not on this row's.
const NativeThreadsFeature = "server.native-threads"

// nativeThreadsSignature is the traceback the hand-over raises: eventlet's semaphore handing a
// green lock to a waiter of another thread, and greenlet refusing the switch.
var nativeThreadsSignature = []string{"semaphore.py", "in _do_acquire", "greenlet.error: cannot switch to a different thread"}

// freezeAfterEnv names a feature after whose spec the harness freezes the column's servers (a
// self-test of the restart below, used by the end-to-end tests; never set in a real run).
const freezeAfterEnv = "GLANCE_CONFORMANCE_FREEZE_AFTER"

// keepAnswering runs after a spec's own cleanups: it probes the column and restarts it if it
// stopped answering.
func (t *Target) keepAnswering(ctx SpecContext) {
	if f, ok := t.col.dep.(interface{ Freeze(context.Context) error }); ok && os.Getenv(freezeAfterEnv) == t.feature.ID {
		if err := f.Freeze(ctx); err != nil {
			HarnessError("%s: %v", freezeAfterEnv, err)
		}
	}
	if t.col.unprobed {
		return
	}
	// A recorder of its own: the probe's requests are no part of the spec's evidence. A client of
	// its own too, so that its requests at once open as many new connections (t.finish closes them).
	failures := probe(ctx, t.clientRecordingInto(imageapi.Main, &evidence.Recorder{}), probeTimeout)
	if len(failures) == 0 {
		return
	}
	c := t.col
	// Read before the restart: Glance's logs since the spec began, for the attribution below.
	attributed := t.feature.ID != NativeThreadsFeature && t.glanceLogsHave(context.WithoutCancel(ctx), nativeThreadsSignature...)
	c.restarts++
	dir := filepath.Join(shared.cfg.Out, "logs", c.id, fmt.Sprintf("before-restart-%d", c.restarts))
	saveErr := c.dep.SaveLogs(context.WithoutCancel(ctx), dir)
	began := time.Now()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restartTimeout)
	err := c.dep.Restart(rctx)
	cancel()
	what := fmt.Sprintf("the server stopped answering after this spec (probe: %s)", Summarize(failures))
	var note string
	switch {
	case errors.Is(err, deploy.ErrCannotRestart):
		note = what + "; the harness cannot restart this deployment"
	case err != nil:
		// Every later spec of the column would wait on a dead server: it is broken from here.
		c.err = fmt.Errorf("restarting after %s stopped answering: %w", t.feature.ID, err)
		note = fmt.Sprintf("%s; restarting it failed: %v", what, err)
	default:
		note = fmt.Sprintf("%s; the column was restarted in %.0fs so that the rows after this one start from a server that answers", what, time.Since(began).Seconds())
		if saveErr == nil {
			note += fmt.Sprintf("; the logs until the restart are in logs/%s/%s", c.id, filepath.Base(dir))
		}
		t.deleteLeftovers(ctx)
	}
	if attributed && err == nil {
		// One defect, one row: this spec's own checks are its verdict; the stall is the other
		// row's, proven by its traceback in this spec's own log window. Only after a restart
		// that worked: otherwise the column is broken from here, which must show.
		note += fmt.Sprintf("; Glance's log since this spec began has eventlet's lock hand-over failing across threads (%q): %s's finding (oslo.log's green logging lock under native threads), not this row's", nativeThreadsSignature[len(nativeThreadsSignature)-1], NativeThreadsFeature)
		statusf("%s: %s: %s", c.id, t.feature.ID, note)
		AddReportEntry(reports.NoteEntryName, note, ReportEntryVisibilityNever)
		return
	}
	statusf("%s: %s: %s", c.id, t.feature.ID, note)
	AddReportEntry(reports.NoteEntryName, note, ReportEntryVisibilityNever)
	Fail(what)
}

// probeFresh probes the column just started, before any spec. A column that does not answer it
// is restarted once, as after a spec (a server can stall at its first requests: oslo.log's green
// lock under native threads struck so); one that still fails it is broken in a lasting way (a
// front end answering 502 to every API call, say) and is not probed after its specs: none of them
// caused it, and a restart gives back the same column. Each spec's own requests still give its
// verdict.
func (c *column) probeFresh(ctx context.Context) {
	sc := c.ownClient()
	defer imageapi.CloseIdle(sc)
	failures := probe(ctx, sc, probeTimeout)
	if len(failures) == 0 {
		return
	}
	first := Summarize(failures)
	stalled := c.logsHave(ctx, time.Time{}, nativeThreadsSignature...)
	dir := filepath.Join(shared.cfg.Out, "logs", c.id, "before-restart-0")
	_ = c.dep.SaveLogs(context.WithoutCancel(ctx), dir)
	rctx, cancel := context.WithTimeout(ctx, restartTimeout)
	err := c.dep.Restart(rctx)
	cancel()
	if err == nil {
		c.restarts++
		note := fmt.Sprintf("the column did not answer the liveness probe just after it started (%s) and was restarted before its first spec (logs until then: logs/%s/before-restart-0)", first, c.id)
		if stalled {
			note += fmt.Sprintf("; Glance's log had eventlet's lock hand-over failing across threads: %s's finding", NativeThreadsFeature)
		}
		c.meta.Restarted = note
		statusf("%s: %s", c.id, note)
		if failures = probe(ctx, sc, probeTimeout); len(failures) == 0 {
			return
		}
	}
	c.unprobed = true
	c.meta.Unprobed = fmt.Sprintf("the liveness probe (GET v2/images?limit=1) fails on the column just started, and again after a restart (%s): no spec is blamed for it, and none is followed by a restart", first)
	statusf("%s: %s", c.id, c.meta.Unprobed)
}

// glanceLogsHave tells whether the log of one of Glance's containers since the spec began holds
// every one of the lines.
func (t *Target) glanceLogsHave(ctx context.Context, lines ...string) bool {
	return t.col.logsHave(ctx, t.began, lines...)
}

// logsHave tells whether the log of one of the column's Glance containers since a moment holds
// every one of the lines.
func (c *column) logsHave(ctx context.Context, since time.Time, lines ...string) bool {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	logs := c.dep.LogsSince(ctx, since)
	for _, comp := range c.dep.GlanceComponents() {
		if logHas(logs[comp], lines...) {
			return true
		}
	}
	return false
}

func logHas(log string, lines ...string) bool {
	for _, l := range lines {
		if !strings.Contains(log, l) {
			return false
		}
	}
	return len(lines) > 0
}

// probe lists one image, probeRequests times at once, and returns the requests that got no
// answer from Glance: a timeout, a reset, or a gateway's 502/503/504 for the server behind it.
// Any other status is an answer (a 500 from the property protections race is that row's).
func probe(ctx context.Context, sc *gophercloud.ServiceClient, timeout time.Duration) []string {
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	for range probeRequests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			_, err := sc.Get(pctx, sc.ServiceURL("images")+"?limit=1", nil, nil)
			var unexpected gophercloud.ErrUnexpectedResponseCode
			if errors.As(err, &unexpected) && (unexpected.Actual < 502 || unexpected.Actual > 504) {
				err = nil // an error, but an answer
			}
			if err != nil {
				failure := ShortStatus(err)
				if errors.Is(err, context.DeadlineExceeded) {
					failure = fmt.Sprintf("no answer in %s", timeout)
				}
				mu.Lock()
				failures = append(failures, failure)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return failures
}
