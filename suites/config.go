// Package suites holds the conformance specs. Each spec is written once, for one feature, and
// runs against every selected column (a topology on a release). The Ginkgo entry point is
// suite_test.go; the runner (cmd/glance-conformance) builds and runs it.
package suites

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/glance-conformance/glance-conformance/harness/hostlock"
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
	flagShard       = flag.String("shard", "0/1", "k/n: run the k-th of n shares of the columns (dealt in turn), beside the other shards")
	flagHostLock    = flag.String("host-lock", "", "lock file shared by the shards of a run, so that benchmarks run alone (none: one shard)")
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
	shard       shard
	lock        hostlock.Lock
	certify     certifyConfig // zero for a matrix run
}

// shard is this process's share of the columns: column i of the run is its if i%count == index.
type shard struct{ index, count int }

func (s shard) owns(i int) bool { return i%s.count == s.index }

// String is the shard's prefix on progress lines, empty for a run in one process.
func (s shard) String() string {
	if s.count <= 1 {
		return ""
	}
	return fmt.Sprintf("shard %d/%d ", s.index+1, s.count)
}

func parseShard(v string) (shard, error) {
	var s shard
	if _, err := fmt.Sscanf(v, "%d/%d", &s.index, &s.count); err != nil || s.count < 1 || s.index < 0 || s.index >= s.count {
		return shard{}, fmt.Errorf("--shard: %q is not k/n with 0 <= k < n", v)
	}
	return s, nil
}

func loadConfig() (*config, error) {
	cert := certifyFlags()
	var tops []*topology.Topology
	var err error
	switch {
	case cert.start != "":
		// A deployment that is no matrix column, started to be certified like a cloud.
		var t *topology.Topology
		if t, err = topology.Load(filepath.Join(*flagDeployments, cert.start)); err == nil && len(t.Clouds) == 0 {
			err = fmt.Errorf("--start %s: the topology offers no clouds to certify through", cert.start)
		}
		tops = []*topology.Topology{t}
	case cert.cloud == "":
		tops, err = topology.Select(*flagDeployments, *flagTopologies)
	}
	if err != nil {
		return nil, err
	}
	cfg := &config{deployments: *flagDeployments, topologies: tops, images: map[string]string{}, out: *flagOut, runID: *flagRunID, keep: *flagKeep, lock: hostlock.New(*flagHostLock), certify: cert}
	if cfg.shard, err = parseShard(*flagShard); err != nil {
		return nil, err
	}
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
	if len(cfg.releases) == 0 && cert.cloud != "" {
		cfg.releases = []string{existingCloudRelease} // no image: the cloud is already running
	}
	if len(cfg.releases) == 0 {
		return nil, fmt.Errorf("--images names no release: run the suite through glance-conformance run (make conformance)")
	}
	cfg.out, err = filepath.Abs(cfg.out)
	return cfg, err
}
