package suites

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestConformance is the suite's entry point. The columns come from the flags, so the tree is
// built here, after flag parsing and before RunSpecs.
func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	cfg, err := loadConfig()
	if err != nil {
		t.Fatalf("glance-conformance: %v", err)
	}
	defineColumns(cfg)
	RunSpecs(t, "Glance conformance")
}
