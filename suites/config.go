// Package suites holds the conformance specs. Each spec is written once, for one feature, and
// runs against every selected column (a topology on a release). The Ginkgo entry point is
// suite_test.go; the runner (cmd/glance-conformance) builds and runs it.
package suites

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/glance-conformance/glance-conformance/harness/topology"
)

// Flags the runner passes to the suite binary.
var (
	flagDeployments = flag.String("deployments", "../deployments", "folder of topology descriptors")
	flagTopologies  = flag.String("topologies", "", "comma-separated topologies (default: all)")
	flagImages      = flag.String("images", "", "release=image pairs, comma-separated, e.g. bookworm=glance-conformance/glance:bookworm-abc")
	flagOut         = flag.String("out", "../out", "output folder (logs are written to <out>/logs/<column>/)")
	flagRunID       = flag.String("run-id", "local", "id labelling this run's containers")
	flagKeep        = flag.Bool("keep", false, "leave the containers running at the end, for inspection")
)

// config is what the flags select.
type config struct {
	topologies  []*topology.Topology
	images      map[string]string // release -> image reference
	releases    []string
	out         string
	runID       string
	keep        bool
	deployments string
}

func loadConfig() (*config, error) {
	tops, err := topology.Select(*flagDeployments, *flagTopologies)
	if err != nil {
		return nil, err
	}
	cfg := &config{deployments: *flagDeployments, topologies: tops, images: map[string]string{}, out: *flagOut, runID: *flagRunID, keep: *flagKeep}
	for _, pair := range strings.Split(*flagImages, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		rel, ref, ok := strings.Cut(pair, "=")
		if !ok || rel == "" || ref == "" {
			return nil, fmt.Errorf("--images: %q is not release=image", pair)
		}
		cfg.images[rel] = ref
		cfg.releases = append(cfg.releases, rel)
	}
	if len(cfg.releases) == 0 {
		return nil, fmt.Errorf("--images names no release: run the suite through glance-conformance run (make conformance)")
	}
	cfg.out, err = filepath.Abs(cfg.out)
	return cfg, err
}
