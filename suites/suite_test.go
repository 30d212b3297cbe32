// Package suites holds the conformance specs: each is written once, for one feature, and runs
// against every selected column (a topology on a release). They stand on suites/framework.
package suites

import (
	"testing"

	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// TestConformance is the suite's entry point (go test, ginkgo run, the command).
func TestConformance(t *testing.T) { framework.RunSuite(t) }
