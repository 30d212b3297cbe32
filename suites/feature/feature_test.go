package feature

import (
	"regexp"
	"strings"
	"testing"

	"github.com/glance-conformance/glance-conformance/fixtures/tempest"
)

func TestRegistryIsWellFormed(t *testing.T) {
	idRE := regexp.MustCompile(`^[a-z]+(-[a-z]+)*(\.[a-z0-9-]+)*$`)
	seen := map[string]bool{}
	for _, f := range All() {
		if !idRE.MatchString(f.ID) || seen[f.ID] {
			t.Errorf("bad or duplicate id %q", f.ID)
		}
		seen[f.ID] = true
		if f.Title == "" || f.Proves == "" || len(f.Tempest) == 0 {
			t.Errorf("%s: title, proves and tempest are all required", f.ID)
		}
		// Ginkgo labels may not contain these.
		if strings.ContainsAny(f.Label(), "&|!,()/") {
			t.Errorf("%s: not usable as a Ginkgo label", f.ID)
		}
	}
	if len(seen) < 12 {
		t.Errorf("%d features, the matrix has at least 12", len(seen))
	}
}

func TestLookupAndLabelFilter(t *testing.T) {
	if _, err := Lookup("upload.nope"); err == nil || !strings.Contains(err.Error(), "upload.chunked") {
		t.Fatalf("unknown id must fail and list known ids: %v", err)
	}
	got, err := LabelFilter("upload.chunked, api.versions")
	if err != nil || got != "feature:upload.chunked || feature:api.versions" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := LabelFilter("upload.chunked,bogus"); err == nil {
		t.Fatal("an unknown id in a selection must fail")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Get of an unknown id must panic")
		}
	}()
	Get("bogus")
}

func TestTempestNamesExistInAReferenceList(t *testing.T) {
	known := map[string]bool{}
	for _, n := range tempest.AllTests() {
		known[n] = true
	}
	for _, f := range All() {
		for _, n := range f.Tempest {
			if n != "none" && !known[n] {
				t.Errorf("%s maps to %q, which no reference list (fixtures/tempest) has", f.ID, n)
			}
			if n == "none" && len(f.Tempest) > 1 {
				t.Errorf("%s: \"none\" must stand alone", f.ID)
			}
		}
	}
}

// Every test of the reference lists has a feature or a reason in uncovered.yaml, never both.
func TestEveryTempestTestIsCoveredOrSaysWhyNot(t *testing.T) {
	uncovered, err := tempest.Uncovered()
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, f := range All() {
		for _, n := range f.Tempest {
			covered[n] = true
		}
	}
	listed := map[string]bool{}
	for _, n := range tempest.AllTests() {
		listed[n] = true
		why, left := uncovered[n]
		switch {
		case covered[n] && left:
			t.Errorf("%s has a feature but uncovered.yaml says why not: %s", n, why)
		case !covered[n] && (!left || why == ""):
			t.Errorf("%s: no feature covers it and uncovered.yaml does not say why", n)
		}
	}
	for n := range uncovered {
		if !listed[n] {
			t.Errorf("uncovered.yaml names %s, which no reference list has", n)
		}
	}
}
