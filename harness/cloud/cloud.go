// Package cloud signs in to an existing OpenStack cloud the way OpenStack's own tools do
// (clouds.yaml through Gophercloud's clouds support, or OS_* variables) and returns what a
// certification run needs of each account: its token, user, project, roles, and the image
// service's endpoint from the catalog.
package cloud

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/config"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// EnvCloud is the cloud name that means "the OS_* variables", as openrc files set them.
const EnvCloud = "env"

// Account is one signed-in user. Token is a secret: it goes into request headers and nowhere
// else (String leaves it out).
type Account struct {
	Cloud         string
	UserID        string
	UserName      string
	ProjectID     string
	ProjectName   string
	Roles         []string
	Token         string
	ImageEndpoint string      // ends in "/"
	TLS           *tls.Config // from clouds.yaml (cacert, insecure); nil for the defaults
}

// HasRole tells whether the account's token carries the role.
func (a *Account) HasRole(role string) bool { return slices.Contains(a.Roles, role) }

// String describes the account without its token.
func (a *Account) String() string {
	return fmt.Sprintf("cloud %s: user %s (%s) in project %s (%s), roles %s, image endpoint %s",
		a.Cloud, a.UserName, a.UserID, a.ProjectName, a.ProjectID, strings.Join(a.Roles, ","), a.ImageEndpoint)
}

// signInTimeout bounds each request of the sign-in, so an unreachable endpoint is an error
// within seconds, not a hang.
const signInTimeout = 20 * time.Second

// Open signs in as the named clouds.yaml entry (EnvCloud: the OS_* variables). clouds.yaml is
// looked for where OpenStack's tools look (OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/,
// /etc/openstack/). Every error is one line that names the cloud and never holds a secret.
func Open(ctx context.Context, name string) (*Account, error) {
	var ao gophercloud.AuthOptions
	var eo gophercloud.EndpointOpts
	var tlsConfig *tls.Config
	var err error
	if name == EnvCloud {
		if ao, err = openstack.AuthOptionsFromEnv(); err != nil {
			return nil, fmt.Errorf("cloud %s: the OS_* variables: %v", name, oneLine(err))
		}
		if eo, tlsConfig, err = envEndpointAndTLS(); err != nil {
			return nil, fmt.Errorf("cloud %s: the OS_* variables: %v", name, err)
		}
	} else if ao, eo, tlsConfig, err = clouds.Parse(clouds.WithCloudName(name)); err != nil {
		return nil, fmt.Errorf("cloud %s: clouds.yaml: %v", name, oneLine(err))
	}
	ao.AllowReauth = false // a certification run is shorter than a token's life
	transport := &http.Transport{
		Proxy:           http.ProxyFromEnvironment,
		DialContext:     (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		TLSClientConfig: tlsConfig,
	}
	ctx, cancel := context.WithTimeout(ctx, 2*signInTimeout)
	defer cancel()
	pc, err := config.NewProviderClient(ctx, ao, config.WithHTTPClient(http.Client{Timeout: signInTimeout, Transport: transport}))
	if err != nil {
		return nil, fmt.Errorf("cloud %s: signing in at %s: %v", name, ao.IdentityEndpoint, oneLine(err))
	}
	a := &Account{Cloud: name, Token: pc.Token(), TLS: tlsConfig}
	if r, ok := pc.GetAuthResult().(tokens.CreateResult); ok {
		if u, err := r.ExtractUser(); err == nil {
			a.UserID, a.UserName = u.ID, u.Name
		}
		if p, err := r.ExtractProject(); err == nil && p != nil {
			a.ProjectID, a.ProjectName = p.ID, p.Name
		}
		if roles, err := r.ExtractRoles(); err == nil {
			for _, role := range roles {
				a.Roles = append(a.Roles, role.Name)
			}
		}
	}
	if a.ProjectID == "" {
		return nil, fmt.Errorf("cloud %s: the token is not scoped to a project: give project_name or project_id", name)
	}
	// The catalog's URL as it stands: no request to it here (that is the specs' business).
	eo.ApplyDefaults("image")
	endpoint, err := pc.EndpointLocator(eo)
	if err != nil {
		return nil, fmt.Errorf("cloud %s: no image service in the catalog: %v", name, oneLine(err))
	}
	// The specs add v2/ themselves; a catalog entry that already names it is the same service.
	endpoint = strings.TrimSuffix(strings.TrimSuffix(endpoint, "/"), "/v2") + "/"
	a.ImageEndpoint = endpoint
	return a, nil
}

// envEndpointAndTLS reads what the openstack client reads beside the credentials: the region,
// the interface (OS_INTERFACE: public, internal or admin, "publicURL" forms too), the CA bundle
// (OS_CACERT), a client certificate (OS_CERT, OS_KEY) and OS_INSECURE.
func envEndpointAndTLS() (gophercloud.EndpointOpts, *tls.Config, error) {
	eo := gophercloud.EndpointOpts{Region: os.Getenv("OS_REGION_NAME"), Availability: gophercloud.AvailabilityPublic}
	switch iface := strings.TrimSuffix(strings.ToLower(os.Getenv("OS_INTERFACE")), "url"); iface {
	case "", "public":
	case "internal":
		eo.Availability = gophercloud.AvailabilityInternal
	case "admin":
		eo.Availability = gophercloud.AvailabilityAdmin
	default:
		return eo, nil, fmt.Errorf("OS_INTERFACE %q is not public, internal or admin", os.Getenv("OS_INTERFACE"))
	}
	cacert, cert, key := os.Getenv("OS_CACERT"), os.Getenv("OS_CERT"), os.Getenv("OS_KEY")
	insecure := strings.EqualFold(os.Getenv("OS_INSECURE"), "true") || os.Getenv("OS_INSECURE") == "1"
	if cacert == "" && cert == "" && !insecure {
		return eo, nil, nil
	}
	tc := &tls.Config{InsecureSkipVerify: insecure}
	if cacert != "" {
		pem, err := os.ReadFile(cacert)
		if err != nil {
			return eo, nil, fmt.Errorf("OS_CACERT: %v", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return eo, nil, fmt.Errorf("OS_CACERT %s holds no PEM certificate", cacert)
		}
	}
	if cert != "" {
		if key == "" {
			key = cert // one PEM file holding both, as the openstack client accepts
		}
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return eo, nil, fmt.Errorf("OS_CERT/OS_KEY: %v", err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	return eo, tc, nil
}

func oneLine(err error) string {
	var unexpected gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &unexpected) {
		return fmt.Sprintf("%s %s answered %d", unexpected.Method, unexpected.URL, unexpected.Actual)
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
