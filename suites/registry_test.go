package suites

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

var update = flag.Bool("update", false, "rewrite suites/feature/features.yaml from the specs' declarations (make features)")

// declared returns the specs' features in the checked-in list's order, with new ones after it
// in the order they are declared: rows keep their place in the matrix when features are added.
func declared() []feature.Feature {
	order := map[string]int{}
	for i, f := range feature.All() {
		order[f.ID] = i
	}
	fs := framework.Declared()
	slices.SortStableFunc(fs, func(a, b feature.Feature) int {
		ia, oka := order[a.ID]
		ib, okb := order[b.ID]
		switch {
		case oka && okb:
			return ia - ib
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0
	})
	return fs
}

// The checked-in list is what the command, profiles and reports read: it must say exactly
// what the specs declare. make features rewrites it (go test ./suites -run this -update).
func TestCheckedInFeatureListMatchesTheSpecs(t *testing.T) {
	path := filepath.Join("feature", feature.ListFile)
	got := feature.Render(declared())
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("%s is out of date with the specs' declarations: run make features and commit the result", path)
	}
}

func TestDeclarationsAreWellFormed(t *testing.T) {
	idRE := regexp.MustCompile(`^[a-z]+(-[a-z]+)*(\.[a-z0-9-]+)*$`)
	for _, f := range framework.Declared() {
		if !idRE.MatchString(f.ID) || f.Title == "" || f.Proves == "" || len(f.Tempest) == 0 {
			t.Errorf("%q: an id of lower-case words, a title, what a pass proves and the Tempest tests (or \"none\") are all required", f.ID)
		}
		for _, p := range f.Parts {
			if p != feature.PartMember && p != feature.PartOther {
				t.Errorf("%s: unknown part %q", f.ID, p)
			}
		}
	}
}
