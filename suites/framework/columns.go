package framework

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"github.com/gophercloud/gophercloud/v2"
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
	"github.com/glance-conformance/glance-conformance/harness/evidence"
	"github.com/glance-conformance/glance-conformance/harness/glanceconf"
	"github.com/glance-conformance/glance-conformance/harness/identity"
	"github.com/glance-conformance/glance-conformance/harness/image"
	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// column is one topology on one release, started once per run.
type column struct {
	id      string
	release string
	top     *topology.Topology
	dep     deploy.Deployment
	err     error
	// Certification (certify.go): the accounts playing each part, and the cloud's TLS settings.
	// parts is nil on columns that use the trusted identity headers; with Keystone (identity.go)
	// and on a certified cloud it holds the signed-in accounts.
	parts map[string]imageapi.Identity
	// certifying: the run certifies this column, so server-side setup of ours is not assumed.
	certifying bool
	// glanceConf is the glance-api.conf the column's Glance runs with (nil on a certified cloud).
	glanceConf *glanceconf.INI
	tls        *tls.Config
	na         string   // why the release does not provide this topology ("" when it does)
	logTail    []string // the last log lines of a column that did not start
	meta       reports.Column
	// restarts counts the restarts after a spec left the server unable to answer (liveness.go).
	restarts int
	// unprobed: the liveness probe already failed on the fresh column (liveness.go), so specs
	// are not followed by it: none of them could have caused what was there before it.
	unprobed bool
	// settled: prepareColumns found it n/a or broken, so it will not start.
	settled  bool
	finished sync.Once // logs saved and containers stopped once
}

// The run's shared state, set up in BeforeSuite.
var (
	columns []*column
	shared  struct {
		payload payload.Payload
		eng     *engine.Engine
		cfg     *config
		prep    *prepared
		// identity is the run's Keystone, when a column uses it (identity.go).
		identity identity.Service
	}
)

// The files the web-download source serves: the payload (raw), and an empty qcow2 image for
// clients that import a URL declared qcow2 (Tempest 47's web-download test: Glance's import
// format check refuses raw data under that name).
const (
	WebPayloadName = "payload.bin"
	WebQCOW2Name   = "empty.qcow2"
)

// startTimeout bounds a column's start: images extended on first use, containers, readiness.
const startTimeout = 15 * time.Minute

// defineColumns builds the spec tree: one Ordered container per column, one spec per feature
// in it. Ginkgo runs a column's specs in order, in one process, and with --procs hands the
// columns out to its processes as each finishes one (in the columns' sorted order: they sit
// in one plain container, which Ginkgo does not shuffle). A column starts in its BeforeAll,
// which Ginkgo runs before the first of its specs the filters select, and stops in the cleanup
// BeforeAll registers, which Ginkgo runs after the last one's own cleanups (an AfterAll would
// run before them). ContinueOnFailure keeps a failed cell from skipping the rest.
func defineColumns(cfg *config) {
	shared.cfg = cfg
	Describe("matrix", func() {
		for _, rel := range cfg.releases {
			for _, top := range cfg.topologies {
				col := &column{id: reports.ColumnID(rel, top.Name), release: rel, top: top, certifying: cfg.Certify != nil}
				columns = append(columns, col)
				Describe(col.id, Ordered, ContinueOnFailure, Label(feature.TopologyLabelPrefix+top.Name, feature.ReleaseLabelPrefix+rel), func() {
					// Never fails: a column that does not start is each spec's error (or n/a) to
					// report, cell by cell, where a failed BeforeAll would skip them unexplained.
					BeforeAll(col.begin, NodeTimeout(startTimeout+2*time.Minute))
					for _, s := range specs {
						defineSpec(col, s)
					}
					defineBenchmark(col)
					if cfg.Tempest != "" {
						defineTempest(col)
					}
				})
			}
		}
	})

	SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
		// Process 1, before any process runs a spec: the machine is still quiet.
		if benchmarkSelected() {
			statusf("measuring the client's own throughput (%d MiB, %d rounds)", benchmarkSize>>20, benchmarkRounds)
			AddReportEntry(reports.ClientThroughputEntryName, measureClientLimit(ctx), ReportEntryVisibilityNever)
		}
		return startIdentity(ctx, cfg)
	}, func(ctx SpecContext, keystone []byte) {
		if len(keystone) > 0 {
			if err := json.Unmarshal(keystone, &shared.identity); err != nil {
				Fail("the run's Keystone: " + err.Error())
			}
		}
		shared.payload = payload.New(1, payload.DefaultSize)
		var eng *engine.Engine
		if !cfg.ExistingCloud() { // an existing cloud needs no Docker
			var err error
			if eng, err = engine.Connect(ctx); err != nil {
				Fail(err.Error())
			}
			DeferCleanup(func(ctx SpecContext) { eng.Close() })
		}
		selected := selectedColumns()
		prep := prepareColumns(ctx, eng, cfg, selected)
		if GinkgoParallelProcess() == 1 { // the run's rows and columns, once
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
		}
		shared.eng, shared.prep = eng, prep
		// A column still running when the suite ends (an interrupted run) is stopped here; its
		// own cleanup has usually done so already.
		DeferCleanup(func(ctx SpecContext) {
			for _, c := range selected {
				c.finish(ctx, cfg)
			}
		}, NodeTimeout(10*time.Minute))
	}, NodeTimeout(20*time.Minute))
}

