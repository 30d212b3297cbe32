//go:build e2e

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// The repository root, from this package's folder.
const root = "../.."

// leftovers counts the project's containers, networks and volumes still on the engine.
func leftovers(t *testing.T) int {
	t.Helper()
	n := 0
	for _, kind := range [][]string{{"ps", "-aq"}, {"network", "ls", "-q"}, {"volume", "ls", "-q"}} {
		args := append(kind, "--filter", "label="+engine.ProjectLabel+"=true")
		out, err := exec.Command("docker", args...).Output()
		if err != nil {
			t.Fatalf("docker %v: %v", args, err)
		}
		n += len(strings.Fields(string(out)))
	}
	return n
}

// makeConformance runs `make conformance` with the given variables, as a user would, and
// returns its output folder and matrix.
func makeConformance(t *testing.T, vars ...string) (string, *reports.Matrix) {
	t.Helper()
	out := t.TempDir()
	cmd := exec.Command("make", append([]string{"-C", root, "conformance", "OUT=" + out}, vars...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("make conformance: %v", err)
	}
	m, err := reports.ReadJSON(filepath.Join(out, "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	return out, m
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
	if n := len(feature.All()); len(m.Features) != n || len(m.Cells) != n {
		t.Errorf("%d features, %d cells; want %d of each", len(m.Features), len(m.Cells), n)
	}
	for _, c := range m.Cells {
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
	if n := leftovers(t); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind", n)
	}
}

// TestEndToEndNotProvided runs the standalone topologies on sid, whose Glance (2026.2) refuses
// to run the eventlet server: the cells must be n/a with the release's own words, not errors.
// The two columns run in two shards, whose reports must come back as one, in the order asked for.
func TestEndToEndNotProvided(t *testing.T) {
	out, m := makeConformance(t, "RELEASES=sid", "TOPOLOGIES=standalone-proxied,standalone", "FEATURES=api.versions,image.tags", "SHARDS=2")
	if len(m.Cells) != 4 {
		t.Fatalf("%d cells, want 4", len(m.Cells))
	}
	if len(m.Columns) != 2 || m.Columns[0].ID != "sid/standalone-proxied" || m.Columns[1].ID != "sid/standalone" {
		t.Errorf("columns %+v, want the order asked for: sid/standalone-proxied, sid/standalone", m.Columns)
	}
	rep, err := reports.ReadGinkgoReport(filepath.Join(out, "ginkgo-report.json"))
	if err != nil || len(rep) != 2 {
		t.Errorf("ginkgo-report.json holds %d suite reports (%v), want one per shard", len(rep), err)
	}
	if junit, err := os.ReadFile(filepath.Join(out, "junit.xml")); err != nil || strings.Count(string(junit), "<testsuite ") != 2 {
		t.Errorf("junit.xml does not hold both shards' suites (%v)", err)
	}
	for _, c := range m.Cells {
		if c.Result != reports.NA || !strings.Contains(c.Reason, "no longer supported") {
			t.Errorf("sid/standalone %s: %s: %s, want n/a quoting the release", c.Feature, c.Result, c.Reason)
		}
	}
	if n := leftovers(t); n != 0 {
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
		"--deployments", filepath.Join(root, "deployments"), "--suite", filepath.Join(root, ".bin/suites.test"),
		"--claims", filepath.Join(root, "fixtures/claims.yaml"), "--releases", "bookworm", "--topologies", "standalone,mod_wsgi", "--out", out)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			t.Log(sc.Text())
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
	if n := leftovers(t); n != 0 {
		t.Errorf("%d containers/networks/volumes left behind after Ctrl-C", n)
	}
}
