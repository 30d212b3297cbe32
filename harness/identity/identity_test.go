package identity

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"

	"github.com/glance-conformance/glance-conformance/harness/topology"
)

// The clouds.yaml Keystone offers is read by Gophercloud's clouds support as a vendor's would
// be, and its entries find the image service in the column's own region.
func TestCloudsParse(t *testing.T) {
	desc, err := topology.LoadIdentity(filepath.Join("..", "..", "deployments"))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]bool{}
	for _, c := range desc.Clouds {
		parts[c.Plays] = true
	}
	for _, p := range []string{"main", "member", "other", "reader"} {
		if !parts[p] {
			t.Errorf("no cloud plays %s", p)
		}
	}
	path := filepath.Join(t.TempDir(), "clouds.yaml")
	region := RegionOf("bookworm/uwsgi-http")
	os.WriteFile(path, Clouds(desc, Service{URL: "http://127.0.0.1:5555", Secret: "pw"}, region), 0o600)
	t.Setenv("OS_CLIENT_CONFIG_FILE", path)
	for _, c := range desc.Clouds {
		ao, eo, _, err := clouds.Parse(clouds.WithCloudName(c.Name))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if ao.IdentityEndpoint != "http://127.0.0.1:5555/v3" || ao.Username != c.User || ao.Password != "pw" || ao.TenantName != c.Project || eo.Region != "bookworm-uwsgi-http" {
			t.Errorf("%s: auth %+v endpoint %+v", c.Name, ao, eo)
		}
	}
}

func TestIdentityServiceHasOneEndpointAndItsAlias(t *testing.T) {
	desc, err := topology.LoadIdentity(filepath.Join("..", "..", "deployments"))
	if err != nil {
		t.Fatal(err)
	}
	// Columns reach it by the published container's name: keystonemiddleware's auth_url says so.
	if got := desc.Endpoint().Name; got != Alias {
		t.Errorf("the published container is %q, the columns reach %q", got, Alias)
	}
}
