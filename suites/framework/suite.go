package framework

import (
	"errors"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// RunSuite runs the declared specs against the columns of the run configuration. Without a
// configuration it skips, saying how to run it, so that `go test ./...` passes on a machine
// without Docker. The tree is built here, after flag parsing and before RunSpecs.
func RunSuite(t *testing.T) {
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

// Declared returns the features the specs declared, in the order they were declared.
func Declared() []feature.Feature {
	fs := make([]feature.Feature, len(specs))
	for i, s := range specs {
		fs[i] = s.feature
	}
	return fs
}
