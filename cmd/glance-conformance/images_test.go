package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/glance-conformance/glance-conformance/reports"
)

func TestRegistryMustNotReadAsADockerHubNamespace(t *testing.T) {
	for reg, ok := range map[string]bool{
		"127.0.0.1:5000": true, "localhost": true, "localhost:5000/ci": true, "registry.example.org/glance": true,
		"[::1]:5000": true, "ci": false, "http://h:5000": false, "h:port": false, "": false,
	} {
		if registryRE.MatchString(reg) != ok {
			t.Errorf("registry %q accepted=%v, want %v", reg, !ok, ok)
		}
	}
}

// A pinned run names an image for each release it runs, or is refused before anything starts;
// a rerun whose matrix recorded none takes today's.
func TestPinnedImagesCoverTheSelectedReleases(t *testing.T) {
	from := &reports.Matrix{Columns: []reports.Column{{ID: "bookworm/a", Release: "bookworm", Image: "glance-conformance/glance:bookworm-x"}}}
	var o imageOptions
	if err := o.check("../../deployments", from); err != nil {
		t.Fatal(err)
	}
	if _, err := o.recipes([]string{"bookworm"}, false); err != nil || o.pinned["bookworm"] != "glance-conformance/glance:bookworm-x" {
		t.Fatalf("bookworm pinned: %v %v", err, o.pinned)
	}
	o.strict, o.from = true, "m.json" // as --images-from m.json makes it
	_, err := o.recipes([]string{"bookworm", "sid"}, false)
	var usage usageError
	if !errors.As(err, &usage) || !strings.Contains(err.Error(), "no image of release sid") {
		t.Fatalf("a release the pinned matrix lacks: %v, want a usage error naming sid", err)
	}
	o.strict = false // a rerun's own matrix: today's image for the release it lacks
	if _, err := o.recipes([]string{"bookworm", "sid"}, false); err != nil {
		t.Fatal(err)
	}
}
