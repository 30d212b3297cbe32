package topology

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// ReleasesFile (in the base folder) lists the Debian releases the matrix covers and what
// differs between them, so that adding a release is adding an entry, not editing Go.
const ReleasesFile = "releases.yaml"

// ReleasesAPIVersion is the schema of ReleasesFile.
const ReleasesAPIVersion = "glance-conformance/releases/v1"

// Release is one Debian suite whose Glance the matrix tests.
type Release struct {
	// Suite is the Debian suite the image is built from (bookworm, trixie, sid).
	Suite string `yaml:"suite"`
	// OpenStack names the OpenStack release its Glance belongs to, for the reader.
	OpenStack string `yaml:"openstack"`
	// Placeholders are replaced as @NAME@ in every file a column's containers receive: what a
	// topology's files must say differently for this release (the WSGI entry point, say).
	Placeholders map[string]string `yaml:"placeholders"`
	// GlanceConf is merged over base/glance-api.conf (before the topology's own overrides):
	// options this release names or needs differently.
	GlanceConf string `yaml:"glanceConf"`
	// Apt are the apt sources the release's image installs from, as an operator's machine has
	// them ("deb MIRROR bookworm-updates main"; MIRROR and SECURITY are the build's mirrors).
	Apt []string `yaml:"apt"`
}

type releasesFile struct {
	APIVersion string    `yaml:"apiVersion"`
	Releases   []Release `yaml:"releases"`
}

var placeholderRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// LoadReleases reads the releases, in the file's order.
func LoadReleases(root string) ([]Release, error) {
	path := filepath.Join(root, BaseDir, ReleasesFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f releasesFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.APIVersion != ReleasesAPIVersion {
		return nil, fmt.Errorf("%s: apiVersion is %q, want %q", path, f.APIVersion, ReleasesAPIVersion)
	}
	seen := map[string]bool{}
	for _, r := range f.Releases {
		if !nameRE.MatchString(r.Suite) || seen[r.Suite] {
			return nil, fmt.Errorf("%s: bad or repeated suite %q", path, r.Suite)
		}
		seen[r.Suite] = true
		for k := range r.Placeholders {
			if !placeholderRE.MatchString(k) || k == "PUBLIC_ENDPOINT" || k == "INTERNAL_ENDPOINT" {
				return nil, fmt.Errorf("%s: %s: bad placeholder name %q", path, r.Suite, k)
			}
		}
	}
	if len(f.Releases) == 0 {
		return nil, fmt.Errorf("%s lists no release", path)
	}
	return f.Releases, nil
}

// SelectReleases returns the releases named in a comma-separated list (all when empty), or an
// error naming the known ones.
func SelectReleases(root, names string) ([]Release, error) {
	all, err := LoadReleases(root)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(names) == "" {
		return all, nil
	}
	var out []Release
	for _, n := range strings.Split(names, ",") {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		found := false
		for _, r := range all {
			if r.Suite == n {
				out, found = append(out, r), true
			}
		}
		if !found {
			var known []string
			for _, r := range all {
				known = append(known, r.Suite)
			}
			return nil, fmt.Errorf("unknown release %q (known: %s)", n, strings.Join(known, ", "))
		}
	}
	return out, nil
}
