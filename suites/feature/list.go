package feature

import (
	"bytes"
	_ "embed"

	"gopkg.in/yaml.v3"
)

// ListFile is the checked-in list of features, relative to this package.
const ListFile = "features.yaml"

//go:embed features.yaml
var listed []byte

// registry is the checked-in list, read once.
var registry = func() []Feature {
	var fs []Feature
	if err := yaml.Unmarshal(listed, &fs); err != nil {
		panic("suites/feature/features.yaml: " + err.Error())
	}
	return fs
}()

// Render writes features as the checked-in list.
func Render(fs []Feature) []byte {
	var b bytes.Buffer
	b.WriteString("# Generated from the specs' declarations (package suites) by make features; do not edit.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(fs); err != nil {
		panic(err) // plain strings always encode
	}
	return b.Bytes()
}

// List is the checked-in list as it is embedded in this binary.
func List() []byte { return listed }
