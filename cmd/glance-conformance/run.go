package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/hostlock"
	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/runconfig"
)

type runOptions struct {
	topologies, releases, features, labelFilter string
	out, deployments, suiteBinary               string
	images                                      imageOptions
	claims, baseline                            string
	disagreements                               string
	ginkgo                                      string
	keep                                        bool
	list                                        bool
	rerunFailed                                 string
	procs                                       int
	identity                                    string
	tempest                                     string
}

func runCmd(args []string) error {
	var o runOptions
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&o.topologies, "topologies", "", "comma-separated topologies (default: every folder under deployments/)")
	fs.StringVar(&o.releases, "releases", "", "comma-separated Debian releases (default: every release in deployments/base/releases.yaml)")
	fs.StringVar(&o.features, "features", "", "comma-separated feature ids (default: all)")
	fs.StringVar(&o.labelFilter, "label-filter", "", "Ginkgo label filter, e.g. 'feature:upload.chunked || topology:mod_wsgi'")
	fs.StringVar(&o.out, "out", "out", "output folder")
	fs.StringVar(&o.deployments, "deployments", "deployments", "folder of topology descriptors")
	fs.StringVar(&o.suiteBinary, "suite", ".bin/suites.test", "the compiled suite (go test -c ./suites)")
	o.images.register(fs)
	fs.StringVar(&o.claims, "claims", "fixtures/claims.yaml", "the document's claims to compare the matrix with")
	fs.StringVar(&o.disagreements, "disagreements", "fixtures/tempest/disagreements.yaml", "why Tempest and the matrix disagree where they do (with --tempest)")
	fs.StringVar(&o.baseline, "baseline", "", "a matrix.json to compare with: regressions (a cell that passed there and not now) exit 3")
	fs.StringVar(&o.rerunFailed, "rerun-failed", "", "a matrix.json: run again only its cells that failed or errored, and write it with them replaced (the selection comes from it)")
	fs.BoolVar(&o.list, "list", false, "print the cells the selection picks and stop (nothing is built or started)")
	fs.BoolVar(&o.keep, "keep", false, "leave the containers running for inspection (make clean removes them)")
	fs.StringVar(&o.ginkgo, "ginkgo", ".bin/ginkgo", "Ginkgo's CLI, which runs the suite's processes (go build github.com/onsi/ginkgo/v2/ginkgo)")
	fs.StringVar(&o.identity, "identity", "", "how the columns' clients identify themselves: empty for the trusted headers, or \"keystone\": one Keystone for the run, tokens checked by keystonemiddleware in every column")
	fs.StringVar(&o.tempest, "tempest", "", "also run Tempest's tests matching this regex against each column, after its features, and set its verdicts beside the matrix's (needs --identity keystone)")
	fs.IntVar(&o.procs, "procs", 3, "Ginkgo processes testing columns side by side (ginkgo --procs; benchmarks still run one at a time; 3 measured fastest on 2 cores)")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("run takes no arguments, got %q", fs.Args())
	}
	if o.procs < 1 {
		return usagef("--procs must be at least 1, got %d", o.procs)
	}
	if o.identity != "" && o.identity != runconfig.IdentityKeystone {
		return usagef("--identity %q: want %q, or nothing for the trusted headers", o.identity, runconfig.IdentityKeystone)
	}
	if o.tempest != "" {
		if o.identity != runconfig.IdentityKeystone {
			return usagef("--tempest needs --identity keystone: Tempest signs in through Keystone")
		}
		if _, err := regexp.Compile(o.tempest); err != nil {
			return usagef("--tempest %q: %v", o.tempest, err)
		}
	}

	// Everything the user can get wrong is checked before anything starts.
	tops, err := topology.Select(o.deployments, o.topologies)
	if err != nil {
		return usagef("%v", err)
	}
	suites, err := parseReleases(o.deployments, o.releases)
	if err != nil {
		return err
	}
	claims, err := reports.LoadClaims(o.claims)
	if err != nil {
		return usagef("claims: %v", err)
	}
	var explanations []reports.Explanation
	if o.tempest != "" {
		if explanations, err = reports.LoadExplanations(o.disagreements); err != nil {
			return usagef("disagreements: %v", err)
		}
	}
	var baseline *reports.Matrix
	if o.baseline != "" {
		if baseline, err = reports.ReadJSON(o.baseline); err != nil {
			return usagef("baseline: %v", err)
		}
	}
	filter, err := feature.LabelFilter(o.features)
	if err != nil {
		return usagef("%v", err)
	}
	if filter != "" && o.tempest != "" { // some features, and each column's Tempest run
		filter += " || " + feature.TempestLabel
	}
	filter = andFilters(filter, o.labelFilter)
	var earlier *reports.Matrix
	if o.rerunFailed != "" {
		if o.features != "" || o.labelFilter != "" || o.topologies != "" || o.releases != "" {
			return usagef("--rerun-failed takes its selection from the matrix: give no --features, --label-filter, --topologies or --releases with it")
		}
		if earlier, err = reports.ReadJSON(o.rerunFailed); err != nil {
			return usagef("rerun-failed: %v", err)
		}
		if inside(o.rerunFailed, o.out) {
			return usagef("--rerun-failed %s is inside the output folder %s, which the rerun empties: write the rerun to another folder (both runs' evidence is kept that way)", o.rerunFailed, o.out)
		}
		failed := earlier.Rerunnable()
		if bad := unrunnable(failed, o.deployments); len(bad) > 0 {
			return usagef("--rerun-failed: %d cells of %s cannot be run again here: %s", len(bad), o.rerunFailed, strings.Join(bad, "; "))
		}
		if len(failed) == 0 {
			fmt.Printf("%s has no failed or errored cell: nothing to rerun\n", o.rerunFailed)
			return nil
		}
		if o.identity != "" {
			return usagef("--rerun-failed runs with the identity of the matrix it reruns: give no --identity with it")
		}
		o.identity = earlier.Identity()
		var topNames, relNames []string
		filter, topNames, relNames = rerunSelection(failed)
		if tops, err = topology.Select(o.deployments, strings.Join(topNames, ",")); err != nil {
			return usagef("rerun-failed: %v", err)
		}
		if suites, err = parseReleases(o.deployments, strings.Join(relNames, ",")); err != nil {
			return err
		}
	}
	// A rerun reuses the earlier run's images, so that its cells and the earlier ones tested the
	// same packages.
	if err := o.images.check(o.deployments, earlier); err != nil {
		return err
	}
	cells, err := selectedCells(suites, tops, filter, o.tempest != "")
	if err != nil {
		return usagef("%v", err)
	}
	if len(cells) == 0 {
		return usagef("the selection picks no cell (releases %s, topologies %s, label filter %q): check the labels against --list without --label-filter", strings.Join(suites, ","), topologyNames(tops), filter)
	}
	if o.list {
		printCells(cells)
		return nil
	}
	if _, err := os.Stat(o.suiteBinary); err != nil || !strings.HasSuffix(o.suiteBinary, ".test") {
		return usagef("suite binary %s missing (Ginkgo's CLI runs a compiled suite named *.test): build it with `go test -c -o %s ./suites` (make conformance does)", o.suiteBinary, o.suiteBinary)
	}
	if _, err := os.Stat(o.ginkgo); err != nil {
		return usagef("Ginkgo's CLI %s missing: build it with `go build -o %s github.com/onsi/ginkgo/v2/ginkgo` (make conformance does)", o.ginkgo, o.ginkgo)
	}

	if _, err := o.images.recipes(suites, false); err != nil {
		return err
	}
	// Before anything is built or started: a folder we may not empty ends the run at once.
	if err := prepareOutput(o.out); err != nil {
		return err
	}
	ctx, eng, done, err := openEngine()
	if err != nil {
		return err
	}
	defer done()

	started := time.Now()
	infos, err := ensureImages(ctx, eng, suites, o.images)
	if err != nil {
		return err
	}
	imageBuild := time.Since(started)

	runID := newRunID()
	names := make([]string, len(tops))
	for i, t := range tops {
		names[i] = t.Name
	}
	deployments, _ := filepath.Abs(o.deployments)
	out, _ := filepath.Abs(o.out)
	procs := min(o.procs, len(tops)*len(suites))
	run := runconfig.Run{ID: runID, Deployments: deployments, Out: out, Keep: o.keep, Topologies: names, Identity: o.identity, Tempest: o.tempest,
		Progress: filepath.Join(out, "progress.log"), Registry: o.images.registry, Push: o.images.push}
	if procs > 1 {
		run.HostLock = filepath.Join(out, "host.lock")
	}
	for _, s := range suites {
		run.Releases = append(run.Releases, runconfig.Release{Name: s, Image: infos[s].Tag})
	}
	config := filepath.Join(out, runconfig.FileName)
	if err := run.Write(config); err != nil {
		return err
	}
	binary, _ := filepath.Abs(o.suiteBinary)
	cliArgs := []string{"run", fmt.Sprintf("--procs=%d", procs),
		// Ginkgo stops a run after one hour unless told otherwise; the full matrix takes longer,
		// and a run cut short must never pass for a complete one (specs bound themselves).
		"--timeout=24h", "--no-color", "--succinct",
		"--output-dir=" + out, "--json-report=ginkgo-report.json", "--junit-report=junit.xml"}
	if filter != "" {
		cliArgs = append(cliArgs, "--label-filter="+filter)
	}
	cliArgs = append(cliArgs, binary, "--",
		"-test.run=^TestConformance$", // the binary also holds the package's unit tests
		"-run-config="+config)
	fmt.Fprintf(os.Stderr, "run %s: %d topologies x %d releases in %d Ginkgo processes, output in %s\n", runID, len(tops), len(suites), procs, o.out)
	signal.Reset(os.Interrupt, syscall.SIGTERM) // from here on, signals are runGinkgo's to handle
	interrupted, suiteErr := runGinkgo(o.ginkgo, cliArgs, filepath.Join(o.out, "run.log"), run.Progress)
	hostlock.New(run.HostLock).Remove()
	if !o.keep {
		sweepRun(eng, runID)
	}
	err = writeReports(o.out, evaluation{runID, columnIDs(suites, names), claims, baseline, o.baseline, earlier, o.deployments, explanations}, suiteErr, time.Since(started), imageBuild)
	if interrupted {
		return resultError{fmt.Sprintf("interrupted: the matrix in %s is partial; containers removed", o.out), 1}
	}
	return err
}

