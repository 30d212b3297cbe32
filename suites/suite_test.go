// Package suites holds the conformance specs: each is written once, for one feature, and runs
// against every selected column (a topology on a release). They stand on suites/framework.
package suites

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// TestConformance is the suite's entry point (go test, ginkgo run, the command), as Ginkgo
// bootstraps any suite: the columns come from the run configuration.
func TestConformance(t *testing.T) {
	RegisterFailHandler(framework.FailWithReason)
	framework.DefineMatrix(t)
	RunSpecs(t, "Glance conformance")
}
