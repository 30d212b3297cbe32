package framework

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/runconfig"
)

// spec is a feature's test body, run once per column.
type spec struct {
	feature feature.Feature
	body    func(ctx SpecContext, t *Target)
}

var specs []spec

// Conformance declares a feature (a row of the matrix: id, title, what a pass proves, the
// Tempest tests covering it, what certifying a cloud on it needs) and registers its spec. The
// declarations are the source of suites/feature/features.yaml (make features); a second spec
// for one id panics while the suite is being defined, before anything runs.
func Conformance(f feature.Feature, body func(ctx SpecContext, t *Target)) bool {
	for _, s := range specs {
		if s.feature.ID == f.ID {
			panic(fmt.Sprintf("feature %s has two specs", f.ID))
		}
	}
	specs = append(specs, spec{feature: f, body: body})
	return true
}

// specTimeout bounds one spec's body; requests and waits inside have shorter bounds of their
// own. A NodeTimeout, not a SpecTimeout: the latter would also bound its column's start and
// stop, which Ginkgo runs with the first and last spec (startTimeout bounds those).
const specTimeout = 6 * time.Minute

func defineSpec(col *column, s spec) {
	It(s.feature.ID+": "+s.feature.Title, Label(s.feature.Label()), func(ctx SpecContext) {
		AddReportEntry(reports.CellEntryName, reports.CellEntry{
			Feature: reports.Feature{ID: s.feature.ID, Title: s.feature.Title, Proves: s.feature.Proves, Tempest: s.feature.Tempest},
			Column:  col.id,
		}, ReportEntryVisibilityNever)
		if col.na != "" {
			AddReportEntry(reports.NotApplicableEntryName, col.na, ReportEntryVisibilityNever)
			Skip(col.na)
		}
		if col.err != nil {
			AddReportEntry(reports.EvidenceEntryName, reports.EvidenceEntry{Logs: col.logTail}, ReportEntryVisibilityNever)
			HarnessError("column %s did not start: %v", col.id, col.err)
		}
		release, err := shared.cfg.lock.Shared(ctx)
		if err != nil {
			HarnessError("%v", err)
		}
		DeferCleanup(release) // after the spec's own cleanups, which still send requests
		if why := col.certificationSkip(s.feature); why != "" {
			Skip(why)
		}
		t := newTarget(col, s.feature)
		DeferCleanup(t.finish) // last of all: after the cleanups' and the probe's requests
		DeferCleanup(t.recordEvidenceOnFailure)
		// Runs before the evidence is recorded (cleanups run last in, first out), so that a
		// failure of its own gets the evidence too.
		DeferCleanup(t.keepAnswering, NodeTimeout(restartTimeout+2*probeTimeout))
		s.body(ctx, t)
	}, NodeTimeout(specTimeout))
}

// HarnessError ends a spec as an error of ours (not a finding about Glance).
func HarnessError(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	AddReportEntry(reports.HarnessErrorEntryName, msg, ReportEntryVisibilityNever)
	Fail(msg, 1)
}

// Progress: one line per spec that ran. Run alone, the suite numbers them on stderr; under the
// command, every Ginkgo process appends them to the run's progress file (the CLI keeps a
// parallel process's own output until it ends), and the command numbers and shows them.
var (
	specsToRun int
	specsDone  atomic.Int32
	runStarted = time.Now()
)

var _ = ReportBeforeSuite(func(r Report) { // on process 1 only, before any spec
	specsToRun = r.PreRunStats.SpecsThatWillRun
	progress(fmt.Sprintf("%s%d", runconfig.ProgressTotal, specsToRun))
})

var _ = ReportAfterEach(func(r SpecReport) {
	if r.State.Is(types.SpecStateSkipped) && r.RunTime == 0 {
		return // left out by the label filter
	}
	result := "pass"
	switch {
	case r.State.Is(types.SpecStateSkipped):
		result = "skip"
		for _, e := range r.ReportEntries {
			if e.Name == reports.NotApplicableEntryName {
				result = "n/a"
			}
		}
	case r.State.Is(types.SpecStateFailed | types.SpecStateTimedout):
		result = "FAIL: " + firstLine(r.Failure.Message)
		for _, e := range r.ReportEntries {
			if e.Name == reports.HarnessErrorEntryName {
				result = "ERROR: " + firstLine(r.Failure.Message)
			}
		}
	case r.State.Is(types.SpecStatePanicked | types.SpecStateInterrupted | types.SpecStateAborted):
		result = "ERROR: " + r.State.String() + ": " + firstLine(r.Failure.Message)
	}
	progress(fmt.Sprintf("%s %s: %s (%.1fs)", r.ContainerHierarchyTexts[len(r.ContainerHierarchyTexts)-1],
		firstWord(r.LeafNodeText), Truncate(result, 160), reports.CellTime(r).Seconds()))
})

// progress shows one spec's line: appended to the progress file in one write (lines of
// several processes do not mix), or numbered on stderr.
func progress(line string) {
	if shared.cfg == nil || shared.cfg.Progress == "" {
		if !strings.HasPrefix(line, runconfig.ProgressTotal) {
			fmt.Fprintf(os.Stderr, "[%d/%d %s] %s\n", specsDone.Add(1), specsToRun, time.Since(runStarted).Round(time.Second), line)
		}
		return
	}
	appendProgress(line)
}

// statusf shows a line about the run rather than a spec (a column starting, stopping), the
// same way; the command shows such lines, which start with two spaces, as they are.
func statusf(format string, args ...any) {
	line := "  " + fmt.Sprintf(format, args...)
	if shared.cfg == nil || shared.cfg.Progress == "" {
		fmt.Fprintln(os.Stderr, line)
		return
	}
	appendProgress(line)
}

func appendProgress(line string) {
	f, err := os.OpenFile(shared.cfg.Progress, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "progress: %v\n", err)
		return
	}
	defer f.Close()
	f.WriteString(line + "\n")
}

// statusWriter passes what a step writes (an image build's lines) on as status lines.
type statusWriter struct{}

func (statusWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		statusf("%s", strings.TrimLeft(line, " "))
	}
	return len(p), nil
}