// sweepRun removes what the run left on the engine: the suite removes what it starts, and this
// catches what an interrupted suite could not.
func sweepRun(eng *engine.Engine, runID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if n, err := eng.Sweep(ctx, engine.RunLabel, runID); err != nil || n > 0 {
		fmt.Fprintf(os.Stderr, "cleanup: removed %d leftover objects of run %s (%v)\n", n, runID, err)
	}
}

// writeReports builds matrix.json and matrix.md from Ginkgo's report and picks the exit status.
// evaluation is what the matrix is compared with after the run.
type evaluation struct {
	runID        string
	columnOrder  []string // release/topology ids in the order the run defined them
	claims       []reports.Claim
	baseline     *reports.Matrix // nil without --baseline
	baselinePath string
	earlier      *reports.Matrix // the matrix a --rerun-failed run folds its cells into
	deployments  string          // the topology folders, for how to fix a failed cell
	// explanations say why Tempest and the matrix disagree where they do (make crosscheck).
	explanations []reports.Explanation
}

func writeReports(out string, ev evaluation, suiteErr error, took, imageBuild time.Duration) error {
	rep, err := reports.ReadGinkgoReport(filepath.Join(out, "ginkgo-report.json"))
	if err != nil {
		return fmt.Errorf("the suite wrote no report (%v); its output is in %s", suiteErr, filepath.Join(out, "run.log"))
	}
	// A suite that stopped early (timeout, interrupt, a failed BeforeSuite) left specs unrun:
	// the matrix is incomplete, which is the harness's failure, not a result.
	var stopped []string
	for _, r := range rep {
		stopped = append(stopped, r.SpecialSuiteFailureReasons...)
	}
	m, err := reports.Build(rep, time.Now())
	if err != nil {
		return err
	}
	m.RunID = ev.runID
	m.Tool = toolVersion()
	m.OrderColumns(ev.columnOrder)
	var foldErr error
	if ev.earlier != nil && len(m.Cells) > 0 {
		// An interrupted rerun lacks cells: its own cells are written unfolded, and it says so.
		if folded, err := reports.WithRerun(ev.earlier, m); err != nil {
			foldErr = fmt.Errorf("the rerun's cells were not folded into the earlier matrix (%v): matrix.json holds the rerun's own cells only", err)
		} else {
			m = folded
			if m.RerunOf == "" {
				m.RerunOf = "an earlier run"
			}
		}
	}
	m.AddNearestPasses(columnFiles(ev.deployments, out, m))
	m.Claims = m.EvaluateClaims(ev.claims)
	m.Crosscheck = m.CompareTempest(ev.explanations)
	if ev.baseline != nil {
		m.Comparison = m.Compare(ev.baseline, ev.baselinePath)
	}
	if len(m.Cells) == 0 {
		// Ginkgo's CLI writes an empty report when a parallel process died before reporting.
		return fmt.Errorf("no cell was produced: the selection matched no spec, or the suite stopped early (Ginkgo: %v; see %s)", suiteErr, filepath.Join(out, "run.log"))
	}
	if err := m.WriteJSON(filepath.Join(out, "matrix.json")); err != nil {
		return err
	}
	if err := writeRenderings(m, out); err != nil {
		return err
	}
	s := m.Summarize()
	st := status(s)
	if len(stopped) > 0 {
		st = "incomplete: the suite stopped early (" + strings.Join(stopped, "; ") + ")"
	}
	fmt.Printf("\nStatus: %s\nTotal: %d  Passed: %d  Failed: %d  Skipped: %d  Errors: %d  N/A: %d\n",
		st, s.Total, s.Passed, s.Failed, s.Skipped, s.Errors, s.NotApplicable)
	for _, line := range failedLines(m) {
		fmt.Println(line)
	}
	fmt.Printf("Run time: %s (image check/build %s). Matrix: %s\n", took.Round(time.Second), imageBuild.Round(time.Second), filepath.Join(out, "matrix.md"))
	if c := m.Comparison; c != nil {
		fmt.Printf("Compared with %s: %d new failures, %d new passes\n", c.Baseline, len(c.NewFailures), len(c.NewPasses))
		for _, l := range c.Lines() {
			fmt.Println("  " + l)
		}
	}
	if foldErr != nil {
		fmt.Println(foldErr)
	}
	if len(stopped) > 0 {
		return resultError{fmt.Sprintf("the suite stopped early (%s): the matrix in %s is incomplete", strings.Join(stopped, "; "), out), 1}
	}
	if foldErr != nil {
		return resultError{foldErr.Error(), 1}
	}
	if s.Errors > 0 {
		return resultError{fmt.Sprintf("%d cells could not be tested (harness errors): see %s", s.Errors, filepath.Join(out, "matrix.md")), 1}
	}
	if m.Comparison != nil && m.Comparison.Regressed() {
		return resultError{fmt.Sprintf("%d regressions against %s", len(m.Comparison.NewFailures), m.Comparison.Baseline), 3}
	}
	return nil
}

