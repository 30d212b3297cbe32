package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sync"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/image"
	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/reports"
)

func imagesCmd(args []string) error {
	fs := flag.NewFlagSet("images", flag.ContinueOnError)
	releases := fs.String("releases", "", "comma-separated Debian suites to build images for (default: every release in deployments/base/releases.yaml)")
	deployments := fs.String("deployments", "deployments", "folder of topology descriptors and base/releases.yaml")
	printTags := fs.Bool("print-tags", false, "print the tag each release's image has today (its recipe and the archive's state: a CI's cache key) and stop")
	var img imageOptions
	img.register(fs)
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	suites, err := parseReleases(*deployments, *releases)
	if err != nil {
		return err
	}
	if err := img.check(*deployments, nil); err != nil {
		return err
	}
	if *printTags {
		ctx, stop := interruptContext()
		defer stop()
		mirrors := image.DefaultMirrors(img.mirror)
		recipes, err := img.recipes(suites, false)
		if err != nil {
			return err
		}
		for _, r := range recipes {
			if err := r.ReadArchive(ctx, mirrors); err != nil {
				return err
			}
			fmt.Println(r.Tag())
		}
		return nil
	}
	ctx, eng, done, err := openEngine()
	if err != nil {
		return err
	}
	defer done()
	_, err = ensureImages(ctx, eng, suites, img)
	return err
}

// registryRE is a registry as Docker tells it from a Docker Hub namespace: a first part with a
// dot or a port, or localhost; no scheme.
var registryRE = regexp.MustCompile(`^(localhost|[A-Za-z0-9.-]+\.[A-Za-z0-9-]+|[A-Za-z0-9.-]+:[0-9]+|\[[0-9a-fA-F:]+\](:[0-9]+)?)(:[0-9]+)?(/[a-z0-9._/-]+)?$`)

// imageOptions say where the images come from; run, certify and images share them.
type imageOptions struct {
	mirror, registry, from string
	push                   bool
	glanceSrc              string              // a Glance source tree to install over each release's package
	apt                    map[string][]string // apt sources by suite, from releases.yaml
	pinned                 map[string]string   // image tag by suite, from --images-from or the rerun's matrix
	strict                 bool                // a release pinned has no image: a usage error (else today's)
	tree                   *image.Tree         // read from glanceSrc
}

func (o *imageOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.mirror, "mirror", "", "Debian mirror for image builds (default: the one this machine's apt sources name)")
	fs.StringVar(&o.registry, "registry", "", "a Docker registry (host:port[/path]) asked for a missing image before it is built")
	fs.BoolVar(&o.push, "push", false, "send the images used to --registry (a CI's first job seeds it, the others pull)")
	fs.StringVar(&o.from, "images-from", "", "a matrix.json: use exactly its images (local or from --registry), never today's build")
	fs.StringVar(&o.glanceSrc, "glance-src", "", "a Glance source tree (a checkout of openstack/glance) to run instead of each release's packaged Glance, over its packaged dependencies")
}

// check reads what the options name; earlier is the matrix whose images a rerun reuses
// unless --images-from names another.
func (o *imageOptions) check(deployments string, earlier *reports.Matrix) error {
	if o.push && o.registry == "" {
		return usagef("--push needs --registry")
	}
	if o.registry != "" && !registryRE.MatchString(o.registry) {
		return usagef("--registry %q: want host:port[/path] (a host with a dot or a port, or localhost; no scheme), or Docker would read it as a Docker Hub namespace", o.registry)
	}
	if o.glanceSrc != "" {
		t, err := image.ReadTree(o.glanceSrc)
		if err != nil {
			return usagef("%v", err)
		}
		o.tree = &t
	}
	rels, err := topology.LoadReleases(deployments)
	if err != nil {
		return usagef("%v", err)
	}
	o.apt = map[string][]string{}
	for _, r := range rels {
		o.apt[r.Suite] = r.Apt
	}
	from := earlier
	if o.from != "" {
		if from, err = reports.ReadJSON(o.from); err != nil {
			return usagef("images-from: %v", err)
		}
	}
	if from != nil {
		o.pinned = map[string]string{}
		for _, c := range from.Columns {
			if c.Release != "" && c.Image != "" {
				o.pinned[c.Release] = c.Image
			}
		}
		o.strict = o.from != ""
	}
	return nil
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

// recipes checks what can be checked of the selected releases' images before anything is built
// or emptied: their recipes (apt sources) and, when images are pinned, that each release has one.
func (o imageOptions) recipes(suites []string, say bool) ([]image.Recipe, error) {
	var out []image.Recipe
	for _, s := range suites {
		r, err := image.ForRelease(s, o.apt[s])
		if err != nil {
			return nil, usagef("deployments/base/releases.yaml: %v", err)
		}
		if _, ok := o.pinned[s]; o.pinned != nil && !ok {
			if o.strict {
				return nil, usagef("--images-from %s has no image of release %s", o.from, s)
			}
			if say {
				fmt.Fprintf(os.Stderr, "image: the matrix rerun recorded no image of %s: today's is used\n", s)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// ensureImages finds, pulls or builds the images and returns what is known of each, by suite.
func ensureImages(ctx context.Context, eng *engine.Engine, suites []string, o imageOptions) (map[string]image.Info, error) {
	src := image.Source{Mirrors: image.DefaultMirrors(o.mirror), Registry: o.registry, Push: o.push}
	// Each build is mostly download and dpkg, so the suites build side by side.
	infos := map[string]image.Info{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(suites))
	recipes, err := o.recipes(suites, true)
	if err != nil {
		return nil, err
	}
	for i, s := range suites {
		r := recipes[i]
		pinned, isPinned := o.pinned[s]
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			var info image.Info
			var err error
			if isPinned {
				info, err = image.EnsureTag(ctx, eng, pinned, src, os.Stderr)
			} else if err = r.ReadArchive(ctx, src.Mirrors); err == nil {
				info, err = image.Ensure(ctx, eng, r, src, os.Stderr)
			}
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
	if o.tree != nil {
		// One at a time: each install runs Glance's migrations, which a second would slow.
		for _, s := range suites {
			info, err := image.WithTree(ctx, eng, infos[s], *o.tree, os.Stderr)
			var refused image.TreeRefused
			if errors.As(err, &refused) {
				return nil, usagef("%v", refused)
			}
			if err != nil {
				return nil, err
			}
			infos[s] = info
		}
	}
	return infos, nil
}
