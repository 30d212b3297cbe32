package suites

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/glance-conformance/glance-conformance/fixtures/payload"
	"github.com/glance-conformance/glance-conformance/fixtures/websource"
	"github.com/glance-conformance/glance-conformance/harness/deploy"
	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/glanceconf"
	"github.com/glance-conformance/glance-conformance/harness/image"
	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// column is one topology on one release, started once per run.
type column struct {
	id      string
	release string
	top     *topology.Topology
	dep     *deploy.Column
	err     error
	na      string   // why the release does not provide this topology ("" when it does)
	logTail []string // the last log lines of a column that did not start
	meta    reports.Column
}

// The run's shared state, set up in BeforeSuite.
var (
	columns []*column
	shared  struct {
		payload payload.Payload
		runID   string
	}
)

// webPayloadName is the file the web-download source serves.
const webPayloadName = "payload.bin"

// startParallelism bounds how many columns start at once on this 2-core machine.
const startParallelism = 3

// defineColumns builds the spec tree: one container per column, one spec per feature.
func defineColumns(cfg *config) {
	shared.runID = cfg.runID
	for _, rel := range cfg.releases {
		for _, top := range cfg.topologies {
			col := &column{id: rel + "/" + top.Name, release: rel, top: top}
			columns = append(columns, col)
			Describe(col.id, Label(feature.TopologyLabelPrefix+top.Name, feature.ReleaseLabelPrefix+rel), func() {
				for _, s := range specs {
					defineSpec(col, s)
				}
				defineBenchmark(col)
			})
		}
	}

	BeforeSuite(func(ctx SpecContext) {
		shared.payload = payload.New(1, payload.DefaultSize)
		eng, err := engine.Connect(ctx)
		if err != nil {
			Fail(err.Error())
		}
		DeferCleanup(func(ctx SpecContext) { eng.Close() })
		selected := selectedColumns()
		startColumns(ctx, eng, cfg, selected)
		var metas []reports.Column
		for _, c := range selected {
			metas = append(metas, c.meta)
		}
		AddReportEntry(reports.ColumnsEntryName, metas, ReportEntryVisibilityNever)
		var rows []reports.Feature
		for _, f := range feature.All() {
			rows = append(rows, reports.Feature{ID: f.ID, Title: f.Title, Proves: f.Proves, Tempest: f.Tempest})
		}
		AddReportEntry(reports.FeaturesEntryName, rows, ReportEntryVisibilityNever)
		if benchmarkSelected() {
			fmt.Fprintf(os.Stderr, "  measuring the client's own throughput (%d MiB, %d rounds)\n", largeSize>>20, benchmarkRounds)
			AddReportEntry(reports.ClientThroughputEntryName, measureClientLimit(ctx), ReportEntryVisibilityNever)
		}
		DeferCleanup(func(ctx SpecContext) { stopColumns(ctx, cfg, selected) }, NodeTimeout(5*time.Minute))
	}, NodeTimeout(20*time.Minute))
}