// failedLines lists the failed and errored cells, one line each, except that the cells of a
// column sharing one reason (a column that did not start) fold into one line.
func failedLines(m *reports.Matrix) []string {
	type key struct {
		result reports.Result
		column string
		reason string
	}
	var order []key
	features := map[key][]string{}
	for _, c := range m.Cells {
		if c.Result != reports.Fail && c.Result != reports.Error {
			continue
		}
		k := key{c.Result, c.Column, c.Reason}
		if _, ok := features[k]; !ok {
			order = append(order, k)
		}
		features[k] = append(features[k], c.Feature)
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].column < order[j].column })
	var lines []string
	for _, k := range order {
		what := features[k][0]
		if n := len(features[k]); n > 1 {
			what = fmt.Sprintf("%d features", n)
		}
		lines = append(lines, fmt.Sprintf("  %-5s %s %s: %s", k.result, k.column, what, truncate(k.reason, 140)))
	}
	return lines
}

func status(s reports.Summary) string {
	switch {
	case s.Errors > 0:
		return "harness errors"
	case s.Failed > 0:
		return "complete, with failed cells"
	default:
		return "complete, all passed"
	}
}

func andFilters(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	default:
		return "(" + a + ") && (" + b + ")"
	}
}

// rerunSelection is the label filter that picks exactly the given cells (one term per column,
// so that a large rerun stays a short argument), and the topologies and releases they are in.
func rerunSelection(cells []reports.Cell) (filter string, topologies, releases []string) {
	var order []string
	features := map[string][]string{}
	tops, rels := map[string]bool{}, map[string]bool{}
	for _, c := range cells {
		if features[c.Column] == nil {
			order = append(order, c.Column)
		}
		features[c.Column] = append(features[c.Column], feature.LabelPrefix+c.Feature)
		rel, top, _ := strings.Cut(c.Column, "/")
		tops[top], rels[rel] = true, true
	}
	var sel []string
	for _, col := range order {
		rel, top, _ := strings.Cut(col, "/")
		sel = append(sel, fmt.Sprintf("(%s%s && %s%s && (%s))", feature.TopologyLabelPrefix, top, feature.ReleaseLabelPrefix, rel, strings.Join(features[col], " || ")))
	}
	return strings.Join(sel, " || "), slices.Sorted(maps.Keys(tops)), slices.Sorted(maps.Keys(rels))
}

