package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTemp(t *testing.T, name, body string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestJudgeNeedsEveryRequiredFeatureToPass(t *testing.T) {
	known := []string{"a", "b", "c"}
	p, err := LoadProfile(writeTemp(t, "p.yaml", "apiVersion: "+ProfileAPIVersion+"\nname: p\nversion: 1\nrequired: [a, b]\n"), known)
	if err != nil {
		t.Fatal(err)
	}
	m := &Matrix{Columns: []Column{{ID: "cloud/x"}}, Cells: []Cell{
		{Feature: "a", Column: "cloud/x", Result: Pass},
		{Feature: "b", Column: "cloud/x", Result: Skip, Reason: "needs admin"},
		{Feature: "c", Column: "cloud/x", Result: Fail},
	}}
	v, err := m.Judge(p)
	if err != nil {
		t.Fatal(err)
	}
	if v.Pass || len(v.Passed) != 1 || !strings.Contains(v.NotPassed["b"], "needs admin") {
		t.Errorf("verdict %+v: a skipped required feature must fail the profile, with its reason", v)
	}
	m.Cells[1].Result = Pass
	if v, _ := m.Judge(p); !v.Pass || !strings.HasPrefix(v.Line(), "PASS") {
		t.Errorf("verdict %+v: every required feature passed (c is not required)", v)
	}
	all, err := LoadProfile(writeTemp(t, "all.yaml", "apiVersion: "+ProfileAPIVersion+"\nname: all\nversion: 1\nall: true\n"), known)
	if err != nil || len(all.Required) != 3 {
		t.Fatalf("all: %v %+v", err, all)
	}
	if v, _ := m.Judge(all); v.Pass {
		t.Error("profile all passed with a failed cell")
	}
}

func TestLoadProfileRefusesUnknownFeatures(t *testing.T) {
	_, err := LoadProfile(writeTemp(t, "p.yaml", "apiVersion: "+ProfileAPIVersion+"\nname: p\nversion: 1\nrequired: [a, nope]\n"), []string{"a"})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("err = %v, want one naming the unknown feature", err)
	}
}

func TestLoadProductWantsTheTemplateFilledIn(t *testing.T) {
	_, err := LoadProduct(writeTemp(t, "p.yaml", "vendor: <your company>\nproduct: X\nversion: \"1\"\ncontact: a@b\n"))
	if err == nil || !strings.Contains(err.Error(), "vendor") {
		t.Errorf("err = %v, want one naming vendor", err)
	}
	if _, err := LoadProduct(writeTemp(t, "p.yaml", "vendor: V\nproduct: X\nversion: \"1\"\ncontact: a@b\n")); err != nil {
		t.Error(err)
	}
}