// selectedColumns are the columns with at least one spec the label filter lets through: those
// are prepared, and listed in the matrix. Which of them start is Ginkgo's to decide (BeforeAll
// runs only where a spec runs), so other filters (focus, skip) start no column in vain.
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

// begin is the column's BeforeAll: start it (unless prepareColumns settled it as n/a or
// broken), report its metadata with its first spec, and stop it when its last spec is done. A
// start that fails or takes longer than startTimeout is the column's error, which each of its
// specs reports: BeforeAll itself never fails, or Ginkgo would skip the specs unexplained.
func (c *column) begin(ctx SpecContext) {
	// Registered first, so that a start cut short is stopped too; Ginkgo runs it after the last
	// spec's cleanups, which still send requests and read logs (an AfterAll would run before).
	DeferCleanup(func(ctx SpecContext) { c.finish(ctx, shared.cfg) }, NodeTimeout(5*time.Minute))
	if !c.settled {
		sctx, cancel := context.WithTimeout(ctx, startTimeout)
		c.start(sctx, shared.eng, shared.cfg, shared.prep)
		cancel()
		if c.err != nil && sctx.Err() == context.DeadlineExceeded {
			c.err = fmt.Errorf("did not start within %s: %w", startTimeout, c.err)
			c.meta.Error = c.err.Error()
		}
	}
	if c.err == nil && c.na == "" && c.dep != nil {
		c.meta.APIVersions = c.apiVersions(ctx)
		c.probeFresh(ctx)
	}
	AddReportEntry(reports.ColumnEntryName, c.meta, ReportEntryVisibilityNever)
}

// apiVersions asks the column which image API versions it offers (GET /versions), for its
// metadata: a certification bundle says what the cloud reported. No answer leaves it empty;
// api.versions is the row that judges the answer.
func (c *column) apiVersions(ctx context.Context) []string {
	sc := c.ownClient()
	defer imageapi.CloseIdle(sc)
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err := imageapi.Do(rctx, sc, "GET", "versions", nil, nil)
	if err != nil || r.Status != 200 {
		return nil
	}
	var doc struct {
		Versions []struct{ ID, Status string } `json:"versions"`
	}
	if json.Unmarshal(r.Body, &doc) != nil {
		return nil
	}
	var out []string
	for _, v := range doc.Versions {
		out = append(out, v.ID+" "+v.Status)
	}
	return out
}

