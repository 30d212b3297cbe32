package framework

import (
	"errors"
	"testing"

	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// DefineMatrix builds the spec tree of the run configuration's columns, with the declared
// specs in each; the suite's entry point calls it after flag parsing and before RunSpecs.
// Without a configuration it skips the test, saying how to run the suite, so that `go test
// ./...` passes on a machine without Docker.
func DefineMatrix(t *testing.T) {
	cfg, err := loadConfig()
	if errors.Is(err, errNotConfigured) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatalf("glance-conformance: %v", err)
	}
	defineColumns(cfg)
}

// FailWithReason is the suite's Gomega fail handler: Ginkgo's Fail, with Gomega's message
// turned into the cell's one-line reason.
func FailWithReason(message string, callerSkip ...int) {
	failWithReason(message, append(callerSkip, 0)[0]+1)
}

// Declared returns the features the specs declared, in the order they were declared.
func Declared() []feature.Feature {
	fs := make([]feature.Feature, len(specs))
	for i, s := range specs {
		fs[i] = s.feature
	}
	return fs
}
