package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/hostlock"
)

// Source says where a missing image comes from: a registry first (when given), else a build
// from the mirrors; Push sends the images a run uses to the registry, so that the next machine
// pulls instead of building.
type Source struct {
	Mirrors  Mirrors
	Registry string // host:port[/path] of a Docker registry; "" for none
	Push     bool
}

// Ensure returns the image for the recipe: the local one, else the registry's, else a new build.
// The recipe's archive must have been read (ReadArchive). Versions and the suite are read back
// from the labels the recipe wrote into the image.
func Ensure(ctx context.Context, eng *engine.Engine, r Recipe, src Source, log io.Writer) (Info, error) {
	if r.Archive.Key == "" {
		return Info{}, fmt.Errorf("image for %s: the archive's state was not read", r.Suite)
	}
	return obtain(ctx, eng, r.Tag(), src, log, func() error {
		fmt.Fprintf(log, "image: %s not present, building it (a few minutes)\n", r.Tag())
		return r.Build(ctx, src.Mirrors, log)
	})
}

// EnsureTag returns an image named by its tag (one an earlier run used, say): the local one,
// else the registry's. It is never built: today's archive would not give the same packages.
func EnsureTag(ctx context.Context, eng *engine.Engine, tag string, src Source, log io.Writer) (Info, error) {
	return obtain(ctx, eng, tag, src, log, func() error {
		where := "no registry was given (--registry)"
		if src.Registry != "" {
			where = "nor in registry " + src.Registry
		}
		return fmt.Errorf("image %s is not on this engine, %s: a pinned image is never rebuilt (today's archive would give other packages)", tag, where)
	})
}

// obtain finds tag locally, pulls it, or builds it; then pushes it when asked to. Processes
// that need the same image (Ginkgo's, starting two columns that extend it) take turns: the
// first makes it, the others find it made.
func obtain(ctx context.Context, eng *engine.Engine, tag string, src Source, log io.Writer, build func() error) (Info, error) {
	h := sha256.Sum256([]byte(tag))
	lockFile := filepath.Join(LockDir, "image-"+hex.EncodeToString(h[:8]))
	unlock, err := hostlock.New(lockFile).Exclusive(ctx)
	if err != nil {
		return Info{}, fmt.Errorf("waiting for another process making %s: %w", tag, err)
	}
	defer unlock()
	labels, ok, err := eng.ImageLabels(ctx, tag)
	if err != nil {
		return Info{}, err
	}
	pulled := false
	if !ok && src.Registry != "" {
		if pulled, err = pull(ctx, src.Registry, tag, log); err != nil {
			return Info{}, err
		}
	}
	if !ok && !pulled {
		if err := build(); err != nil {
			return Info{}, err
		}
	}
	if !ok {
		if labels, ok, err = eng.ImageLabels(ctx, tag); err != nil || !ok {
			return Info{}, fmt.Errorf("image %s missing after it was made: %v", tag, err)
		}
	}
	if src.Push && src.Registry != "" && !pulled {
		if err := push(ctx, src.Registry, tag, log); err != nil {
			return Info{}, err
		}
	}
	return InfoFromLabels(tag, labels), nil
}

// LockDir holds the files through which processes take turns making an image (make clean
// removes it).
var LockDir = filepath.Join(os.TempDir(), "glance-conformance-locks")

// RegistryRef is the name of a local tag in a registry: "host:port/path/" + tag.
func RegistryRef(registry, tag string) string {
	return strings.TrimSuffix(registry, "/") + "/" + tag
}

// pull fetches tag from the registry and names it locally by tag; false when the registry does
// not have it (a registry that cannot be reached is an error: a build would hide it).
func pull(ctx context.Context, registry, tag string, log io.Writer) (bool, error) {
	ref := RegistryRef(registry, tag)
	out, err := exec.CommandContext(ctx, "docker", "pull", "--quiet", ref).CombinedOutput()
	if err != nil {
		msg := strings.ToLower(string(out))
		// The registry's own answers for a tag or repository it does not hold (distribution's
		// MANIFEST_UNKNOWN, NAME_UNKNOWN); anything else (a host that is no registry) is an error.
		if strings.Contains(msg, "manifest unknown") || strings.Contains(msg, "name unknown") {
			fmt.Fprintf(log, "image: %s is not in %s\n", tag, registry)
			return false, nil
		}
		return false, fmt.Errorf("pulling %s: %v: %s", ref, err, strings.TrimSpace(string(out)))
	}
	if err := docker(ctx, "tag", ref, tag); err != nil {
		return false, err
	}
	// The registry's name is dropped; the image stays under the local tag.
	if err := docker(ctx, "rmi", ref); err != nil {
		return false, err
	}
	fmt.Fprintf(log, "image: %s pulled from %s\n", tag, registry)
	return true, nil
}

// push sends tag to the registry under the same name.
func push(ctx context.Context, registry, tag string, log io.Writer) error {
	ref := RegistryRef(registry, tag)
	if err := docker(ctx, "tag", tag, ref); err != nil {
		return err
	}
	defer docker(context.Background(), "rmi", ref)
	if err := docker(ctx, "push", "--quiet", ref); err != nil {
		return err
	}
	fmt.Fprintf(log, "image: %s pushed to %s\n", tag, registry)
	return nil
}

func docker(ctx context.Context, args ...string) error {
	if out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
