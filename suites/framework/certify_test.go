package framework

import (
	"strings"
	"testing"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// On a certified cloud, a feature needing setup of ours or a missing account is skipped, with
// the reason; on the matrix's columns nothing is.
func TestCertificationSkips(t *testing.T) {
	// A matrix column skips nothing, with the trusted headers or Keystone's accounts (whatever they lack).
	for _, matrix := range []*column{{}, {parts: map[string]imageapi.Identity{"main": {Part: "main", Roles: []string{"member"}}}}} {
		if why := matrix.certificationSkip(feature.Get("upload.size-cap")); why != "" {
			t.Errorf("a matrix column skipped: %s", why)
		}
	}
	c := &column{certifying: true, parts: map[string]imageapi.Identity{}}
	c.parts["main"] = imageapi.Identity{Part: "main", Roles: []string{"member"}}
	for id, want := range map[string]bool{"upload.size-cap": true, "metadefs.tags": true, "image.members": true, "image.tags": false} {
		if got := c.certificationSkip(feature.Get(id)) != ""; got != want {
			t.Errorf("%s: skipped %v, want %v", id, got, want)
		}
	}
	c.parts["main"] = imageapi.Identity{Part: "main", Roles: []string{"admin", "member"}}
	if why := c.certificationSkip(feature.Get("metadefs.tags")); why != "" {
		t.Errorf("metadefs.tags skipped with an admin main account: %s", why)
	}
	c.parts["member"] = imageapi.Identity{Part: "member"}
	if why := c.certificationSkip(feature.Get("image.members")); !strings.Contains(why, "CLOUD_OTHER") {
		t.Errorf("image.members without the other account: %q, want a reason naming CLOUD_OTHER", why)
	}
	c.parts["other"] = imageapi.Identity{Part: "other"}
	if why := c.certificationSkip(feature.Get("image.members")); why != "" {
		t.Errorf("image.members skipped with every account given: %s", why)
	}
}
