package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func crosscheckMatrix() *Matrix {
	const upload, lifecycle = "tempest.x.Upload.test_upload", "tempest.x.Basic.test_delete"
	return &Matrix{
		Features: []Feature{{ID: "http.keep-alive"}, {ID: "upload", Tempest: []string{upload}}, {ID: "lifecycle", Tempest: []string{lifecycle}}},
		Cells: []Cell{
			{Feature: "http.keep-alive", Column: "a", Result: Pass}, {Feature: "upload", Column: "a", Result: Pass}, {Feature: "lifecycle", Column: "a", Result: Pass},
			{Feature: "http.keep-alive", Column: "b", Result: Pass}, {Feature: "upload", Column: "b", Result: Fail}, {Feature: "lifecycle", Column: "b", Result: Skip},
		},
		Tempest: []TempestRun{
			{Column: "a", Results: []TempestResult{{Test: upload, Status: TempestPass}, {Test: lifecycle, Status: TempestFail, Detail: "boom"}, {Test: "tempest.x.Other.test_none", Status: TempestPass}}},
			{Column: "b", Results: []TempestResult{{Test: upload, Status: TempestPass}, {Test: lifecycle, Status: TempestPass}, {Test: "tempest.x.Upload.test_skipped", Status: TempestSkip}}},
		},
	}
}

func TestParityClaim(t *testing.T) {
	m := crosscheckMatrix()
	for _, c := range []struct{ test, column, want string }{
		{"tempest.x.Upload.test_upload", "a", ClaimPass},
		{"tempest.x.Upload.test_upload", "b", ClaimFail},
		{"tempest.x.Basic.test_delete", "b", ClaimNotJudged},
		{"tempest.x.Basic.test_delete", "c", ClaimNotJudged}, // no cell at all
		{"tempest.x.Other.test_none", "a", ClaimNoFeature},
	} {
		if got := m.ParityClaim(c.test, c.column); got != c.want {
			t.Errorf("%s on %s: %s, want %s", c.test, c.column, got, c.want)
		}
	}
	// http.keep-alive failing decides no Tempest test: Tempest's client reconnects when the
	// server dropped a kept-alive connection (the crosscheck on uwsgi-http saw it).
	m.Cells[0].Result = Fail
	if got := m.ParityClaim("tempest.x.Upload.test_upload", "a"); got != ClaimPass {
		t.Errorf("with http.keep-alive failed: %s, want pass", got)
	}
}

func TestCompareTempestExplainsOnlyMatchingDisagreements(t *testing.T) {
	m := crosscheckMatrix()
	explanations := []Explanation{
		{Test: "tempest.x.Upload.*", Columns: []string{"b"}, Kind: "tempest", Why: "its waiter"},
		{Test: "tempest.x.Basic.test_delete", Columns: []string{"z*"}, Kind: "configuration", Why: "not this column"},
		{Test: "tempest.x.Basic.test_delete", Failure: "timed out", Kind: "tempest", Why: "not this failure"},
	}
	got := map[string]TempestComparison{}
	for _, c := range m.CompareTempest(explanations) {
		got[c.Column+" "+c.Test] = c
	}
	for key, want := range map[string]struct {
		verdict string
		kind    string
	}{
		"a tempest.x.Upload.test_upload":  {Agree, ""},
		"a tempest.x.Basic.test_delete":   {Disagree, ""}, // the explanation names other columns
		"a tempest.x.Other.test_none":     {NotCompared, ""},
		"b tempest.x.Upload.test_upload":  {Disagree, "tempest"},
		"b tempest.x.Basic.test_delete":   {NotCompared, ""},
		"b tempest.x.Upload.test_skipped": {NotCompared, ""},
	} {
		c, ok := got[key]
		if !ok {
			t.Errorf("%s: not compared at all", key)
			continue
		}
		kind := ""
		if c.Explanation != nil {
			kind = c.Explanation.Kind
		}
		if c.Verdict != want.verdict || kind != want.kind {
			t.Errorf("%s: %s (%q), want %s (%q)", key, c.Verdict, kind, want.verdict, want.kind)
		}
	}
	// The same test explained by its failure: "boom" matches, the waiter's timeout did not.
	byFailure := append(explanations, Explanation{Test: "tempest.x.Basic.test_delete", Failure: "^bo+m$", Kind: "ours", Why: "boom"})
	for _, c := range m.CompareTempest(byFailure) {
		if c.Column == "a" && c.Test == "tempest.x.Basic.test_delete" && (c.Explanation == nil || c.Explanation.Why != "boom") {
			t.Errorf("a tempest.x.Basic.test_delete: explained by %+v, want the failure's explanation", c.Explanation)
		}
	}
	m.Crosscheck = m.CompareTempest(explanations)
	var b strings.Builder
	m.writeTempestVerdict(&b)
	for _, want := range []string{"## Tempest's own verdict", "| a | `tempest.x.Basic.test_delete` | fail: boom | pass | **unexplained** |", "| b | `tempest.x.Upload.test_upload` | pass | fail | tempest | its waiter |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("matrix.md lacks %q:\n%s", want, b.String())
		}
	}
}

func TestLoadExplanations(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("disagreements:\n  - test: tempest.x.*\n    kind: tempest\n    why: because\n"), 0o644)
	if e, err := LoadExplanations(good); err != nil || len(e) != 1 {
		t.Errorf("good file: %v %v", e, err)
	}
	for name, body := range map[string]string{
		"kind":    "disagreements:\n  - test: t\n    kind: glance\n    why: w\n",
		"why":     "disagreements:\n  - test: t\n    kind: ours\n",
		"pattern": "disagreements:\n  - test: t\n    kind: ours\n    why: w\n    columns: ['[']\n",
		"failure": "disagreements:\n  - test: t\n    kind: ours\n    why: w\n    failure: '('\n",
	} {
		p := filepath.Join(dir, name+".yaml")
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := LoadExplanations(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The checked-in file loads.
	if _, err := LoadExplanations("../fixtures/tempest/disagreements.yaml"); err != nil {
		t.Error(err)
	}
}
