// Package framework is what the conformance specs (package suites) stand on, as Kubernetes'
// e2e specs stand on test/e2e/framework: Conformance declares a feature and its spec; the spec
// drives a Target (its clients and identities, the run's payload, cleanup, waits, evidence) and
// asserts with Gomega. Below that, and out of the specs' sight, the framework builds the spec
// tree of columns (a topology on a release) from the run configuration (suites/runconfig),
// starts and stops them, keeps them answering, and signs in to a certified cloud's accounts.
package framework

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/glance-conformance/glance-conformance/harness/hostlock"
	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/suites/runconfig"
)

var flagRunConfig = flag.String("run-config", "", "the run configuration (run.json) the command writes; default: $"+runconfig.EnvVar)

// errNotConfigured ends TestConformance as skipped: `go test ./...` without a run is no failure.
var errNotConfigured = errors.New("no run configured: `make conformance` runs the suite; to run it yourself (go test, ginkgo run), see README.md, \"Running the suite with Ginkgo\"")

// config is what the run configuration selects, loaded.
type config struct {
	*runconfig.Run
	topologies []*topology.Topology
	images     map[string]string // release -> image reference
	releases   []string
	lock       hostlock.Lock
}

func loadConfig() (*config, error) {
	path := *flagRunConfig
	if path == "" {
		path = os.Getenv(runconfig.EnvVar)
	}
	if path == "" {
		return nil, errNotConfigured
	}
	run, err := runconfig.Read(path)
	if err != nil {
		return nil, err
	}
	cfg := &config{Run: run, images: map[string]string{}, lock: hostlock.New(run.HostLock)}
	for _, rel := range run.Releases {
		cfg.images[rel.Name] = rel.Image
		cfg.releases = append(cfg.releases, rel.Name)
	}
	if run.Certify != nil && run.Certify.Dir != "" {
		if err := os.Chdir(run.Certify.Dir); err != nil {
			return nil, fmt.Errorf("certify: %v", err)
		}
	}
	switch {
	case run.ExistingCloud():
		// One column: the cloud, already running; what it runs is its own.
		cfg.releases = []string{existingCloudRelease}
		cfg.topologies = []*topology.Topology{{Name: run.Certify.Accounts.Main, Description: "an existing cloud, signed in to through clouds.yaml", EndpointPath: "/"}}
	case run.Certify != nil:
		// A deployment that is no matrix column, started to be certified like a cloud.
		t, err := topology.Load(filepath.Join(run.Deployments, run.Certify.Start))
		if err == nil && t.Identity != topology.IdentityKeystone {
			err = fmt.Errorf("certify %s: the topology does not authenticate through Keystone (identity: keystone), so it offers no clouds to certify through", run.Certify.Start)
		}
		if err != nil {
			return nil, err
		}
		cfg.topologies = []*topology.Topology{t}
	default:
		if cfg.topologies, err = topology.Select(run.Deployments, strings.Join(run.Topologies, ",")); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}