// ownClient is a client of the main account for the harness's own requests about the column
// (outside any spec: their evidence is recorded nowhere); close it with imageapi.CloseIdle.
func (c *column) ownClient() *gophercloud.ServiceClient {
	id := imageapi.Main
	if who, ok := c.parts[id.Part]; ok {
		id = who
	}
	var opts []imageapi.Option
	if c.tls != nil {
		opts = append(opts, imageapi.WithTLS(c.tls))
	}
	return imageapi.New(c.dep.Endpoint(), id, &evidence.Recorder{}, opts...)
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
	out = append(out, BenchmarkLabel)
	if shared.cfg.Tempest != "" {
		out = append(out, feature.TempestLabel)
	}
	return out
}

func labelFilter() types.LabelFilter {
	filter, err := types.ParseLabelFilter(GinkgoLabelFilter())
	if err != nil {
		Fail("label filter: " + err.Error())
	}
	return filter
}

// prepared is what every column of a release starts from, derived once per run.
type prepared struct {
	infos       map[string]image.Info
	glanceFiles map[string]map[string][]byte // release -> files derived from its image
	releases    map[string]topology.Release
	base        string
	baseFiles   map[string][]byte
	services    []deploy.Extra
	// The run's Keystone as the columns that use it see it: its clouds, and the
	// [keystone_authtoken] merged over their glance-api.conf.
	identityDesc *topology.IdentityService
	identityConf string
	identityErr  error
}