// unrunnable names the cells of an earlier matrix this checkout cannot run again: a feature it
// no longer has, a topology not under deployments/ (a certified cloud's column, say).
func unrunnable(cells []reports.Cell, deployments string) []string {
	var out []string
	for _, c := range cells {
		_, top, _ := strings.Cut(c.Column, "/")
		if _, err := feature.Lookup(c.Feature); err != nil {
			out = append(out, fmt.Sprintf("%s on %s (no such feature here)", c.Feature, c.Column))
		} else if _, err := topology.Select(deployments, top); err != nil {
			out = append(out, fmt.Sprintf("%s on %s (no topology %s here)", c.Feature, c.Column, top))
		}
	}
	return out
}

// columnFiles reads each column's configuration for how to fix a failed cell: the files of its
// topology folder (but its README) and the Glance configuration rendered for it, which the run
// saved under logs/<column>/config/. A column with neither is left out.
func columnFiles(deployments, out string, m *reports.Matrix) map[string]reports.ColumnFiles {
	files := map[string]reports.ColumnFiles{}
	for _, col := range m.Columns {
		cf := reports.ColumnFiles{}
		read := func(dir, prefix string) {
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.IsDir() || e.Name() == "README.md" {
					continue
				}
				if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
					cf[prefix+e.Name()] = string(b)
				}
			}
		}
		read(filepath.Join(deployments, col.Topology), "")
		read(filepath.Join(out, "logs", col.ID, "config"), "glance/")
		if len(cf) > 0 {
			files[col.ID] = cf
		}
	}
	return files
}

// inside tells whether path is in dir (or is dir).
func inside(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func topologyNames(tops []*topology.Topology) string {
	names := make([]string, len(tops))
	for i, t := range tops {
		names[i] = t.Name
	}
	return strings.Join(names, ",")
}

// columnIDs are the run's columns in the order the suite defines them: release by release.
func columnIDs(releases, topologies []string) []string {
	var ids []string
	for _, r := range releases {
		for _, t := range topologies {
			ids = append(ids, reports.ColumnID(r, t))
		}
	}
	return ids
}

func newRunID() string {
	b := make([]byte, 3)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// writeRenderings writes matrix.md, matrix.html and matrix.svg into dir.
func writeRenderings(m *reports.Matrix, dir string) error {
	for name, write := range map[string]func(io.Writer) error{"matrix.md": m.WriteMarkdown, "matrix.html": m.WriteHTML, "matrix.svg": m.WriteSVG} {
		if err := writeFile(filepath.Join(dir, name), write); err != nil {
			return err
		}
	}
	return nil
}

// writeFile creates path and fills it with write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
