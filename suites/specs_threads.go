package suites

import (
	"regexp"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// framework.NativeThreadsFeature is the row of a defect that strikes now and then under a WSGI server:
// oslo.log (before 5.1, as bookworm ships 5.0.1) replaces logging's module lock with an
// eventlet green lock whenever eventlet is imported, and Glance always imports it. Under a server
// that runs Glance on native threads (uWSGI, mod_wsgi, and Glance's own task threads), a thread
// waiting for that lock sleeps in its own eventlet hub; the thread releasing it hands it over on
// *its* hub, which raises `greenlet.error: cannot switch to a different thread`, and the waiter
// sleeps for good, holding whatever it held (an import lock, a handler lock), until its process
// stops answering. Through the API it cannot be triggered on demand (the lock is taken on logger
// creation and on the first use of a level after a cache clear): measured, 0 of 9 cold restarts
// under 30 concurrent clients. So the row takes the lock the way Glance's threads do, inside the
// column's Glance container, with the Python libraries Glance runs on; and a row whose server
// stops answering with that traceback in its log is attributed here (framework.keepAnswering).

// nativeThreadsProbe imports what Glance's WSGI entry point imports, sets logging up as
// init_app does, then has two native threads take logging's module lock (logging.getLogger)
// for 2 s, yielding to eventlet every 1000 calls as Glance's cooperative readers do per chunk
// (where the defect is, both threads stopped within the first second in every column of a full
// run, after at most 18,611 calls, a fraction of a second). A thread still running 3 s after
// the end is stuck. It prints one RESULT line; os._exit so that a
// stuck thread cannot keep the process alive.
const nativeThreadsProbe = `
import logging, os, sys, threading, time
import glance.common.wsgi_app
from oslo_config import cfg
from oslo_log import log
log.setup(cfg.CONF, "glance")
import eventlet
lock = type(getattr(logging._lock, "_block", logging._lock))
calls = [0, 0]
end = time.monotonic() + 2
def work(i):
    while time.monotonic() < end:
        logging.getLogger("conformance.%d.%d" % (i, calls[i] % 50))
        calls[i] += 1
        if calls[i] % 1000 == 0:
            eventlet.sleep(0)
threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join(max(0, end + 3 - time.monotonic()))
stuck = sum(t.is_alive() for t in threads)
print("RESULT lock=%s.%s stuck=%d calls=%d,%d" % (lock.__module__, lock.__name__, stuck, calls[0], calls[1]), flush=True)
sys.stderr.flush()
os._exit(0)
`

var nativeThreadsResult = regexp.MustCompile(`RESULT lock=(\S+) stuck=(\d+) calls=(\d+),(\d+)`)

var _ = framework.Conformance(feature.Feature{
	ID:    framework.NativeThreadsFeature,
	Title: "Logging from native threads",
	Proves: "inside the column's Glance container, two native threads taking logging's module lock as Glance's request and task threads do (after importing Glance's WSGI entry point and oslo.log's setup) both keep running for 2 s " +
		"(measured there, not through the API, which cannot trigger it on demand; n/a under eventlet, whose green threads that lock is made for)",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	if slices.Contains(t.Servers(), "eventlet") {
		framework.NotApplicable("Glance runs under eventlet here (monkey-patched green threads), where a green logging lock is what it should be")
	}
	comps := t.GlanceContainers()
	if len(comps) == 0 {
		framework.HarnessError("the topology names no container running Glance")
	}
	comp := comps[0]
	code, out, err := t.Exec(ctx, comp, "timeout", "-k", "5", "60", "python3", "-c", nativeThreadsProbe)
	if err != nil {
		framework.HarnessError("running the probe in %s: %v", comp, err)
	}
	m := nativeThreadsResult.FindStringSubmatch(out)
	if m == nil {
		framework.HarnessError("the probe in %s printed no result (exit %d): %s", comp, code, framework.Truncate(out, 600))
	}
	framework.Note("logging's module lock is a %s; calls made by the two threads: %s and %s", m[1], m[3], m[4])
	greenletErr := strings.Contains(out, "greenlet.error")
	Expect(m[2] == "0").To(BeTrue(), "%s of 2 native threads taking logging's module lock stopped for good within 2 s (the lock: %s; calls made: %s and %s)%s",
		m[2], m[1], m[3], m[4], map[bool]string{true: "; the hand-over raised greenlet.error: cannot switch to a different thread", false: ""}[greenletErr])
})
