package feature

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// ListFile is the checked-in list of features, relative to this package; make features writes
// it and a unit test fails when it and the registry disagree, as Kubernetes does with
// test/conformance/testdata/conformance.yaml.
const ListFile = "features.yaml"

type listed struct {
	ID      string   `yaml:"id"`
	Title   string   `yaml:"title"`
	Proves  string   `yaml:"proves"`
	Tempest []string `yaml:"tempest"`
	// What certifying an existing cloud on this feature needs (omitted when nothing).
	Setup string   `yaml:"setup,omitempty"`
	Admin bool     `yaml:"admin,omitempty"`
	Parts []string `yaml:"parts,omitempty"`
}

// List renders the registry as the checked-in YAML list.
func List() []byte {
	var b bytes.Buffer
	b.WriteString("# Generated from suites/feature/feature.go by make features; do not edit.\n")
	items := make([]listed, 0, len(registry))
	for _, f := range registry {
		items = append(items, listed{f.ID, f.Title, f.Proves, f.Tempest, f.Setup, f.Admin, f.Parts})
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(items); err != nil {
		panic(err) // plain strings always encode
	}
	return b.Bytes()
}
