package suites

import (
	"context"
	"fmt"
	"os"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/reports"
)

// pipeline starts the columns in the order their specs run, at most liveColumns alive at once:
// while one column is tested the next ones start, and a column stops after its last spec.
type pipeline struct {
	eng   *engine.Engine
	cfg   *config
	prep  *prepared
	slots chan struct{}
	done  chan struct{} // closed when run has launched or settled every column
}

func newPipeline(eng *engine.Engine, cfg *config, prep *prepared) *pipeline {
	return &pipeline{eng: eng, cfg: cfg, prep: prep, slots: make(chan struct{}, liveColumns), done: make(chan struct{})}
}

// run starts each column that is to start, in order, as slots free up, one start at a time:
// starting all of a shard's first three at once on 2 cores (six with two shards) kept the first
// spec waiting over 2 minutes, where one start alone takes 30-50 s, and slowed the specs beside.
func (p *pipeline) run(ctx context.Context, cols []*column) {
	defer GinkgoRecover()
	defer close(p.done)
	for _, c := range cols {
		select {
		case <-c.ready:
			continue // settled in prepareColumns: n/a or broken before starting
		default:
		}
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			c.err = fmt.Errorf("not started: the run ended first (%v)", ctx.Err())
			c.meta.Error = c.err.Error()
			close(c.ready)
			continue
		}
		c.launched = true
		func() {
			defer close(c.ready)
			c.start(ctx, p.eng, p.cfg, p.prep)
		}()
	}
}

// enter is how every spec of a column begins: wait for the column, report its metadata once,
// and count the spec done when it ends (registered first, so it runs after the spec's other
// cleanups, which still need the column's logs).
func (c *column) enter(ctx SpecContext, p *pipeline) {
	DeferCleanup(func(ctx SpecContext) {
		if c.specsLeft.Add(-1) == 0 {
			c.finish(ctx, p.cfg)
			if c.launched {
				<-p.slots
			}
		}
	})
	select {
	case <-c.ready:
	case <-ctx.Done():
		harnessError("column %s: interrupted while waiting for it to start", c.id)
	}
	c.reported.Do(func() { AddReportEntry(reports.ColumnEntryName, c.meta, ReportEntryVisibilityNever) })
}

// stopAll stops every column still alive when the suite ends (an interrupted run, or a spec
// that never ran), after letting starts in flight end.
func (p *pipeline) stopAll(ctx context.Context, cols []*column) {
	<-p.done // the context is cancelled by now, so run returns at once; launched is settled
	for _, c := range cols {
		if !c.launched {
			continue
		}
		select {
		case <-c.ready:
		case <-time.After(3 * time.Minute):
			fmt.Fprintf(os.Stderr, "  %s: still starting at the end of the run; the runner's sweep removes it\n", c.id)
			continue
		}
		c.finish(ctx, p.cfg)
	}
}