// prepareColumns reads the images and the base configuration, fills each column's metadata,
// and settles the columns that will not start: n/a in their release, or broken before any
// container.
func prepareColumns(ctx context.Context, eng *engine.Engine, cfg *config, cols []*column) *prepared {
	p := &prepared{infos: map[string]image.Info{}, glanceFiles: map[string]map[string][]byte{}, releases: map[string]topology.Release{}}
	fileErrs := map[string]error{}
	for _, rel := range cfg.releases {
		if rel == existingCloudRelease {
			continue
		}
		ref := cfg.images[rel]
		labels, ok, err := eng.ImageLabels(ctx, ref)
		if err == nil && !ok {
			err = fmt.Errorf("image %s is not present (make images builds it)", ref)
		}
		if err != nil {
			fileErrs[rel] = err
			continue
		}
		p.infos[rel] = image.InfoFromLabels(ref, labels)
		paste, err := deploy.ReadImageFile(ctx, ref, cfg.ID, "/etc/glance/glance-api-paste.ini")
		if err == nil {
			var trusted string
			trusted, err = glanceconf.AddTrustedFlavor(string(paste))
			p.glanceFiles[rel] = map[string][]byte{"/etc/glance/glance-api-paste.ini": []byte(trusted)}
		}
		fileErrs[rel] = err
	}
	all, releasesErr := topology.LoadReleases(cfg.Deployments)
	for _, r := range all {
		p.releases[r.Suite] = r
	}
	var baseErr, baseFilesErr, servicesErr error
	p.base, baseErr = topology.BaseGlanceConf(cfg.Deployments)
	p.baseFiles, baseFilesErr = topology.BaseGlanceFiles(cfg.Deployments)
	p.services, servicesErr = baseServices(cfg.Deployments)
	if keystoneRelease(cols) != "" {
		p.identityDesc, p.identityErr = topology.LoadIdentity(cfg.Deployments)
		if p.identityErr == nil {
			var b []byte
			b, p.identityErr = os.ReadFile(filepath.Join(p.identityDesc.Dir, "identity", "glance-api.conf"))
			p.identityConf = string(b)
		}
	}

	probed := map[string]bool{} // image + path -> present
	for _, c := range cols {
		c.meta = reports.Column{ID: c.id, Topology: c.top.Name, Release: c.release, Description: c.top.Description, Servers: map[string]string{}}
		if c.release == existingCloudRelease {
			continue // nothing to prepare: its BeforeAll signs in to it
		}
		info := p.infos[c.release]
		c.meta.Image = info.Tag
		c.meta.GlanceVersion = image.UpstreamVersion(info.Versions["glance"])
		if t := info.Source; t != nil {
			c.meta.Source = &reports.SourceTree{Version: t.Version, Commit: t.Commit, Dirty: t.Dirty}
			c.meta.GlanceVersion = "source " + t.Version
		}
		c.meta.Packages = c.packages(info)
		c.meta.Archive = info.Archive
		if c.na = missingNeed(ctx, cfg, c, info.Tag, probed); c.na != "" || c.err != nil {
			c.meta.NotApplicable = c.na
			c.settled = true
			continue
		}
		serversErr := c.readServerVersions(info)
		var identityErr error
		if c.usesKeystone() {
			identityErr = p.identityErr
			if identityErr == nil && shared.identity.Err != "" {
				identityErr = fmt.Errorf("the run's Keystone did not start: %s", shared.identity.Err)
			}
		}
		if err := firstErr(fileErrs[c.release], releasesErr, baseErr, baseFilesErr, servicesErr, serversErr, identityErr); err != nil {
			c.err = err
			c.meta.Error = err.Error()
			c.settled = true
		}
	}
	return p
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
			if present, err = deploy.ImageHasFile(ctx, image, cfg.ID, n.Path); err != nil {
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
func merged[V any](a, b map[string]V) map[string]V {
	out := make(map[string]V, len(a)+len(b))
	for _, m := range []map[string]V{a, b} {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// glanceLibraries are the packages of Glance itself and of the libraries whose versions have
// decided cells (oslo.log's lock, webob's body handling, the stores), in every column.
var glanceLibraries = []string{"glance", "glance_store", "oslo.log", "webob", "eventlet", "keystonemiddleware"}

// packages are the versions a baseline comparison names beside this column's cells: Glance and
// its libraries, the interpreter and the database, and the servers the column runs (not every
// server the image holds: apache's version says nothing of an nginx column).
func (c *column) packages(info image.Info) map[string]string {
	out := map[string]string{}
	for _, name := range append(append(append([]string{}, glanceLibraries...), alwaysServers...), c.top.Servers...) {
		if v, ok := info.Versions[name]; ok {
			out[name] = v
		}
	}
	return out
}

// alwaysServers run in every column: the interpreter and the database.
var alwaysServers = []string{"python", "mariadb"}

// readServerVersions fills the column's server versions from the image's labels, for the
// servers the topology names; a name the image has no version for is an error of the descriptor.
func (c *column) readServerVersions(info image.Info) error {
	own := map[string]bool{} // packages a container installs itself: their versions come with its image
	for _, ct := range c.top.Containers {
		for _, p := range ct.Packages {
			own[p] = true
		}
	}
	for _, name := range append(append([]string{}, c.top.Servers...), alwaysServers...) {
		if own[name] {
			continue
		}
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

func (c *column) start(ctx context.Context, eng *engine.Engine, cfg *config, p *prepared) {
	if c.release == existingCloudRelease {
		a := cfg.Certify.Accounts
		c.err = c.openAccounts(ctx, map[string]string{imageapi.PartMain: a.Main, imageapi.PartMember: a.Member, imageapi.PartOther: a.Other})
		if c.err != nil {
			c.meta.Error = c.err.Error()
		}
		return
	}
	info, rel, base, services := p.infos[c.release], p.releases[c.release], p.base, p.services
	placeholders := rel.Placeholders
	var secret string
	var secrets []string
	var join []string
	if c.usesKeystone() {
		// The Keystone accounts' password (glance's among them): random per run, redacted from
		// every log and config we save.
		secret = shared.identity.Secret
		secrets = []string{secret}
		placeholders = merged(placeholders, map[string]string{"SECRET": secret, "IDENTITY_URL": shared.identity.URL})
		join = []string{shared.identity.Network}
	}
	images, err := extendedImages(ctx, eng, info, c.top, image.Source{Registry: cfg.Registry, Push: cfg.Push}, c.meta.Servers, c.meta.Packages)
	if err != nil {
		c.err, c.meta.Error = err, err.Error()
		return
	}
	files := merged(p.baseFiles, p.glanceFiles[c.release])
	overrides, err := c.top.GlanceOverrides()
	if err == nil {
		var conf string
		conf, err = glanceconf.RenderAPIConf(base, rel.GlanceConf, overrides)
		if err == nil && c.usesKeystone() {
			conf, err = glanceconf.WithKeystone(conf, p.identityConf)
		}
		files["/etc/glance/glance-api.conf"] = []byte(conf)
		if err == nil {
			c.glanceConf, err = glanceconf.ParseINI(conf)
		}
	}
	if err == nil {
		err = saveConfigs(filepath.Join(cfg.Out, "logs", c.id, "config"), files, secret)
	}
	if err != nil {
		c.err, c.meta.Error = err, err.Error()
		return
	}
	dep, err := deploy.Start(ctx, eng, c.top, deploy.Options{
		ColumnID:     c.id,
		RunID:        cfg.ID,
		Image:        info.Tag,
		Images:       images,
		GlanceFiles:  files,
		Placeholders: placeholders,
		Secrets:      secrets,
		Join:         join,
		Extras: append(append([]deploy.Extra{}, services...), websource.Container(map[string][]byte{
			WebPayloadName: shared.payload.Data, WebQCOW2Name: payload.QCOW2(1 << 20)})),
		Progress: statusf,
	})
	c.dep = dep
	c.tls = dep.TLSConfig() // a column speaking HTTPS: its clients trust its own authority only
	c.meta.Endpoint = dep.Endpoint()
	c.meta.StartSeconds = float64(dep.StartedIn.Milliseconds()) / 1000
	if err != nil {
		c.err, c.meta.Error = err, err.Error()
		logs := dep.LogsSince(ctx, time.Time{})
		if line, why, ok := c.top.Refusal(logs); ok {
			// The release itself says it does not run this topology: n/a, not a broken harness.
			c.err, c.meta.Error = nil, ""
			c.na = fmt.Sprintf("%s refuses it: %s (log: %q)", c.release, why, line)
			c.meta.NotApplicable = c.na
			statusf("%s: not provided by this release: %s", c.id, line)
			return
		}
		for name, l := range logs {
			for _, line := range lastLines(l, 15) {
				c.logTail = append(c.logTail, "log "+name+": "+line)
			}
		}
		statusf("%s: did not start: %v", c.id, err)
		return
	}
	if c.usesKeystone() {
		if err := c.signInToIdentity(ctx, p.identityDesc); err != nil {
			c.err, c.meta.Error = err, err.Error()
			statusf("%s: signing in: %v", c.id, err)
		}
	}
}

// extendedImages builds (once, cached) the image of each container that needs packages beyond
// the release's image, by container name, and adds the packages' versions to servers.
func extendedImages(ctx context.Context, eng *engine.Engine, base image.Info, top *topology.Topology, src image.Source, servers, packages map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, ct := range top.Containers {
		if len(ct.Packages) == 0 {
			continue
		}
		info, err := image.Extend(ctx, eng, base, ct.Packages, src, statusWriter{})
		if err != nil {
			return nil, err
		}
		for _, pkg := range ct.Packages {
			servers[pkg] = info.Versions[pkg]
			packages[pkg] = info.Versions[pkg]
		}
		out[ct.Name] = info.Tag
	}
	return out, nil
}

// finish saves a column's logs and stops it (unless kept), once.
func (c *column) finish(ctx context.Context, cfg *config) {
	c.finished.Do(func() {
		if c.dep == nil {
			return
		}
		// Also when the run was interrupted, whose context is cancelled by then.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if err := c.dep.SaveLogs(ctx, filepath.Join(cfg.Out, "logs", c.id)); err != nil {
			statusf("%s: saving logs: %v", c.id, err)
		}
		if cfg.Keep {
			statusf("%s: kept running at %s (make clean removes it)", c.id, c.dep.Endpoint())
			return
		}
		if err := c.dep.Stop(ctx); err != nil {
			statusf("%s: stopping: %v", c.id, err)
		}
	})
}

// saveConfigs writes the column's rendered config files, with secret (if any) blotted out.
func saveConfigs(dir string, files map[string][]byte, secret string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for path, b := range files {
		if secret != "" {
			b = []byte(strings.ReplaceAll(string(b), secret, deploy.Redacted))
		}
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
