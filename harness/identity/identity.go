// Package identity runs the Keystone a run's columns share (deployments/base/identity.yaml): it
// starts it once, registers each column's image endpoint in its catalog (one region per column,
// as a cloud with several Glance deployments would), and renders the clouds.yaml its accounts
// sign in through, exactly as a vendor's users sign in to theirs.
package identity

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/endpoints"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/regions"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/services"
	"gopkg.in/yaml.v3"

	"github.com/glance-conformance/glance-conformance/harness/deploy"
	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/image"
	"github.com/glance-conformance/glance-conformance/harness/topology"
)

// Alias is the name a column's containers reach the shared Keystone by.
const Alias = "keystone"

// ColumnID labels the identity service's containers as a column's would be ("identity").
const ColumnID = "identity"

// Service is what every process of a run needs to know of the running Keystone. Secret is every
// account's password: it goes into configs and sign-ins, and is blotted out of what is saved.
type Service struct {
	URL string `json:"url"` // the published identity endpoint, no trailing slash (no /v3)
	// Network is the network Keystone answers on as Alias; the Glance containers of a column that
	// uses it join it (deploy.Options.Join).
	Network string `json:"network"`
	Version string `json:"version"` // Keystone's package version
	Release string `json:"release"` // the Debian release it comes from
	Secret  string `json:"secret"`
	// Err, when set, is why it did not start: every column that needs it reports it.
	Err string `json:"error,omitempty"`
}

// Start starts the identity service's containers (those with packages run base extended with
// them) and waits until Keystone is bootstrapped. It always returns the deployment when one was
// begun, also on error, so the caller can save its logs and stop it.
// placeholders are the release's (releases.yaml), filled in its files as in a column's.
func Start(ctx context.Context, eng *engine.Engine, desc *topology.IdentityService, base image.Info, release string, placeholders map[string]string, src image.Source, runID, secret string, log io.Writer, progress func(string, ...any)) (*deploy.Column, Service, error) {
	svc := Service{Secret: secret, Release: release}
	images := map[string]string{}
	top := &topology.Topology{Name: ColumnID, Description: "the run's shared Keystone", EndpointPath: "/", Dir: desc.Dir}
	for _, c := range desc.Containers {
		if len(c.Packages) > 0 {
			info, err := image.Extend(ctx, eng, base, c.Packages, src, log)
			if err != nil {
				return nil, svc, err
			}
			images[c.Name] = info.Tag
			svc.Version = info.Versions["keystone"]
		}
		// The published container is the deployment's endpoint, published once.
		c.Entrypoint, c.Publish = c.Publish, false
		top.Containers = append(top.Containers, c)
	}
	dep, err := deploy.Start(ctx, eng, top, deploy.Options{
		ColumnID: ColumnID, RunID: runID, Image: base.Tag, Images: images,
		Placeholders: withSecret(placeholders, secret), Secrets: []string{secret}, Progress: progress,
	})
	svc.URL = strings.TrimSuffix(dep.Endpoint(), "/")
	svc.Network = dep.NetworkName()
	return dep, svc, err
}

func withSecret(placeholders map[string]string, secret string) map[string]string {
	out := map[string]string{"SECRET": secret}
	for k, v := range placeholders {
		out[k] = v
	}
	return out
}

// RegionOf is the catalog region a column's image endpoint is registered in: its id, with the
// slash Keystone's URLs cannot hold made a dash ("bookworm/standalone" -> "bookworm-standalone").
func RegionOf(columnID string) string { return strings.ReplaceAll(columnID, "/", "-") }

// requestTimeout bounds each request to Keystone, so a dead one is an error, not a hang.
const requestTimeout = 30 * time.Second

// Endpoints are a column's URLs for the catalog.
type Endpoints struct {
	Public string // what clients use (published on the host)
	// Internal is how the column's own containers reach it: Glance fetching from itself
	// (glance-download) looks the image service up through the catalog it is given.
	Internal string
	Peer     string // a second Glance node, registered as image_remote ("" when none)
}

