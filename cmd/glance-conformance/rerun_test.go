package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/reports"
)

func TestARerunSelectsExactlyTheCellsThatDidNotPass(t *testing.T) {
	earlier := &reports.Matrix{Cells: []reports.Cell{
		{Feature: "api.versions", Column: "bookworm/standalone", Result: reports.Pass},
		{Feature: "upload.chunked", Column: "bookworm/mod_wsgi", Result: reports.Fail},
		{Feature: "image.tags", Column: "sid/mod_wsgi", Result: reports.Error},
		{Feature: "image.tags", Column: "bookworm/mod_wsgi", Result: reports.Skip},
	}}
	filter, tops, rels := rerunSelection(earlier.Rerunnable())
	if strings.Join(tops, ",") != "mod_wsgi" || strings.Join(rels, ",") != "bookworm,sid" {
		t.Errorf("topologies %v, releases %v", tops, rels)
	}
	ts, err := topology.Select(filepath.Join("..", "..", "deployments"), "standalone,mod_wsgi")
	if err != nil {
		t.Fatal(err)
	}
	cells, err := selectedCells([]string{"bookworm", "sid"}, ts, filter, false)
	want := []cell{{"bookworm/mod_wsgi", "upload.chunked"}, {"sid/mod_wsgi", "image.tags"}}
	if err != nil || len(cells) != 2 || cells[0] != want[0] || cells[1] != want[1] {
		t.Errorf("selected %v (%v), want %v", cells, err, want)
	}
}

func TestRerunUsageErrors(t *testing.T) {
	out := t.TempDir()
	prev := filepath.Join(out, "matrix.json")
	b, _ := json.Marshal(reports.Matrix{Schema: reports.Schema, Cells: []reports.Cell{{Feature: "api.versions", Column: "bookworm/standalone", Result: reports.Fail}}})
	os.WriteFile(prev, b, 0o644)
	cloudPrev := filepath.Join(t.TempDir(), "matrix.json")
	b, _ = json.Marshal(reports.Matrix{Schema: reports.Schema, Cells: []reports.Cell{{Feature: "api.versions", Column: "cloud/mycloud", Result: reports.Fail}}})
	os.WriteFile(cloudPrev, b, 0o644)
	deployments := filepath.Join("..", "..", "deployments")
	claims := filepath.Join("..", "..", "fixtures", "claims.yaml")
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"with a selection":           {[]string{"run", "--deployments", deployments, "--claims", claims, "--rerun-failed", prev, "--features", "api.versions"}, "takes its selection from the matrix"},
		"a certified cloud's column": {[]string{"run", "--deployments", deployments, "--claims", claims, "--rerun-failed", cloudPrev, "--out", t.TempDir()}, "cannot be run again here: api.versions on cloud/mycloud (no topology mycloud here)"},
		"into its own folder":        {[]string{"run", "--deployments", deployments, "--claims", claims, "--rerun-failed", prev, "--out", out}, "inside the output folder"},
	} {
		err := dispatch(c.args)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a usage error containing %q", name, err, c.want)
		}
	}
}
