package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/image"
	"github.com/glance-conformance/glance-conformance/harness/topology"
)

func imagesCmd(args []string) error {
	fs := flag.NewFlagSet("images", flag.ContinueOnError)
	releases := fs.String("releases", "", "comma-separated Debian suites to build images for (default: every release in deployments/base/releases.yaml)")
	deployments := fs.String("deployments", "deployments", "folder of topology descriptors and base/releases.yaml")
	mirror := fs.String("mirror", "", "Debian mirror (default: the one this machine's apt sources name)")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	suites, err := parseReleases(*deployments, *releases)
	if err != nil {
		return err
	}
	ctx, eng, done, err := openEngine()
	if err != nil {
		return err
	}
	defer done()
	_, err = ensureImages(ctx, eng, suites, *mirror)
	return err
}

// parseReleases checks a comma-separated list of releases against deployments/base/
// releases.yaml ("" selects them all) and returns their Debian suites.
func parseReleases(deployments, names string) ([]string, error) {
	rels, err := topology.SelectReleases(deployments, names)
	if err != nil {
		return nil, usagef("%v", err)
	}
	suites := make([]string, len(rels))
	for i, r := range rels {
		suites[i] = r.Suite
	}
	return suites, nil
}

// openEngine connects to the Docker engine under a context that Ctrl-C and SIGTERM cancel.
// No engine is a usage error: one line, exit status 2.
func openEngine() (context.Context, *engine.Engine, func(), error) {
	ctx, stop := interruptContext()
	eng, err := engine.Connect(ctx)
	if err != nil {
		stop()
		if errors.Is(err, engine.ErrUnavailable) {
			return nil, nil, nil, usagef("%v (is the Docker daemon running?)", err)
		}
		return nil, nil, nil, err
	}
	return ctx, eng, func() { eng.Close(); stop() }, nil
}

// ensureImages builds the missing images and returns what is known of each, by suite.
func ensureImages(ctx context.Context, eng *engine.Engine, suites []string, mirror string) (map[string]image.Info, error) {
	if mirror == "" {
		mirror = image.DefaultMirror()
	}
	// Each build is mostly download and dpkg, so the suites build side by side.
	infos := map[string]image.Info{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(suites))
	for i, s := range suites {
		r, err := image.ForSuite(s)
		if err != nil {
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			info, err := image.Ensure(ctx, eng, r, mirror, os.Stderr)
			if err != nil {
				errs[i] = err
				return
			}
			fmt.Fprintf(os.Stderr, "image: %s ready (glance %s) in %s\n", info.Tag, info.Versions["glance"], time.Since(start).Round(time.Second))
			mu.Lock()
			infos[s] = info
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return infos, nil
}
