package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/image"
)

// supportedReleases are the Debian suites an image recipe exists for.
var supportedReleases = []string{"bookworm", "trixie", "sid"}

func imagesCmd(args []string) error {
	fs := flag.NewFlagSet("images", flag.ContinueOnError)
	releases := fs.String("releases", "bookworm", "comma-separated Debian suites to build images for")
	mirror := fs.String("mirror", "", "Debian mirror (default: the one this machine's apt sources name)")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	suites, err := parseReleases(*releases)
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

func parseReleases(s string) ([]string, error) {
	var out []string
	for _, r := range strings.Split(s, ",") {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		known := false
		for _, k := range supportedReleases {
			known = known || k == r
		}
		if !known {
			return nil, usagef("unknown release %q (known: %s)", r, strings.Join(supportedReleases, ", "))
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, usagef("no release selected")
	}
	return out, nil
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
