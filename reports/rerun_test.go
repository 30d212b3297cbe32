package reports

import (
	"strings"
	"testing"
)

func TestWithRerunReplacesOnlyTheRerunCells(t *testing.T) {
	earlier := &Matrix{RunID: "aaa111", Columns: []Column{{ID: "bookworm/standalone", GlanceVersion: "25.1.0"}, {ID: "bookworm/mod_wsgi", GlanceVersion: "25.1.0"}}, Cells: []Cell{
		{Feature: "api.versions", Column: "bookworm/standalone", Result: Pass},
		{Feature: "upload.chunked", Column: "bookworm/mod_wsgi", Result: Fail, Reason: "answered 411", Evidence: []string{"PUT -> 411"}},
	}}
	rerun := &Matrix{RunID: "bbb222", Columns: []Column{{ID: "bookworm/mod_wsgi", GlanceVersion: "25.1.1"}}, Cells: []Cell{
		{Feature: "upload.chunked", Column: "bookworm/mod_wsgi", Result: Pass},
	}}
	m, err := WithRerun(earlier, rerun)
	if err != nil {
		t.Fatal(err)
	}
	if m.RunID != "bbb222" || m.RerunOf != "aaa111" || len(m.Cells) != 2 {
		t.Fatalf("run %s of %s, %d cells", m.RunID, m.RerunOf, len(m.Cells))
	}
	if c := m.Cells[0]; c.Result != Pass || c.Earlier != nil {
		t.Errorf("a cell that was not rerun changed: %+v", c)
	}
	if c := m.Cells[1]; c.Result != Pass || c.Earlier == nil || c.Earlier.Result != Fail || c.Earlier.Evidence[0] != "PUT -> 411" {
		t.Errorf("the rerun cell: %+v (earlier %+v)", c, c.Earlier)
	}
	if m.Columns[1].GlanceVersion != "25.1.1" || m.Columns[0].GlanceVersion != "25.1.0" {
		t.Errorf("columns %+v: the rerun's metadata belongs to its columns only", m.Columns)
	}
	if earlier.Cells[1].Result != Fail {
		t.Error("the earlier matrix was changed")
	}
	var md strings.Builder
	if err := m.WriteMarkdown(&md); err != nil || !strings.Contains(md.String(), "| upload.chunked on bookworm/mod_wsgi | fail: answered 411 | pass |") {
		t.Errorf("matrix.md has no rerun line: %v", err)
	}
	rerun.Cells = nil
	if _, err := WithRerun(earlier, rerun); err == nil {
		t.Error("a rerun that did not produce a failed cell was folded in")
	}
}
