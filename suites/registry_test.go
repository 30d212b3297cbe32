package suites

import (
	"testing"

	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// Every registered feature is a row of the matrix, so each needs exactly one spec (conformance
// already refuses a spec for an unregistered id or a second spec for one).
func TestEveryFeatureHasASpec(t *testing.T) {
	have := map[string]bool{}
	for _, s := range specs {
		have[s.feature.ID] = true
	}
	for _, f := range feature.All() {
		if !have[f.ID] {
			t.Errorf("feature %s has no spec", f.ID)
		}
	}
}