// Register adds a column's image endpoints to the catalog, in a region of its own, as the
// bootstrap admin: a client that looks the image service up in that region finds the column.
// A second Glance node's endpoint goes in the same region as image_remote, where Tempest's
// remote-worker tests look for it.
func Register(ctx context.Context, svc Service, region string, eps Endpoints) error {
	ctx, cancel := context.WithTimeout(ctx, 2*requestTimeout)
	defer cancel()
	pc, err := openstack.NewClient(svc.URL + "/v3")
	if err != nil {
		return err
	}
	// A connection per request: Keystone's uWSGI closes kept-alive connections after an answer,
	// and a POST sent on one as it closes would fail unprocessed (the harness's own requests, not
	// a spec's: nothing is measured here).
	pc.HTTPClient = http.Client{Timeout: requestTimeout, Transport: &http.Transport{DisableKeepAlives: true, Proxy: http.ProxyFromEnvironment}}
	err = openstack.Authenticate(ctx, pc, gophercloud.AuthOptions{
		IdentityEndpoint: svc.URL + "/v3", Username: "admin", Password: svc.Secret, DomainName: "Default",
		Scope: &gophercloud.AuthScope{ProjectName: "admin", DomainName: "Default"},
	})
	if err != nil {
		return fmt.Errorf("keystone: signing in as its admin: %v", oneLine(err))
	}
	// The identity endpoint as given, not the catalog's: the two are the same published URL.
	ic := &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: svc.URL + "/v3/", ResourceBase: svc.URL + "/v3/"}
	if err := regions.Create(ctx, ic, regions.CreateOpts{ID: region}).Err; err != nil {
		return fmt.Errorf("keystone: creating region %s: %v", region, oneLine(err))
	}
	if err := addEndpoint(ctx, ic, "image", gophercloud.AvailabilityPublic, region, eps.Public); err != nil {
		return err
	}
	if eps.Internal != "" {
		if err := addEndpoint(ctx, ic, "image", gophercloud.AvailabilityInternal, region, eps.Internal); err != nil {
			return err
		}
	}
	if eps.Peer != "" {
		return addEndpoint(ctx, ic, "image_remote", gophercloud.AvailabilityPublic, region, eps.Peer)
	}
	return nil
}

// addEndpoint registers url as an endpoint (iface) of the one service of serviceType in region.
func addEndpoint(ctx context.Context, ic *gophercloud.ServiceClient, serviceType string, iface gophercloud.Availability, region, url string) error {
	pages, err := services.List(ic, services.ListOpts{ServiceType: serviceType}).AllPages(ctx)
	if err != nil {
		return fmt.Errorf("keystone: listing services: %v", oneLine(err))
	}
	found, err := services.ExtractServices(pages)
	if err != nil || len(found) != 1 {
		return fmt.Errorf("keystone: want one %s service in the catalog, found %d (%v)", serviceType, len(found), err)
	}
	_, err = endpoints.Create(ctx, ic, endpoints.CreateOpts{
		Availability: iface, Name: found[0].Name, Region: region,
		URL: strings.TrimSuffix(url, "/"), ServiceID: found[0].ID,
	}).Extract()
	if err != nil {
		return fmt.Errorf("keystone: registering %s (%s, %s) in region %s: %v", url, serviceType, iface, region, oneLine(err))
	}
	return nil
}

// Clouds renders the identity service's clouds as a clouds.yaml whose entries look the image
// service up in region.
func Clouds(desc *topology.IdentityService, svc Service, region string) []byte {
	type auth struct {
		AuthURL           string `yaml:"auth_url"`
		Username          string `yaml:"username"`
		Password          string `yaml:"password"`
		ProjectName       string `yaml:"project_name"`
		UserDomainName    string `yaml:"user_domain_name"`
		ProjectDomainName string `yaml:"project_domain_name"`
	}
	type entry struct {
		Auth     auth   `yaml:"auth"`
		Region   string `yaml:"region_name"`
		Iface    string `yaml:"interface"`
		Identity int    `yaml:"identity_api_version"`
	}
	doc := struct {
		Clouds map[string]entry `yaml:"clouds"`
	}{Clouds: map[string]entry{}}
	for _, cl := range desc.Clouds {
		doc.Clouds[cl.Name] = entry{Auth: auth{svc.URL + "/v3", cl.User, svc.Secret, cl.Project, "Default", "Default"}, Region: region, Iface: "public", Identity: 3}
	}
	b, _ := yaml.Marshal(doc) // plain strings always encode
	return b
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
