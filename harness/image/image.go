// Package image builds and finds the Glance container images. An image is made from Debian's
// packages with debootstrap (no registry is needed) and tagged with a hash of its recipe and of
// the archive's state (the dates of the Release files it installs from), so a changed recipe or
// a republished archive gives a new tag and an unchanged one is reused. A registry, when given,
// is asked for a missing image before it is built, and can be sent what was built.
package image

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

//go:embed recipe
var recipeFS embed.FS

// Repository is the local image repository name; tags are "<suite>-<recipe hash>".
const Repository = "glance-conformance/glance"

// LabelPrefix starts every label the recipe writes into the image.
const LabelPrefix = "org.glance-conformance."

// Recipe describes one image: which Debian suite, the apt sources it installs from, and the
// files that say how to build it.
type Recipe struct {
	Suite string
	// Apt are the image's apt source lines ("deb MIRROR bookworm-updates main"), with MIRROR
	// and SECURITY standing for the mirrors the build is given.
	Apt []string
	// Archive is the archive's state the image is built from (see ReadArchive); "" before it
	// is read.
	Archive Archive
	files   map[string][]byte
}

// ForRelease returns the recipe for a Debian suite (bookworm, trixie, sid) and its apt sources
// (none: the suite alone, from MIRROR).
func ForRelease(suite string, apt []string) (Recipe, error) {
	if suite == "" || strings.ContainsAny(suite, "/: ") {
		return Recipe{}, fmt.Errorf("invalid Debian suite %q", suite)
	}
	if len(apt) == 0 {
		apt = []string{"deb MIRROR " + suite + " main"}
	}
	for _, l := range apt {
		if _, err := parseSource(l, Mirrors{Main: "http://m", Security: "http://s"}); err != nil {
			return Recipe{}, fmt.Errorf("%s: %w", suite, err)
		}
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
	return Recipe{Suite: suite, Apt: apt, files: files}, err
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
	for _, l := range r.Apt {
		fmt.Fprintf(h, "apt=%s\n", l)
	}
	for _, n := range names {
		fmt.Fprintf(h, "%s %d\n", n, len(r.files[n]))
		h.Write(r.files[n])
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Tag is the full image reference for this recipe and archive state.
func (r Recipe) Tag() string {
	tag := fmt.Sprintf("%s:%s-%s", Repository, r.Suite, r.Hash())
	if r.Archive.Key != "" {
		tag += "-" + r.Archive.Key
	}
	return tag
}

// Build runs the recipe: debootstrap, apt-get install, docker import. It needs root,
// debootstrap and the docker CLI. Progress lines go to log.
func (r Recipe) Build(ctx context.Context, mirrors Mirrors, log io.Writer) error {
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
	var sources []string
	for _, l := range r.Apt {
		src, _ := parseSource(l, mirrors)
		sources = append(sources, src.line())
	}
	sourcesFile := filepath.Join(work, "sources.list")
	if err := os.WriteFile(sourcesFile, []byte(strings.Join(sources, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	labels := []string{LabelPrefix + "recipe=" + r.Hash()}
	for _, d := range r.Archive.Dates {
		labels = append(labels, LabelPrefix+"archive."+d.Suite+"="+d.Date)
	}
	for _, tool := range []string{"debootstrap", "docker", "chroot"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("building the image needs %s on PATH (make images installs debootstrap)", tool)
		}
	}
	cmd := exec.CommandContext(ctx, "bash", append([]string{filepath.Join(work, "recipe/build-rootfs.sh"),
		r.Suite, mirrors.Main, sourcesFile, filepath.Join(work, "recipe/packages.txt"), r.Tag(), filepath.Join(work, "build")}, labels...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s: %w", r.Tag(), err)
	}
	return nil
}

// Mirrors are the archives a build installs from: Debian's main archive (MIRROR in a
// recipe's sources) and its security archive (SECURITY).
type Mirrors struct{ Main, Security string }

// DefaultMirrors returns the Debian mirrors this machine's own apt sources name, so that the
// image is built from the same (possibly dated, possibly proxied) mirrors the machine uses;
// main is overridden when not "".
func DefaultMirrors(main string) Mirrors {
	candidates := []string{"/etc/apt/sources.list"}
	// What apt reads: *.list and *.sources (not *.save, *.disabled, *.dpkg-old).
	for _, pattern := range []string{"/etc/apt/sources.list.d/*.list", "/etc/apt/sources.list.d/*.sources"} {
		more, _ := filepath.Glob(pattern)
		candidates = append(candidates, more...)
	}
	m := Mirrors{Main: main}
	for _, path := range candidates {
		if m.Main == "" {
			m.Main = mirrorIn(path, "/debian")
		}
		if m.Security == "" {
			m.Security = mirrorIn(path, "/debian-security")
		}
	}
	if m.Main == "" {
		m.Main = "http://deb.debian.org/debian"
	}
	if m.Security == "" {
		m.Security = "http://deb.debian.org/debian-security"
	}
	return m
}

// mirrorIn finds the first archive URI ending in suffix ("/debian") in an apt sources file, in
// either the one-line format ("deb [opts] URI suite ...") or deb822 ("URIs: URI ...").
func mirrorIn(path, suffix string) string {
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
			if strings.Contains(u, "://") && strings.HasSuffix(strings.TrimSuffix(u, "/"), suffix) {
				return strings.TrimSuffix(u, "/")
			}
		}
	}
	return ""
}

// Info is what the harness knows about a built image.
type Info struct {
	Tag      string            `json:"tag"`
	Suite    string            `json:"suite"`
	Versions map[string]string `json:"versions"` // glance, apache, mod_wsgi, uwsgi, python, ...: Debian versions
	// Archive is when each suite it was built from was published ("bookworm-security": date).
	Archive map[string]string `json:"archive,omitempty"`
	// Source is the Glance source tree installed over the packaged Glance (nil: the package).
	Source *Tree `json:"source,omitempty"`
}

// InfoFromLabels reads an image's suite and package versions from its labels.
func InfoFromLabels(tag string, labels map[string]string) Info {
	info := Info{Tag: tag, Suite: labels[LabelPrefix+"suite"], Versions: map[string]string{}, Archive: map[string]string{}}
	for k, v := range labels {
		if name, ok := strings.CutPrefix(k, LabelPrefix+"version."); ok && v != "" {
			info.Versions[name] = v
		}
		if suite, ok := strings.CutPrefix(k, LabelPrefix+"archive."); ok && v != "" {
			info.Archive[suite] = v
		}
	}
	if v := labels[LabelPrefix+"source.version"]; v != "" {
		info.Source = &Tree{Version: v, Commit: labels[LabelPrefix+"source.commit"], Dirty: labels[LabelPrefix+"source.dirty"] == "true"}
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
