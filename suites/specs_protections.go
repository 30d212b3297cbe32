package suites

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// Glance re-reads the property protections file on every image request, into one module-level
// ConfigParser shared by the process's threads (glance/common/property_utils.py, _load_rules),
// with no lock. Under a threaded server one request can read a rule while another is halfway
// through re-parsing the file, where configparser holds values as lists: the request fails with
// AttributeError ("'list' object has no attribute 'find'") and answers 500. This row makes that
// race likely enough to see; the other concurrent rows leave the 500s it explains to it.

// propertyRaceLine marks one traceback of that race in the server log.
var propertyRaceLine = regexp.MustCompile(`property_utils\.py", line \d+, in _load_rules`)

// Enough concurrent reads that a threaded server shows the race in every run: with the 42 rules
// of deployments/base's file, 35-40 of 640 reads failed on mod_wsgi (2 rules: 1-2, not every
// run), so 400 reads expect over 20. A green-threaded server (eventlet) never switches in the middle of the parse, and a
// server with one thread per process never runs two of them in one process.
const (
	protectionReaders  = 16
	protectionRequests = 25 // per reader
)

var _ = framework.Conformance(feature.Feature{
	ID:      "property-protections.concurrent",
	Title:   "Property protections under concurrent requests",
	Proves:  "with a property protections file of 42 rules, 16 clients reading one image at the same moment (400 requests) all get 200: Glance re-parses the file for every request into one parser its threads share, which must not break under a threaded server",
	Tempest: []string{"none"},
	Setup:   "a property protections file (of 42 rules, as in deployments/base), and the server's log",
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	failures := make([][]failure, protectionReaders) // per reader, so no two goroutines share one
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range protectionReaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer GinkgoRecover()
			<-start
			for range protectionRequests {
				if _, err := images.Get(ctx, t.Client, img.ID).Extract(); err != nil {
					failures[i] = append(failures[i], *failureOf("", err))
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	failed := slices.Concat(failures...)
	if len(failed) == 0 {
		return
	}
	races := propertyRaces(ctx, t, failed)
	var raced []string
	for _, f := range failed {
		if races[f.requestID] {
			raced = append(raced, f.text)
		}
	}
	Fail(fmt.Sprintf("%d of %d concurrent image reads failed (%s); %d of them (%s) with a traceback of the property protections race (property_utils._load_rules) under their own request id in the server log",
		len(failed), protectionReaders*protectionRequests, framework.Summarize(texts(failed)), len(raced), framework.Summarize(raced)))
})

// failure is one failed request of a concurrent row: what went wrong in a few words, and the
// request id of its answer (to find its own traceback in the server log).
type failure struct {
	text      string // "upload: 500", "get: EOF"
	requestID string
	status    int // 0 when there was no answer
}

// failureOf describes err, a failed step of a concurrent row ("" for a row of one step).
func failureOf(step string, err error) *failure {
	f := &failure{text: framework.ShortStatus(err)}
	if step != "" {
		f.text = step + ": " + f.text
	}
	var unexpected gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &unexpected) {
		f.status, f.requestID = unexpected.Actual, unexpected.ResponseHeader.Get("X-Openstack-Request-Id")
	}
	return f
}

func texts(fs []failure) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.text
	}
	return out
}

// logCatchUp bounds the wait for a server's log to show what its answers already did: a
// traceback reaches the container log after the 500 (through tail -F for servers that log to
// a file, then Docker's log pipeline).
const logCatchUp = 5 * time.Second

// propertyRaces returns the request ids among the failures' answers whose own log record carries a
// traceback of the property protections race, once the log shows every one of those ids (or
// logCatchUp has passed).
func propertyRaces(ctx SpecContext, t *framework.Target, failures []failure) map[string]bool {
	var ids []string // those answered: the race answers 500, or 400 where the parser's state reads as a bad file
	for _, f := range failures {
		if f.requestID != "" && f.status >= 400 {
			ids = append(ids, f.requestID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var logs map[string]string
	// Not seeing every id in time is no failure of its own: those answers are then not set aside.
	_ = InterceptGomegaFailure(func() {
		Eventually(ctx, func() bool {
			logs = t.ServerLogs(ctx)
			return allLogged(logs, ids)
		}).WithTimeout(logCatchUp).WithPolling(250 * time.Millisecond).Should(BeTrue())
	})
	races := map[string]bool{}
	for _, l := range logs { // each container apart: process ids repeat across containers
		maps.Copy(races, raceRequestIDs(l))
	}
	return races
}

// allLogged tells whether every id is in some container's log.
func allLogged(logs map[string]string, ids []string) bool {
	for _, id := range ids {
		in := false
		for _, l := range logs {
			in = in || strings.Contains(l, id)
		}
		if !in {
			return false
		}
	}
	return true
}

// osloLine is the head of an oslo.log line: time, process id, level, logger, and "[" where a
// record begins (its context: "[None req-... user project ...]" or "[-]"). The further lines of a
// record (its traceback) carry the same process id and no "[" there, and are written with it in
// one piece: Python's logging holds a lock per handler while it writes a record.
var (
	osloLine  = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ (\d+) [A-Z]+ \S+ (\[[^\]]*\])?`)
	requestID = regexp.MustCompile(`req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// raceRequestIDs reads oslo.log output and returns the request ids whose own log record carries
// a traceback of the property protections race.
func raceRequestIDs(log string) map[string]bool {
	current := map[string][]string{} // process id -> the requests of the record it is writing (none: nil)
	races := map[string]bool{}
	for _, line := range strings.Split(log, "\n") {
		head := osloLine.FindStringSubmatch(line)
		switch {
		case head == nil:
		case head[2] != "": // a record begins; its context names the global and the local request
			current[head[1]] = requestID.FindAllString(head[2], -1)
		case propertyRaceLine.MatchString(line):
			for _, id := range current[head[1]] {
				races[id] = true
			}
		}
	}
	return races
}

// setAsidePropertyRaces removes from failures the answers (a 500, or the race's 400 "Invalid
// configuration in property protection file") whose own request carries a traceback of
// the property protections race in the server log, noting them: they are
// property-protections.concurrent's finding, not this row's. Nothing is set aside by count.
func setAsidePropertyRaces(ctx SpecContext, t *framework.Target, failures []failure) []string {
	races := propertyRaces(ctx, t, failures)
	var kept, raced []string
	setAside := 0
	for _, f := range failures {
		if f.status >= 400 && races[f.requestID] {
			setAside++
			raced = append(raced, f.text)
			continue
		}
		kept = append(kept, f.text)
	}
	if setAside > 0 {
		framework.Note("%s failed (%s) with a traceback of the property protections race under its own request id: property-protections.concurrent's row", framework.Counted(setAside, "request"), framework.Summarize(raced))
	}
	return kept
}
