//go:build e2e

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/runconfig"
)

// The repository root, from this package's folder.
const root = "../.."

// leftovers counts the containers, networks and volumes of one run still on the engine. Only
// that run's: another run on the same engine (a user's, or one killed before this test) is not
// this test's to judge.
func leftovers(t *testing.T, runID string) int {
	t.Helper()
	if runID == "" {
		t.Fatal("no run id: the leftovers of an unknown run cannot be counted")
	}
	n := 0
	for _, kind := range [][]string{{"ps", "-aq"}, {"network", "ls", "-q"}, {"volume", "ls", "-q"}} {
		args := append(kind, "--filter", "label="+engine.RunLabel+"="+runID)
		out, err := exec.Command("docker", args...).Output()
		if err != nil {
			t.Fatalf("docker %v: %v", args, err)
		}
		n += len(strings.Fields(string(out)))
	}
	return n
}

// nested passes a command's output on with each line indented, so that the go test lines of
// the suite it runs ("--- FAIL: TestConformance" for a run with failed cells, which is what
// these tests expect) are not read as this package's own results.
var nested = &lineWriter{mu: &sync.Mutex{}, w: indenter{os.Stdout}}

type indenter struct{ w io.Writer }

// Write indents every line of p, which holds whole lines (lineWriter passes nothing else).
func (i indenter) Write(p []byte) (int, error) {
	lines := bytes.SplitAfter(p, []byte("\n"))
	var b bytes.Buffer
	for _, l := range lines {
		if len(l) > 0 {
			b.WriteString("    | ")
			b.Write(l)
		}
	}
	_, err := i.w.Write(b.Bytes())
	return len(p), err
}

// makeConformance runs `make conformance` with the given variables, as a user would, and
// returns its output folder and matrix.
func makeConformance(t *testing.T, vars ...string) (string, *reports.Matrix) {
	t.Helper()
	return makeConformanceEnv(t, nil, vars...)
}

