package suites

import (
	"errors"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestConformance is the suite's entry point. The columns come from the run configuration, so
// the tree is built here, after flag parsing and before RunSpecs. Without a configuration it
// skips, saying how to run it: `go test ./...` passes on a machine without Docker.
func TestConformance(t *testing.T) {
	RegisterFailHandler(failWithReason)
	cfg, err := loadConfig()
	if errors.Is(err, errNotConfigured) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatalf("glance-conformance: %v", err)
	}
	defineColumns(cfg)
	RunSpecs(t, "Glance conformance")
}