// selectedColumns are the columns with at least one spec the label filter lets through, so a
// filter on a topology or feature starts only what it needs.
func selectedColumns() []*column {
	filter := labelFilter()
	var out []*column
	for _, c := range columns {
		for _, leaf := range leafLabels() {
			if filter(append([]string{feature.TopologyLabelPrefix + c.top.Name, feature.ReleaseLabelPrefix + c.release}, leaf)) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// benchmarkSelected tells whether any benchmark spec will run.
func benchmarkSelected() bool {
	filter := labelFilter()
	for _, c := range columns {
		if filter([]string{feature.TopologyLabelPrefix + c.top.Name, feature.ReleaseLabelPrefix + c.release, BenchmarkLabel}) {
			return true
		}
	}
	return false
}

// leafLabels are the labels of each spec a column holds: one per feature, and the benchmark.
func leafLabels() []string {
	var out []string
	for _, s := range specs {
		out = append(out, s.feature.Label())
	}
	return append(out, BenchmarkLabel)
}

func labelFilter() types.LabelFilter {
	filter, err := types.ParseLabelFilter(GinkgoLabelFilter())
	if err != nil {
		Fail("label filter: " + err.Error())
	}
	return filter
}

func startColumns(ctx context.Context, eng *engine.Engine, cfg *config, cols []*column) {
	glanceFiles := map[string]map[string][]byte{} // release -> files, derived once per image
	infos := map[string]image.Info{}
	fileErrs := map[string]error{}
	for _, rel := range cfg.releases {
		ref := cfg.images[rel]
		labels, ok, err := eng.ImageLabels(ctx, ref)
		if err == nil && !ok {
			err = fmt.Errorf("image %s is not present (make images builds it)", ref)
		}
		if err != nil {
			fileErrs[rel] = err
			continue
		}
		infos[rel] = image.InfoFromLabels(ref, labels)
		paste, err := deploy.ReadImageFile(ctx, ref, cfg.runID, "/etc/glance/glance-api-paste.ini")
		if err == nil {
			var trusted string
			trusted, err = glanceconf.AddTrustedFlavor(string(paste))
			glanceFiles[rel] = map[string][]byte{"/etc/glance/glance-api-paste.ini": []byte(trusted)}
		}
		fileErrs[rel] = err
	}
	releases := map[string]topology.Release{}
	all, releasesErr := topology.LoadReleases(cfg.deployments)
	for _, r := range all {
		releases[r.Suite] = r
	}
	base, baseErr := topology.BaseGlanceConf(cfg.deployments)
	baseFiles, baseFilesErr := topology.BaseGlanceFiles(cfg.deployments)
	services, servicesErr := baseServices(cfg.deployments)

	probed := map[string]bool{} // image + path -> present
	sem := make(chan struct{}, startParallelism)
	var wg sync.WaitGroup
	for _, c := range cols {
		c.meta = reports.Column{ID: c.id, Topology: c.top.Name, Release: c.release, Description: c.top.Description, Servers: map[string]string{}}
		info := infos[c.release]
		c.meta.Image = info.Tag
		c.meta.GlanceVersion = image.UpstreamVersion(info.Versions["glance"])
		if c.na = missingNeed(ctx, cfg, c, info.Tag, probed); c.na != "" {
			c.meta.NotApplicable = c.na
			continue
		}
		serversErr := c.readServerVersions(info)
		if err := firstErr(fileErrs[c.release], releasesErr, baseErr, baseFilesErr, servicesErr, serversErr); err != nil {
			c.err = err
			c.meta.Error = err.Error()
			continue
		}
		wg.Add(1)
		go func(c *column) {
			defer wg.Done()
			defer GinkgoRecover()
			sem <- struct{}{}
			defer func() { <-sem }()
			c.start(ctx, eng, cfg, info, releases[c.release], base, merged(baseFiles, glanceFiles[c.release]), services)
		}(c)
	}
	wg.Wait()
}

// missingNeed checks the topology's needs against the release's image and says why the
// topology does not exist there, or "" when it does. A failed check is a harness error of the
// column, reported when its specs run.
func missingNeed(ctx context.Context, cfg *config, c *column, image string, probed map[string]bool) string {
	for _, n := range c.top.Needs {
		key := image + " " + n.Path
		present, ok := probed[key]
		if !ok {
			var err error
			if present, err = deploy.ImageHasFile(ctx, image, cfg.runID, n.Path); err != nil {
				c.err = err
				c.meta.Error = err.Error()
				return ""
			}
			probed[key] = present
		}
		if !present {
			return fmt.Sprintf("%s has no %s: %s", c.release, n.Path, n.Why)
		}
	}
	return ""
}

// merged returns the files of both maps; b wins where both have a path.
func merged(a, b map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(a)+len(b))
	for _, m := range []map[string][]byte{a, b} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// alwaysServers run in every column: the interpreter and the database.
var alwaysServers = []string{"python", "mariadb"}

// readServerVersions fills the column's server versions from the image's labels, for the
// servers the topology names; a name the image has no version for is an error of the descriptor.
func (c *column) readServerVersions(info image.Info) error {
	for _, name := range append(append([]string{}, c.top.Servers...), alwaysServers...) {
		v, ok := info.Versions[name]
		if !ok {
			if info.Tag == "" {
				return nil // the image itself is missing; that error is reported instead
			}
			return fmt.Errorf("topology %s names server %q, for which image %s records no version", c.top.Name, name, info.Tag)
		}
		c.meta.Servers[name] = v
	}
	return nil
}

// baseServices are the service containers of deployments/base/services.yaml (the database).
func baseServices(root string) ([]deploy.Extra, error) {
	s, err := topology.LoadServices(root)
	if err != nil {
		return nil, err
	}
	var extras []deploy.Extra
	for _, c := range s.Containers {
		files, err := c.ReadFiles(s.Dir)
		if err != nil {
			return nil, err
		}
		extras = append(extras, deploy.Extra{Container: c, Files: files})
	}
	return extras, nil
}

func (c *column) start(ctx context.Context, eng *engine.Engine, cfg *config, info image.Info, rel topology.Release, base string, releaseFiles map[string][]byte, services []deploy.Extra) {
	files := map[string][]byte{}
	for k, v := range releaseFiles {
		files[k] = v
	}
	overrides, err := c.top.GlanceOverrides()
	if err == nil {
		var conf string
		conf, err = glanceconf.RenderAPIConf(base, rel.GlanceConf, overrides)
		files["/etc/glance/glance-api.conf"] = []byte(conf)
	}
	if err == nil {
		err = saveConfigs(filepath.Join(cfg.out, "logs", c.id, "config"), files)
	}
	if err != nil {
		c.err, c.meta.Error = err, err.Error()
		return
	}
	dep, err := deploy.Start(ctx, eng, c.top, deploy.Options{
		ColumnID:     c.id,
		RunID:        cfg.runID,
		Image:        info.Tag,
		GlanceFiles:  files,
		Placeholders: rel.Placeholders,
		Extras:       append(append([]deploy.Extra{}, services...), websource.Container(map[string][]byte{webPayloadName: shared.payload.Data})),
		Progress:     func(f string, a ...any) { fmt.Fprintf(os.Stderr, "  "+f+"\n", a...) },
	})
	c.dep = dep
	c.meta.Endpoint = dep.Endpoint()
	c.meta.StartSeconds = float64(dep.StartedIn.Milliseconds()) / 1000
	if err != nil {
		c.err, c.meta.Error = err, err.Error()
		for name, logs := range dep.LogsSince(ctx, time.Time{}) {
			for _, l := range lastLines(logs, 15) {
				c.logTail = append(c.logTail, "log "+name+": "+l)
			}
		}
		fmt.Fprintf(os.Stderr, "  %s: did not start: %v\n", c.id, err)
	}
}

func stopColumns(ctx context.Context, cfg *config, cols []*column) {
	for _, c := range cols {
		if c.dep == nil {
			continue
		}
		// Saved also when the run was interrupted, whose context is cancelled by then.
		saveCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		err := c.dep.SaveLogs(saveCtx, filepath.Join(cfg.out, "logs", c.id))
		cancel()
		if err != nil {
			fmt.Fprintf(os.Stderr, "  %s: saving logs: %v\n", c.id, err)
		}
		if cfg.keep {
			fmt.Fprintf(os.Stderr, "  %s: kept running at %s (make clean removes it)\n", c.id, c.dep.Endpoint())
			continue
		}
		if err := c.dep.Stop(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintf(os.Stderr, "  %s: stopping: %v\n", c.id, err)
		}
	}
}

func saveConfigs(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for path, b := range files {
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(path)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func lastLines(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
