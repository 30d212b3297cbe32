// Package runconfig is the contract between the command (cmd/glance-conformance) and the suite:
// one versioned file that both sides read into the same type. The command writes it into the
// run's output folder; the suite reads the file named by -run-config or GLANCE_CONFORMANCE_RUN.
package runconfig

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Schema names this version of the file; a suite refuses any other.
const Schema = "glance-conformance/run/v1"

// EnvVar names the file when the suite runs under `go test` or the ginkgo CLI.
const EnvVar = "GLANCE_CONFORMANCE_RUN"

// ProgressTotal starts the progress file's line that gives how many specs will run; a line
// about the run (a column starting) starts with two spaces; any other line is one spec's.
const ProgressTotal = "specs to run: "

// FileName is where the command writes the configuration, in the output folder.
const FileName = "run.json"

// Run is everything the suite needs to know about a run.
type Run struct {
	Schema string `json:"schema"`
	// ID labels every container, network and volume of the run and prefixes the names of the
	// cloud resources it creates, so that a run only ever touches its own.
	ID          string `json:"id"`
	Deployments string `json:"deployments"` // folder of topology descriptors (absolute)
	Out         string `json:"out"`         // output folder (absolute): logs/<column>/...
	Keep        bool   `json:"keep,omitempty"`
	// Releases and their images, in the matrix's order. An existing cloud has no release.
	Releases []Release `json:"releases,omitempty"`
	// Topologies are the matrix's topologies, in the matrix's order.
	Topologies []string `json:"topologies,omitempty"`
	// HostLock is the file Ginkgo's parallel processes share so that benchmarks run alone
	// (empty: one process).
	HostLock string `json:"host_lock,omitempty"`
	// Progress is the file each process appends a line to per spec, for the command to show
	// (Ginkgo's CLI keeps parallel processes' own output until they end); empty: stderr.
	Progress string `json:"progress,omitempty"`
	// Registry, when set, is asked for a missing image (one extended with a container's
	// packages) before it is built; Push sends the images the run uses to it.
	Registry string `json:"registry,omitempty"`
	Push     bool   `json:"push,omitempty"`
	// Identity is how the columns' clients identify themselves: "" for the trusted headers (no
	// Keystone), or "keystone": one Keystone for the run, tokens checked by keystonemiddleware.
	Identity string `json:"identity,omitempty"`
	// Tempest, when set, is the regex of Tempest's tests each column also runs (make
	// crosscheck), after its features; it needs the Keystone identity.
	Tempest string `json:"tempest,omitempty"`
	// Certify is set when the run certifies one cloud instead of building a matrix.
	Certify *Certify `json:"certify,omitempty"`
}

// IdentityKeystone is the identity that signs in to the run's shared Keystone.
const IdentityKeystone = "keystone"

// Release is a Debian release and the Glance image built from it.
type Release struct {
	Name  string `json:"name"`
	Image string `json:"image"`
}

// Certify is what a certification run certifies: an existing cloud through clouds.yaml
// entries, one per account, or a deployment of ours (Start) through the clouds it generates.
type Certify struct {
	Accounts Accounts `json:"accounts,omitempty"`
	Start    string   `json:"start,omitempty"` // deployments/<Start>, which offers clouds
	// Dir is the folder the command ran in: OpenStack's tools look for clouds.yaml there first,
	// and a relative cacert or OS_CLIENT_CONFIG_FILE is relative to it, so the suite, which
	// Ginkgo's CLI starts in another folder, works from there too.
	Dir string `json:"dir,omitempty"`
}

// Accounts are the clouds.yaml entries playing each part of the specs (imageapi.PartMain, ...).
// Main is required for an existing cloud; a feature that needs a part not given is skipped,
// saying so.
type Accounts struct {
	Main   string `json:"main,omitempty"`   // the account the specs act as, in the project they work in
	Member string `json:"member,omitempty"` // a member (not admin) of the same project
	Other  string `json:"other,omitempty"`  // a member of another project, for sharing
}

// ExistingCloud tells whether the run certifies a cloud the harness does not start.
func (r *Run) ExistingCloud() bool { return r.Certify != nil && r.Certify.Start == "" }

// Write writes the configuration as JSON.
func (r *Run) Write(path string) error {
	r.Schema = Schema
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Read reads and checks a configuration file.
func Read(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("run configuration: %w", err)
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("run configuration %s: %v", path, err)
	}
	return &r, r.check(path)
}

func (r *Run) check(path string) error {
	var problems []string
	if r.Schema != Schema {
		problems = append(problems, fmt.Sprintf("schema %q, want %q", r.Schema, Schema))
	}
	if r.ID == "" {
		problems = append(problems, "no id")
	}
	if !filepath.IsAbs(r.Out) || (!r.ExistingCloud() && !filepath.IsAbs(r.Deployments)) {
		problems = append(problems, "out and deployments must be absolute paths")
	}
	switch {
	case r.ExistingCloud():
		if r.Certify.Accounts.Main == "" {
			problems = append(problems, "certify: no main account")
		}
	case len(r.Releases) == 0:
		problems = append(problems, "no release")
	}
	if r.Identity != "" && r.Identity != IdentityKeystone {
		problems = append(problems, fmt.Sprintf("identity %q: want %q or nothing (the trusted headers)", r.Identity, IdentityKeystone))
	}
	if r.Tempest != "" && r.Identity != IdentityKeystone {
		problems = append(problems, "tempest needs the keystone identity: Tempest signs in through Keystone")
	}
	for _, rel := range r.Releases {
		if rel.Name == "" || rel.Image == "" {
			problems = append(problems, fmt.Sprintf("release %+v without a name or an image", rel))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("run configuration %s: %s", path, strings.Join(problems, "; "))
	}
	return nil
}