// makeConformanceEnv is makeConformance with more environment variables (NAME=value).
func makeConformanceEnv(t *testing.T, env []string, vars ...string) (string, *reports.Matrix) {
	t.Helper()
	out := t.TempDir()
	cmd := exec.Command("make", append([]string{"-C", root, "conformance", "OUT=" + out}, vars...)...)
	out1, out2 := nested.source(), nested.source()
	defer out1.Flush()
	defer out2.Flush()
	cmd.Stdout, cmd.Stderr = out1, out2
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Run(); err != nil {
		t.Fatalf("make conformance: %v", err)
	}
	m, err := reports.ReadJSON(filepath.Join(out, "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	return out, m
}

// TestEndToEndRegressionStatus calls the command as the README tells a CI job to (after make
// deps build) with a baseline in which a cell that fails today passed, and checks the documented
// exit status 3 reaches the caller.
func TestEndToEndRegressionStatus(t *testing.T) {
	baseline := reports.Matrix{Schema: reports.Schema, RunID: "baseline", Columns: []reports.Column{{ID: "bookworm/mod_wsgi", Topology: "mod_wsgi", Release: "bookworm"}},
		Cells: []reports.Cell{{Feature: "upload.chunked", Column: "bookworm/mod_wsgi", Result: reports.Pass}}}
	path := filepath.Join(t.TempDir(), "baseline.json")
	if err := baseline.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	top, _ := filepath.Abs(root)
	// From the checkout's top, where the command's defaults (deployments/, .bin/) are.
	cmd := exec.Command(filepath.Join(top, ".bin/glance-conformance"), "run", "--releases", "bookworm", "--topologies", "mod_wsgi",
		"--features", "upload.chunked", "--baseline", path, "--out", out)
	cmd.Dir = top
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = io.MultiWriter(nested.source(), &log), io.MultiWriter(nested.source(), &log)
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("exit %v, want status 3 (a regression): mod_wsgi's upload.chunked fails on bookworm (411) and passed in the baseline", err)
	}
	if !strings.Contains(log.String(), "REGRESSION upload.chunked on bookworm/mod_wsgi: pass -> fail") {
		t.Error("the regression is not named on the terminal")
	}
	m, err := reports.ReadJSON(filepath.Join(out, "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndNightlyScript runs the shipped CI jobs' one step, .ci/nightly, on a tiny
// selection with an image cache, as the GitHub workflow and the Zuul job run it on a release.
func TestEndToEndNightlyScript(t *testing.T) {
	out, cache := t.TempDir(), t.TempDir()
	// Yesterday's bookworm image is stale once today's is saved; sid's was not this run's to judge.
	stale := filepath.Join(cache, "glance-conformance_glance-conformance_glance_bookworm-000000000000-00000000.tar")
	other := filepath.Join(cache, "glance-conformance_glance-conformance_glance_sid-000000000000-00000000.tar")
	for _, f := range []string{stale, other} {
		if err := os.WriteFile(f, []byte("not an image"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(filepath.Join(root, ".ci/nightly"), "--releases", "bookworm", "--topologies", "standalone", "--features", "api.versions", "--out", out)
	cmd.Env = append(os.Environ(), "IMAGE_CACHE="+cache)
	cmd.Stdout, cmd.Stderr = nested.source(), nested.source()
	if err := cmd.Run(); err != nil {
		t.Fatalf(".ci/nightly: %v", err)
	}
	m, err := reports.ReadJSON(filepath.Join(out, "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Cells) != 1 || m.Cells[0].Result != reports.Pass {
		t.Errorf("cells %+v, want api.versions passing on bookworm/standalone", m.Cells)
	}
	if tars, _ := filepath.Glob(filepath.Join(cache, "glance-conformance_*bookworm*.tar")); len(tars) != 1 || tars[0] == stale {
		t.Errorf("image cache holds %v, want today's bookworm image saved and yesterday's dropped", tars)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("the cached image of a release the run did not use was removed: %v", err)
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndRegistry is the round trip a CI's nodes make through a shared registry: Debian's
// docker-registry started here on loopback, bookworm's image pushed to it (images --push), a
// copy under a tag of the test's own pushed and removed here, and a column run from that tag,
// pinned with --images-from and pulled back from the registry.
func TestEndToEndRegistry(t *testing.T) {
	top, _ := filepath.Abs(root)
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	registry := l.Addr().String()
	l.Close()
	config := fmt.Sprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n", filepath.Join(dir, "data"), registry)
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := exec.Command(filepath.Join(top, ".bin/docker-registry"), "serve", filepath.Join(dir, "config.yml"))
	reg.Stdout, reg.Stderr = nested.source(), nested.source()
	if err := reg.Start(); err != nil {
		t.Fatalf("starting the registry (make test-deps unpacks it): %v", err)
	}
	defer func() { reg.Process.Kill(); reg.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if resp, err := http.Get("http://" + registry + "/v2/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the registry did not answer in 30 s")
		}
	}

	command := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(top, ".bin/glance-conformance"), args...)
		cmd.Dir = top
		var log strings.Builder
		cmd.Stdout, cmd.Stderr = io.MultiWriter(nested.source(), &log), io.MultiWriter(nested.source(), &log)
		if err := cmd.Run(); err != nil {
			t.Fatalf("glance-conformance %v: %v", args, err)
		}
		return log.String()
	}
	pushed := regexp.MustCompile(`image: (\S+) pushed to ` + regexp.QuoteMeta(registry)).FindStringSubmatch(
		command("images", "--releases", "bookworm", "--registry", registry, "--push"))
	if pushed == nil {
		t.Fatal("images --push did not push bookworm's image")
	}
	// The round trip goes through a tag of the test's own, pinned with --images-from, so that the
	// release's real tag, which other runs on this engine may be using, is never removed.
	tag := "glance-conformance/glance:bookworm-e2e-registry-" + fmt.Sprint(os.Getpid())
	for _, args := range [][]string{{"tag", pushed[1], tag}, {"tag", tag, registry + "/" + tag}, {"push", "--quiet", registry + "/" + tag},
		{"rmi", registry + "/" + tag}, {"rmi", tag}} {
		if out, err := exec.Command("docker", args...).CombinedOutput(); err != nil {
			t.Fatalf("docker %v: %v: %s", args, err, out)
		}
	}
	defer exec.Command("docker", "rmi", tag).Run() // the test's own tag, pulled back by the run
	pin := reports.Matrix{Schema: reports.Schema, RunID: "pin", Columns: []reports.Column{{ID: "bookworm/standalone", Topology: "standalone", Release: "bookworm", Image: tag}}}
	pinFile := filepath.Join(dir, "pin.json")
	if err := pin.WriteJSON(pinFile); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	log := command("run", "--releases", "bookworm", "--topologies", "standalone", "--features", "api.versions", "--registry", registry, "--images-from", pinFile, "--out", out)
	if !strings.Contains(log, "image: "+tag+" pulled from "+registry) {
		t.Errorf("the run did not pull %s from the registry", tag)
	}
	m, err := reports.ReadJSON(filepath.Join(out, "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Columns) != 1 || m.Columns[0].Image != tag || len(m.Cells) != 1 || m.Cells[0].Result != reports.Pass {
		t.Errorf("columns %+v cells %+v: want api.versions passing on the pulled %s", m.Columns, m.Cells, tag)
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndRerunFailed reruns the failed cell of an earlier matrix (written here: one cell
// failed, one passed) and checks that only that cell ran and was replaced, keeping its earlier
// result, while the other stayed as it was.
func TestEndToEndRerunFailed(t *testing.T) {
	earlier := reports.Matrix{Schema: reports.Schema, RunID: "earlier", Columns: []reports.Column{{ID: "bookworm/standalone", Topology: "standalone", Release: "bookworm"}},
		Cells: []reports.Cell{
			{Feature: "api.versions", Column: "bookworm/standalone", Result: reports.Fail, Reason: "written by the test", DurationS: 42},
			{Feature: "image.tags", Column: "bookworm/standalone", Result: reports.Pass, DurationS: 42},
		}}
	prev := filepath.Join(t.TempDir(), "matrix.json")
	if err := earlier.WriteJSON(prev); err != nil {
		t.Fatal(err)
	}
	_, m := makeConformance(t, "RERUN_FAILED="+prev)
	if m.RerunOf != "earlier" || len(m.Cells) != 2 {
		t.Fatalf("rerun of %q with %d cells, want run earlier's 2", m.RerunOf, len(m.Cells))
	}
	for _, c := range m.Cells {
		switch c.Feature {
		case "api.versions":
			if c.Result != reports.Pass || c.Earlier == nil || c.Earlier.Reason != "written by the test" || c.DurationS == 42 {
				t.Errorf("the failed cell was not rerun and replaced: %+v", c)
			}
		default:
			if c.Result != reports.Pass || c.Earlier != nil || c.DurationS != 42 {
				t.Errorf("a cell that passed was touched: %+v", c)
			}
		}
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// eventletNA tells the one cell a Glance under eventlet (standalone, our Keystone deployment)
// is right to have n/a: server.native-threads is about Glance on native threads.
func eventletNA(c reports.Cell) bool {
	return c.Feature == "server.native-threads" && c.Result == reports.NA && strings.Contains(c.Reason, "eventlet")
}

// optInNA are the features the standalone column cannot have, each with what its n/a must name:
// what only another deployment configures (deployments/uwsgi-debian-locations, two-nodes).
var optInNA = map[string]string{
	"image.locations":                 "show_multiple_locations",
	"image.locations-hash":            "show_multiple_locations",
	"image.add-location":              "http store",
	"import.remote":                   "one Glance API node",
	"delete.remote":                   "one Glance API node",
	"cache.remote":                    "one Glance API node",
	"import.glance-download":          "glance-download",
	"import.glance-download-failures": "glance-download",
}

// expectedNA tells whether a cell of the standalone column is n/a for the reason it must be.
func expectedNA(c reports.Cell) bool {
	why, ok := optInNA[c.Feature]
	return eventletNA(c) || ok && c.Result == reports.NA && strings.Contains(c.Reason, why)
}

// TestEndToEndStandalone runs `make conformance` for the standalone column, as a user would,
// and checks what it wrote. Standalone is the deployment Glance supports: every cell must pass.
func TestEndToEndStandalone(t *testing.T) {
	out, m := makeConformance(t, "RELEASES=bookworm", "TOPOLOGIES=standalone")
	if len(m.Columns) != 1 || m.Columns[0].ID != "bookworm/standalone" {
		t.Fatalf("columns: %+v", m.Columns)
	}
	col := m.Columns[0]
	if !strings.HasPrefix(col.GlanceVersion, "25.") || col.Servers["eventlet"] == "" || col.Servers["mariadb"] == "" {
		t.Errorf("versions not read from the image: %+v", col)
	}
	// The full Debian version (security updates come as Debian revisions), and the archive dates
	// of the suites the image installed from, security's among them.
	if !strings.HasPrefix(col.Packages["glance"], "2:25.1.0-") || col.Packages["oslo.log"] == "" || col.Archive["bookworm-security"] == "" {
		t.Errorf("package versions or archive dates not recorded: %v %v", col.Packages, col.Archive)
	}
	if n := len(feature.All()); len(m.Features) != n || len(m.Cells) != n {
		t.Errorf("%d features, %d cells; want %d of each", len(m.Features), len(m.Cells), n)
	}
	for _, c := range m.Cells {
		if expectedNA(c) {
			continue
		}
		if c.Result != reports.Pass {
			t.Errorf("standalone %s: %s: %s\n  %s", c.Feature, c.Result, c.Reason, strings.Join(c.Evidence, "\n  "))
		}
	}
	for _, f := range []string{"matrix.md", "junit.xml", "ginkgo-report.json", "run.log", "logs/bookworm/standalone/glance.log",
		"logs/bookworm/standalone/websource.log", "logs/bookworm/standalone/db.log", "logs/bookworm/standalone/config/glance-api.conf"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndKeepAlive runs the column whose server closes kept-alive connections without
// announcing it (uWSGI's HTTP router): http.keep-alive fails naming the answer that did not say
// Connection: close, and a row of plain API calls still passes, its requests that met a dropped
// connection resent and noted, not failed. One defect, one row.
func TestEndToEndKeepAlive(t *testing.T) {
	_, m := makeConformance(t, "RELEASES=bookworm", "TOPOLOGIES=uwsgi-http", "FEATURES=http.keep-alive,image.lifecycle,image.tags")
	cells := map[string]reports.Cell{}
	for _, c := range m.Cells {
		cells[c.Feature] = c
	}
	ka := cells["http.keep-alive"]
	if ka.Result != reports.Fail || !strings.Contains(ka.Reason, "did not announce") || !strings.Contains(ka.Reason, "no Connection: close") {
		t.Errorf("http.keep-alive on uwsgi-http: %s: %s, want a failure naming the answer without Connection: close", ka.Result, ka.Reason)
	}
	for _, f := range []string{"image.lifecycle", "image.tags"} {
		if c := cells[f]; c.Result != reports.Pass {
			t.Errorf("%s on uwsgi-http: %s: %s (notes %q), want pass: a dropped connection is http.keep-alive's finding", f, c.Result, c.Reason, c.Notes)
		} else if c.Resent > 0 && !strings.Contains(strings.Join(c.Notes, " "), "http.keep-alive") {
			t.Errorf("%s: %d requests resent without a note naming http.keep-alive: %q", f, c.Resent, c.Notes)
		}
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndTLS runs the column whose clients speak HTTPS to the front end (HAProxy, with a
// certificate authority made for the column): its endpoint is https, Gophercloud's client and
// the raw HTTP/1.1 client both get through, trusting that authority alone.
func TestEndToEndTLS(t *testing.T) {
	_, m := makeConformance(t, "RELEASES=bookworm", "TOPOLOGIES=haproxy-tls", "FEATURES=api.versions,image.lifecycle,upload.expect-continue")
	if len(m.Columns) != 1 || !strings.HasPrefix(m.Columns[0].Endpoint, "https://127.0.0.1:") || m.Columns[0].Servers["haproxy"] == "" {
		t.Fatalf("columns %+v: want one column on an https endpoint on loopback, with HAProxy's version", m.Columns)
	}
	for _, c := range m.Cells {
		if c.Result != reports.Pass {
			t.Errorf("%s over TLS: %s: %s\n  %s", c.Feature, c.Result, c.Reason, strings.Join(c.Evidence, "\n  "))
		}
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndGlanceSource makes a Glance source tree from the code bookworm's package installs
// (the mirror serves binary packages, not source tarballs), runs the standalone column from it
// with GLANCE_SRC, and checks the verdicts are the packaged Glance's and the report names the
// tree, not the package; then a tree that does not import is refused before any column starts.
func TestEndToEndGlanceSource(t *testing.T) {
	top, _ := filepath.Abs(root)
	tags, err := exec.Command(filepath.Join(top, ".bin/glance-conformance"), "images", "--print-tags", "--releases", "bookworm", "--deployments", filepath.Join(top, "deployments")).Output()
	if err != nil {
		t.Fatalf("images --print-tags: %v", err)
	}
	tree := t.TempDir()
	extract := exec.Command("docker", "run", "--rm", "-v", tree+":/out", strings.TrimSpace(string(tags)), "sh", "-ec",
		`cd /usr/lib/python3/dist-packages; cp -a glance /out/; cp glance-*-info/requires.txt /out/requirements.txt; cp glance-*-info/entry_points.txt /out/entry_points.txt`)
	if out, err := extract.CombinedOutput(); err != nil {
		t.Fatalf("copying bookworm's packaged Glance out of its image: %v: %s", err, out)
	}
	// setup.cfg with the package's entry points, as pbr's setup.cfg names them.
	eps, err := os.ReadFile(filepath.Join(tree, "entry_points.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := "[metadata]\nname = glance\n\n[entry_points]\n"
	for _, line := range strings.Split(string(eps), "\n") {
		switch line = strings.TrimSpace(line); {
		case strings.HasPrefix(line, "["):
			cfg += strings.Trim(line, "[]") + " =\n"
		case line != "":
			cfg += "    " + line + "\n"
		}
	}
	os.Remove(filepath.Join(tree, "entry_points.txt"))
	if err := os.WriteFile(filepath.Join(tree, "setup.cfg"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=e2e", "-c", "user.email=e2e@localhost", "commit", "-qm", "bookworm's Glance"}, {"tag", "25.1.0-e2e"}} {
		if out, err := exec.Command("git", append([]string{"-C", tree}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	commit, _ := exec.Command("git", "-C", tree, "rev-parse", "HEAD").Output()

	features := "api.versions,image.lifecycle,tasks,import.glance-direct,import.web-download,upload.chunked"
	// haproxy-standalone: its HAProxy layer is built over the tree's image, as every front end's is.
	_, m := makeConformance(t, "RELEASES=bookworm", "TOPOLOGIES=haproxy-standalone", "FEATURES="+features, "GLANCE_SRC="+tree)
	if len(m.Columns) != 1 || m.Columns[0].Source == nil || m.Columns[0].Source.Commit != strings.TrimSpace(string(commit)) ||
		m.Columns[0].Source.Version != "25.1.0-e2e" || !strings.HasPrefix(m.Columns[0].GlanceBuild(), "source 25.1.0-e2e") {
		t.Fatalf("columns %+v: want the tree named, with its commit, not the package", m.Columns)
	}
	if len(m.Cells) != len(strings.Split(features, ",")) {
		t.Errorf("%d cells, want %d", len(m.Cells), len(strings.Split(features, ",")))
	}
	for _, c := range m.Cells {
		if c.Result != reports.Pass { // the packaged Glance passes them all there (.ci/baseline)
			t.Errorf("%s from the tree: %s: %s", c.Feature, c.Result, c.Reason)
		}
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}

	// A tree that does not import: refused in one line, exit 2, before any column starts.
	router := filepath.Join(tree, "glance/api/v2/router.py")
	b, _ := os.ReadFile(router)
	if err := os.WriteFile(router, append(b, "\nimport glance_conformance_no_such_module\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cmd := exec.Command(filepath.Join(top, ".bin/glance-conformance"), "run", "--releases", "bookworm", "--topologies", "standalone",
		"--features", "api.versions", "--glance-src", tree, "--out", out)
	cmd.Dir = top
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = nested.source(), io.MultiWriter(nested.source(), &stderr)
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("exit %v, want 2 for a tree that does not import", err)
	}
	if !strings.Contains(stderr.String(), "importing glance.api.v2.router fails") || !strings.Contains(stderr.String(), "glance_conformance_no_such_module") {
		t.Errorf("the refusal does not name the import that failed:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, "run.json")); err == nil {
		t.Error("a column was set up for a tree that was refused")
	}
}

// TestEndToEndRestart freezes the server at the end of one spec, as a Glance whose request
// threads are stuck for good would be: that cell fails saying so, the column is restarted, and
// the next row passes on a server that answers. One defect, one row.
func TestEndToEndRestart(t *testing.T) {
	out, m := makeConformanceEnv(t, []string{"GLANCE_CONFORMANCE_FREEZE_AFTER=api.versions"},
		"RELEASES=bookworm", "TOPOLOGIES=standalone", "FEATURES=api.versions,image.tags")
	cells := map[string]reports.Cell{}
	for _, c := range m.Cells {
		cells[c.Feature] = c
	}
	frozen, next := cells["api.versions"], cells["image.tags"]
	if frozen.Result != reports.Fail || !strings.Contains(frozen.Reason, "stopped answering") ||
		!strings.Contains(strings.Join(frozen.Notes, " "), "restarted") {
		t.Errorf("api.versions: %s: %s %q, want a failure saying the server stopped answering and was restarted", frozen.Result, frozen.Reason, frozen.Notes)
	}
	if next.Result != reports.Pass {
		t.Errorf("image.tags after the restart: %s: %s, want pass", next.Result, next.Reason)
	}
	if st, err := os.Stat(filepath.Join(out, "logs/bookworm/standalone/before-restart-1/glance.log")); err != nil || st.Size() == 0 {
		t.Errorf("the logs before the restart were not kept: %v", err)
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndNotProvided runs the standalone topologies on sid, whose Glance (2026.2) refuses
// to run the eventlet server: the cells must be n/a with the release's own words, not errors.
// The two columns run in two Ginkgo processes, whose reports come back as one (Ginkgo's CLI
// merges them), the columns in the order asked for.
func TestEndToEndNotProvided(t *testing.T) {
	out, m := makeConformance(t, "RELEASES=sid", "TOPOLOGIES=standalone-proxied,standalone", "FEATURES=api.versions,image.tags", "PROCS=2")
	if len(m.Cells) != 4 {
		t.Fatalf("%d cells, want 4", len(m.Cells))
	}
	if len(m.Columns) != 2 || m.Columns[0].ID != "sid/standalone-proxied" || m.Columns[1].ID != "sid/standalone" {
		t.Errorf("columns %+v, want the order asked for: sid/standalone-proxied, sid/standalone", m.Columns)
	}
	rep, err := reports.ReadGinkgoReport(filepath.Join(out, "ginkgo-report.json"))
	if err != nil || len(rep) != 1 || rep[0].SuiteConfig.ParallelTotal != 2 {
		t.Errorf("ginkgo-report.json: %d suite reports (%v), want one, of a run in 2 processes", len(rep), err)
	}
	if junit, err := os.ReadFile(filepath.Join(out, "junit.xml")); err != nil || strings.Count(string(junit), "<testcase ") < 4 {
		t.Errorf("junit.xml does not hold the four cells' test cases (%v)", err)
	}
	for _, c := range m.Cells {
		if c.Result != reports.NA || !strings.Contains(c.Reason, "no longer supported") {
			t.Errorf("sid/standalone %s: %s: %s, want n/a quoting the release", c.Feature, c.Result, c.Reason)
		}
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndInterrupt interrupts a run while columns run, once as Ctrl-C in a terminal does
// (SIGINT to the whole process group) and once as kill or a CI runner does (SIGINT to the
// command alone), and checks that the run stops with a non-zero status and leaves nothing behind.
func TestEndToEndInterrupt(t *testing.T) {
	t.Run("process group", func(t *testing.T) { interruptRun(t, true) })
	t.Run("command alone", func(t *testing.T) { interruptRun(t, false) })
}

func interruptRun(t *testing.T, group bool) {
	out := t.TempDir()
	cmd := exec.Command(filepath.Join(root, ".bin/glance-conformance"), "run",
		"--deployments", filepath.Join(root, "deployments"), "--suite", filepath.Join(root, ".bin/suites.test"), "--ginkgo", filepath.Join(root, ".bin/ginkgo"),
		"--claims", filepath.Join(root, "fixtures/claims.yaml"), "--releases", "bookworm", "--topologies", "standalone,mod_wsgi", "--out", out)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	runID := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			t.Log(sc.Text())
			var id string
			if _, err := fmt.Sscanf(sc.Text(), "run %6s:", &id); err == nil {
				runID <- strings.TrimSuffix(id, ":")
			}
			if !once && strings.Contains(sc.Text(), "ready at") {
				once = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Minute):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatal("no column became ready")
	}
	time.Sleep(2 * time.Second)
	if group {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	} else {
		cmd.Process.Signal(syscall.SIGINT)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("an interrupted run must not exit 0")
		}
	case <-time.After(3 * time.Minute):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatal("the run did not stop within 3 minutes of Ctrl-C")
	}
	var id string
	select {
	case id = <-runID:
	default:
	}
	if n := leftovers(t, id); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind after Ctrl-C", n)
	}
}

// expectNoSecretIn fails t for each file under dir that holds the accounts' password or a
// Keystone token (fernet tokens start with gAAAAA).
func expectNoSecretIn(t *testing.T, dir, secret string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, leak := range []string{secret, "gAAAAA"} {
			if bytes.Contains(b, []byte(leak)) {
				t.Errorf("%s holds a secret (%.8s...)", p, leak)
			}
		}
		return nil
	})
}

// TestEndToEndCertify certifies our Keystone-authenticated deployment as a vendor certifies a
// cloud: make certify, through the clouds.yaml the deployment generates. Profile full fails
// there by design (features needing server-side setup of ours are skipped on any certified
// cloud); every other feature must pass, the interop profile must pass on the same cells, the
// bundle must be complete, and no output may hold the accounts' password or a token.
func TestEndToEndCertify(t *testing.T) {
	secret := "gc-known-secret-" + time.Now().Format("150405.000000")
	t.Setenv("GLANCE_CONFORMANCE_SECRET", secret)
	out := t.TempDir()
	product := filepath.Join(t.TempDir(), "product.yaml")
	os.WriteFile(product, []byte("vendor: Example\nproduct: Example Cloud\nversion: \"1.0\"\ncontact: certify@example.org\n"), 0o644)
	cmd := exec.Command("make", "-C", root, "certify", "START=keystone", "PROFILE=full", "PRODUCT="+product, "CERT_OUT="+out)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = io.MultiWriter(nested.source(), &log), io.MultiWriter(nested.source(), &log)
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("make certify PROFILE=full: %v, want a failed verdict (exit status 1 from the command)", err)
	}
	if !strings.Contains(log.String(), "Verdict: FAIL: profile full") {
		t.Errorf("no failed verdict line on the terminal")
	}
	m, err := reports.ReadJSON(filepath.Join(out, "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Columns) != 1 || m.Columns[0].ID != "bookworm/keystone" || len(m.Columns[0].Accounts) != 3 {
		t.Fatalf("columns %+v, want bookworm/keystone with three accounts", m.Columns)
	}
	for _, c := range m.Cells {
		f := feature.Get(c.Feature)
		switch {
		case eventletNA(c):
		case f.Setup != "" && (c.Result != reports.Skip || !strings.Contains(c.Reason, "server-side setup")):
			t.Errorf("%s needs setup of ours: %s (%s), want skip saying so", c.Feature, c.Result, c.Reason)
		case f.Setup == "" && c.Result != reports.Pass:
			t.Errorf("%s: %s: %s\n  %s", c.Feature, c.Result, c.Reason, strings.Join(c.Evidence, "\n  "))
		}
	}
	interop, err := reports.LoadProfile(filepath.Join(root, "fixtures/profiles/interop.yaml"), feature.IDs())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Judge(interop); !v.Pass {
		t.Errorf("interop on the same cells: %s %v", v.Line(), v.NotPassed)
	}
	for _, f := range []string{"summary.md", "product.yaml", "matrix.json", "matrix.md", "matrix.html", "matrix.svg", "junit.xml", "run.log"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("bundle: %s missing or empty: %v", f, err)
		}
	}
	expectNoSecretIn(t, out, secret)
	if strings.Contains(log.String(), secret) || strings.Contains(log.String(), "gAAAAA") {
		t.Error("the terminal output holds a secret")
	}
	// What produced the bundle and what the cloud reported, then its manifest.
	if m.Tool == "" || len(m.Columns[0].APIVersions) == 0 {
		t.Errorf("matrix.json lacks the tool's version (%q) or the cloud's API versions (%v)", m.Tool, m.Columns[0].APIVersions)
	}
	summary, _ := os.ReadFile(filepath.Join(out, "summary.md"))
	for _, want := range []string{"Profile `full` version 1", "by glance-conformance ", "Image API versions the cloud reported: v2."} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary.md does not say %q", want)
		}
	}
	verify := func() error {
		cmd := exec.Command(filepath.Join(root, ".bin/glance-conformance"), "verify", out)
		cmd.Stdout, cmd.Stderr = nested.source(), nested.source()
		return cmd.Run()
	}
	if err := verify(); err != nil {
		t.Errorf("the fresh bundle does not verify: %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(out, "summary.md"))
	b[len(b)/2] ^= 1
	os.WriteFile(filepath.Join(out, "summary.md"), b, 0o644)
	if err := verify(); !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("a bundle with one byte changed: %v, want exit status 1", err)
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndGinkgoFocus runs the suite as any Ginkgo suite, through the ginkgo CLI with a run
// configuration and a --focus filter that selects one feature of two columns: only the specs
// focused run, each column starts for them and stops after them, and the run ends (no column
// left waiting for specs the filter left out).
func TestEndToEndGinkgoFocus(t *testing.T) {
	var images strings.Builder
	build := exec.Command("make", "-C", root, "images", "RELEASES=bookworm")
	build.Stdout, build.Stderr = io.MultiWriter(nested.source(), &images), io.MultiWriter(nested.source(), &images)
	if err := build.Run(); err != nil {
		t.Fatalf("make images: %v", err)
	}
	var tag string
	for _, line := range strings.Split(images.String(), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "image:" && f[2] == "ready" {
			tag = f[1]
		}
	}
	if tag == "" {
		t.Fatal("make images named no image ready")
	}
	out := t.TempDir()
	deployments, _ := filepath.Abs(filepath.Join(root, "deployments"))
	run := runconfig.Run{ID: "focus" + time.Now().Format("150405"), Deployments: deployments, Out: out,
		Releases: []runconfig.Release{{Name: "bookworm", Image: tag}}, Topologies: []string{"standalone", "mod_wsgi"}}
	config := filepath.Join(out, runconfig.FileName)
	if err := run.Write(config); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(out, "ginkgo-report.json")
	cmd := exec.Command("go", "run", "github.com/onsi/ginkgo/v2/ginkgo", "run", "--focus", `image\.tags`, "--output-dir", out, "--json-report", "ginkgo-report.json", "./suites")
	cmd.Dir, cmd.Env = root, append(os.Environ(), runconfig.EnvVar+"="+config)
	cmd.Stdout, cmd.Stderr = nested.source(), nested.source()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ginkgo run --focus: %v", err)
		}
	case <-time.After(8 * time.Minute):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		<-done
		t.Fatal("ginkgo run --focus did not end within 8 minutes: a column waits for specs the filter left out")
	}
	rep, err := reports.ReadGinkgoReport(report)
	if err != nil {
		t.Fatal(err)
	}
	m, err := reports.Build(rep, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Cells) != 2 || len(m.Columns) != 2 {
		t.Errorf("%d cells in %d columns, want image.tags on bookworm/standalone and bookworm/mod_wsgi", len(m.Cells), len(m.Columns))
	}
	for _, c := range m.Cells {
		if c.Feature != "image.tags" || c.Result != reports.Pass {
			t.Errorf("%s %s: %s: %s", c.Column, c.Feature, c.Result, c.Reason)
		}
	}
	if n := leftovers(t, run.ID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndCrosscheck runs a short crosscheck as a user would (make crosscheck): the run's
// Keystone, one column authenticating through it, a few features, and Tempest's
// BasicOperationsImagesTest against the same column. The features pass with Keystone's tokens,
// Tempest's verdicts are recorded and compared, its files are kept, and no output holds the
// accounts' password or a token.
func TestEndToEndCrosscheck(t *testing.T) {
	secret := "gc-known-secret-" + time.Now().Format("150405.000000")
	out := t.TempDir()
	cmd := exec.Command("make", "-C", root, "crosscheck", "OUT="+out, "RELEASES=bookworm", "TOPOLOGIES=standalone",
		"FEATURES=image.lifecycle,upload.chunked,download.integrity,image.deactivate,image.members", "TEMPEST=BasicOperationsImagesTest")
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = io.MultiWriter(nested.source(), &log), io.MultiWriter(nested.source(), &log)
	cmd.Env = append(os.Environ(), "GLANCE_CONFORMANCE_SECRET="+secret)
	if err := cmd.Run(); err != nil {
		t.Fatalf("make crosscheck: %v", err)
	}
	m, err := reports.ReadJSON(filepath.Join(out, "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Columns) != 1 || !strings.HasPrefix(m.Columns[0].Identity, "Keystone ") || len(m.Columns[0].Accounts) != 3 || m.Identity() != "keystone" {
		t.Fatalf("columns %+v, want bookworm/standalone signed in to the run's Keystone with three accounts", m.Columns)
	}
	for _, c := range m.Cells {
		if c.Result != reports.Pass {
			t.Errorf("%s with Keystone's tokens: %s: %s", c.Feature, c.Result, c.Reason)
		}
	}
	if len(m.Tempest) != 1 || !strings.HasPrefix(m.Tempest[0].Version, "1:33.") || len(m.Tempest[0].Results) != 4 || m.Tempest[0].Error != "" {
		t.Fatalf("tempest runs %+v, want one of Tempest 33 (bookworm's) with BasicOperationsImagesTest's 4 tests", m.Tempest)
	}
	verdicts := map[string]string{}
	for _, c := range m.Crosscheck {
		verdicts[strings.TrimPrefix(c.Test, "tempest.api.image.v2.test_images.BasicOperationsImagesTest.")] = c.Tempest + "/" + c.Verdict
	}
	for test, want := range map[string]string{
		"test_delete_image": "pass/agree", "test_update_image": "pass/agree", "test_register_upload_get_image_file": "pass/agree",
		"test_deactivate_reactivate_image": "pass/agree",
	} {
		if verdicts[test] != want {
			t.Errorf("%s: %s, want %s", test, verdicts[test], want)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "matrix.md"))
	if !strings.Contains(string(md), "## Tempest's own verdict") {
		t.Error("matrix.md has no Tempest section")
	}
	for _, f := range []string{"tempest/bookworm/standalone/junit.xml", "tempest/bookworm/standalone/results.subunit", "tempest/bookworm/standalone/tempest.conf", "logs/identity/keystone.log"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	expectNoSecretIn(t, out, secret)
	if strings.Contains(log.String(), secret) {
		t.Error("the terminal output holds the password")
	}
	if n := leftovers(t, m.RunID); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}
