package framework

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// The generated clouds.yaml is read by Gophercloud's clouds support as a vendor's would be.
func TestGeneratedCloudsParse(t *testing.T) {
	top, err := topology.Load(filepath.Join("..", "..", "deployments", "keystone"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "clouds.yaml")
	os.WriteFile(path, generatedClouds(top, "http://127.0.0.1:5555", "pw"), 0o600)
	t.Setenv("OS_CLIENT_CONFIG_FILE", path)
	for _, c := range top.Clouds {
		ao, eo, _, err := clouds.Parse(clouds.WithCloudName(c.Name))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if ao.IdentityEndpoint != "http://127.0.0.1:5555/v3" || ao.Username != c.User || ao.Password != "pw" || ao.TenantName != c.Project || eo.Region != "RegionOne" {
			t.Errorf("%s: auth %+v endpoint %+v", c.Name, ao, eo)
		}
	}
}

// On a certified cloud, a feature needing setup of ours or a missing account is skipped, with
// the reason; on the matrix's columns nothing is.
func TestCertificationSkips(t *testing.T) {
	matrix := &column{}
	if why := matrix.certificationSkip(feature.Get("upload.size-cap")); why != "" {
		t.Errorf("a matrix column skipped: %s", why)
	}
	c := &column{parts: map[string]imageapi.Identity{}}
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
