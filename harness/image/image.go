// Package image builds and finds the Glance container images. An image is made from Debian's
// packages with debootstrap (no registry is needed or used) and tagged with a hash of its recipe,
// so a changed recipe gives a new tag and an unchanged one is reused.
package image

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/glance-conformance/glance-conformance/harness/engine"
)

//go:embed recipe
var recipeFS embed.FS

// Repository is the local image repository name; tags are "<suite>-<recipe hash>".
const Repository = "glance-conformance/glance"

// LabelPrefix starts every label the recipe writes into the image.
const LabelPrefix = "org.glance-conformance."

// Recipe describes one image: which Debian suite, and the files that say how to build it.
type Recipe struct {
	Suite string
	files map[string][]byte
}

// ForSuite returns the recipe for a Debian suite (bookworm, trixie, sid).
func ForSuite(suite string) (Recipe, error) {
	if suite == "" || strings.ContainsAny(suite, "/: ") {
		return Recipe{}, fmt.Errorf("invalid Debian suite %q", suite)
	}
	files := map[string][]byte{}
	err := fs.WalkDir(recipeFS, "recipe", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := recipeFS.ReadFile(path)
		files[path] = b
		return err
	})
	return Recipe{Suite: suite, files: files}, err
}

// Hash is a short digest of everything that decides the image's content.
func (r Recipe) Hash() string {
	names := make([]string, 0, len(r.files))
	for n := range r.files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "suite=%s\n", r.Suite)
	for _, n := range names {
		fmt.Fprintf(h, "%s %d\n", n, len(r.files[n]))
		h.Write(r.files[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Tag is the full image reference for this recipe.
func (r Recipe) Tag() string { return fmt.Sprintf("%s:%s-%s", Repository, r.Suite, r.Hash()) }

// Build runs the recipe: debootstrap, apt-get install, docker import. It needs root,
// debootstrap and the docker CLI. Progress lines go to log.
func (r Recipe) Build(ctx context.Context, mirror string, log *os.File) error {
	work, err := os.MkdirTemp("", "glance-conformance-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	for name, content := range r.files {
		dst := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, content, 0o755); err != nil {
			return err
		}
	}
	for _, tool := range []string{"debootstrap", "docker", "chroot"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("building the image needs %s on PATH (make images installs debootstrap)", tool)
		}
	}
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(work, "recipe/build-rootfs.sh"),
		r.Suite, mirror, filepath.Join(work, "recipe/packages.txt"), r.Tag(), filepath.Join(work, "build"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s: %w", r.Tag(), err)
	}
	return nil
}

// DefaultMirror returns the Debian mirror this machine's own apt sources name, so that the
// image is built from the same (possibly dated, possibly proxied) mirror the machine uses.
func DefaultMirror() string {
	candidates := []string{"/etc/apt/sources.list"}
	if more, _ := filepath.Glob("/etc/apt/sources.list.d/*"); more != nil {
		candidates = append(candidates, more...)
	}
	for _, path := range candidates {
		if m := mirrorIn(path); m != "" {
			return m
		}
	}
	return "http://deb.debian.org/debian"
}

// mirrorIn finds the first Debian main archive URI in an apt sources file, in either the
// one-line format ("deb [opts] URI suite ...") or deb822 ("URIs: URI ...").
func mirrorIn(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		var uris []string
		switch {
		case len(fields) >= 2 && fields[0] == "deb":
			uris = fields[1:]
		case len(fields) >= 2 && fields[0] == "URIs:":
			uris = fields[1:]
		}
		for _, u := range uris {
			if strings.Contains(u, "://") && strings.HasSuffix(strings.TrimSuffix(u, "/"), "/debian") {
				return strings.TrimSuffix(u, "/")
			}
		}
	}
	return ""
}

// Ensure returns the image for the recipe, building it first when it is not present locally.
// Versions and the suite are read back from the labels the recipe wrote into the image.
func Ensure(ctx context.Context, eng *engine.Engine, r Recipe, mirror string, log *os.File) (Info, error) {
	labels, ok, err := eng.ImageLabels(ctx, r.Tag())
	if err != nil {
		return Info{}, err
	}
	if !ok {
		fmt.Fprintf(log, "image: %s not present, building it (a few minutes)\n", r.Tag())
		if err := r.Build(ctx, mirror, log); err != nil {
			return Info{}, err
		}
		if labels, ok, err = eng.ImageLabels(ctx, r.Tag()); err != nil || !ok {
			return Info{}, fmt.Errorf("image %s missing after build: %v", r.Tag(), err)
		}
	}
	return InfoFromLabels(r.Tag(), labels), nil
}

// Info is what the harness knows about a built image.
type Info struct {
	Tag      string            `json:"tag"`
	Suite    string            `json:"suite"`
	Versions map[string]string `json:"versions"` // glance, apache, mod_wsgi, uwsgi, python
}

// InfoFromLabels reads an image's suite and package versions from its labels.
func InfoFromLabels(tag string, labels map[string]string) Info {
	info := Info{Tag: tag, Suite: labels[LabelPrefix+"suite"], Versions: map[string]string{}}
	for k, v := range labels {
		if name, ok := strings.CutPrefix(k, LabelPrefix+"version."); ok && v != "" {
			info.Versions[name] = v
		}
	}
	return info
}

// UpstreamVersion strips a Debian version to the upstream part: "2:25.1.0-2+deb12u5" -> "25.1.0".
func UpstreamVersion(debian string) string {
	if _, after, ok := strings.Cut(debian, ":"); ok {
		debian = after
	}
	if i := strings.LastIndex(debian, "-"); i > 0 {
		debian = debian[:i]
	}
	return debian
}
