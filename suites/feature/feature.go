// Package feature is the frozen list of the matrix's rows. Each feature is declared once, with
// its spec (package suites); features.yaml, generated from those declarations by make features
// and checked in, is the list everything else reads (the command, profiles, reports), as
// Kubernetes checks in test/conformance/testdata/conformance.yaml. A feature id is part of the
// report format: a unit test fails while the list and the specs disagree.
package feature

import (
	"fmt"
	"sort"
	"strings"

	"github.com/glance-conformance/glance-conformance/reports"
)

// Feature is one row of the matrix.
type Feature struct {
	ID     string `yaml:"id"`
	Title  string `yaml:"title"`
	Proves string `yaml:"proves"` // what a pass shows, in one sentence
	// Tempest lists the Tempest tests covering the same capability ("none" when none does).
	Tempest []string `yaml:"tempest"`
	// What certifying an existing cloud on this feature needs, beyond one member of a project.
	// Setup names server-side configuration of ours that the verdict depends on (two stores, a
	// size cap, a protections file): a cloud we did not configure cannot be judged on it, so
	// certification skips it with this reason. Admin: the main account must hold the admin
	// role. Parts: the accounts beyond the main one (PartMember, PartOther).
	Setup string   `yaml:"setup,omitempty"`
	Admin bool     `yaml:"admin,omitempty"`
	Parts []string `yaml:"parts,omitempty"`
}

// Label is the Ginkgo label a spec for this feature carries ("feature:<id>").
func (f Feature) Label() string { return LabelPrefix + f.ID }

// LabelPrefix starts every feature label; TopologyLabelPrefix and ReleaseLabelPrefix the
// column labels.
const (
	// BenchmarkLabel marks each column's throughput benchmark, which is no feature.
	BenchmarkLabel = "benchmark"
	// TempestLabel marks each column's crosscheck: Tempest's own tests (make crosscheck).
	TempestLabel        = "tempest"
	LabelPrefix         = reports.FeatureLabelPrefix
	TopologyLabelPrefix = "topology:"
	ReleaseLabelPrefix  = "release:"
)

// All returns every feature, in the list's order (the matrix's row order).
func All() []Feature { return append([]Feature(nil), registry...) }

// Get returns a feature by id; an unknown id panics, because a spec with an unregistered id is
// a programming error that must stop the suite before anything runs.
func Get(id string) Feature {
	f, err := Lookup(id)
	if err != nil {
		panic(err)
	}
	return f
}

// Lookup returns a feature by id, or an error naming the known ids.
func Lookup(id string) (Feature, error) {
	for _, f := range registry {
		if f.ID == id {
			return f, nil
		}
	}
	return Feature{}, fmt.Errorf("unknown feature %q (known: %s)", id, strings.Join(IDs(), ", "))
}

// IDs lists the registered ids, sorted.
func IDs() []string {
	ids := make([]string, len(registry))
	for i, f := range registry {
		ids[i] = f.ID
	}
	sort.Strings(ids)
	return ids
}

// LabelFilter turns a comma-separated list of feature ids into a Ginkgo label filter,
// checking every id.
func LabelFilter(ids string) (string, error) {
	var parts []string
	for _, id := range strings.Split(ids, ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		f, err := Lookup(id)
		if err != nil {
			return "", err
		}
		parts = append(parts, f.Label())
	}
	return strings.Join(parts, " || "), nil
}
