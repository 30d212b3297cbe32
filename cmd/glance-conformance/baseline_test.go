package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/glance-conformance/glance-conformance/reports"
)

// writeGinkgoReport writes a Ginkgo JSON report with one column and the given cells.
func writeGinkgoReport(t *testing.T, dir, column string, results map[string]types.SpecState) {
	t.Helper()
	entry := func(name string, v any) types.ReportEntry {
		return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v)}
	}
	suite := types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed,
		ReportEntries: []types.ReportEntry{entry(reports.ColumnsEntryName, []reports.Column{{ID: column, Release: "bookworm", Topology: "standalone"}})}}
	r := types.Report{SpecReports: []types.SpecReport{suite}}
	for f, st := range results {
		r.SpecReports = append(r.SpecReports, types.SpecReport{LeafNodeType: types.NodeTypeIt, State: st,
			Failure:       types.Failure{Message: "answered 411"},
			ReportEntries: []types.ReportEntry{entry(reports.CellEntryName, reports.CellEntry{Feature: reports.Feature{ID: f}, Column: column})}})
	}
	b, err := json.Marshal([]types.Report{r})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ginkgo-report.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBaselineWithAFlippedCellExits3(t *testing.T) {
	out := t.TempDir()
	writeGinkgoReport(t, out, "bookworm/standalone", map[string]types.SpecState{"upload.chunked": types.SpecStateFailed, "api.versions": types.SpecStatePassed})
	flipped := &reports.Matrix{Schema: reports.Schema, GeneratedAt: time.Now(), Columns: []reports.Column{{ID: "bookworm/standalone"}},
		Features: []reports.Feature{{ID: "upload.chunked"}, {ID: "api.versions"}},
		Cells:    []reports.Cell{{Feature: "upload.chunked", Column: "bookworm/standalone", Result: reports.Pass}, {Feature: "api.versions", Column: "bookworm/standalone", Result: reports.Pass}}}
	err := writeReports(out, evaluation{baseline: flipped, baselinePath: "flipped.json"}, nil, time.Second, 0)
	if exitCode(err) != 3 {
		t.Fatalf("a baseline where the failed cell passed must exit 3, got %v", err)
	}
	same, err := reports.ReadJSON(filepath.Join(out, "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := writeReports(out, evaluation{baseline: same, baselinePath: "same.json"}, nil, time.Second, 0); exitCode(err) != 0 {
		t.Fatalf("a run against its own matrix must exit 0, got %v", err)
	}
}

func TestMergeOfShardsHasEveryCell(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i, col := range []string{"bookworm/standalone", "sid/uwsgi-http"} {
		m := &reports.Matrix{Schema: reports.Schema, GeneratedAt: time.Now(), Columns: []reports.Column{{ID: col}}, Features: []reports.Feature{{ID: "api.versions"}},
			Cells: []reports.Cell{{Feature: "api.versions", Column: col, Result: reports.Pass}}}
		p := filepath.Join(dir, []string{"a.json", "b.json"}[i])
		if err := m.WriteJSON(p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	r, w, _ := os.Pipe()
	stdout := os.Stdout
	os.Stdout = w
	err := dispatch(append([]string{"merge", "--claims", filepath.Join("..", "..", "fixtures", "claims.yaml")}, paths...))
	w.Close()
	os.Stdout = stdout
	b, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var merged reports.Matrix
	if err := json.Unmarshal(b, &merged); err != nil {
		t.Fatalf("merge output is not a matrix: %v", err)
	}
	if len(merged.Columns) != 2 || len(merged.Cells) != 2 || len(merged.Claims) == 0 {
		t.Fatalf("merged: %d columns, %d cells, %d claims", len(merged.Columns), len(merged.Cells), len(merged.Claims))
	}
	if err := dispatch([]string{"merge", paths[0]}); exitCode(err) != 2 {
		t.Fatalf("one file is a usage error, got %v", err)
	}
}

func TestSuiteStoppedEarlyIsAHarnessError(t *testing.T) {
	out := t.TempDir()
	writeGinkgoReport(t, out, "bookworm/standalone", map[string]types.SpecState{"api.versions": types.SpecStatePassed})
	path := filepath.Join(out, "ginkgo-report.json")
	var rep []types.Report
	b, _ := os.ReadFile(path)
	json.Unmarshal(b, &rep)
	rep[0].SpecialSuiteFailureReasons = []string{"Suite Timeout Elapsed"}
	b, _ = json.Marshal(rep)
	os.WriteFile(path, b, 0o644)
	err := writeReports(out, evaluation{}, nil, time.Second, 0)
	if exitCode(err) != 1 || err == nil {
		t.Fatalf("a suite cut short by its timeout must exit 1, got %v", err)
	}
}
