package framework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/glance-conformance/glance-conformance/harness/cloud"
	"github.com/glance-conformance/glance-conformance/harness/deploy"
	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// Certification: the same specs against one Glance that authenticates through Keystone, either
// an existing cloud or a deployment of ours that offers clouds (runconfig.Certify). The specs act
// as the cloud's accounts, and skip what the cloud was not set up or given accounts for.

// existingCloudRelease is the release of an existing cloud's column: what it runs is its own.
const existingCloudRelease = "cloud"

// existingCloud is the Deployment of a cloud the harness did not start: it has an endpoint and
// nothing else (no logs, no shell, nothing to stop).
type existingCloud struct{ endpoint string }

func (e existingCloud) Endpoint() string                                     { return e.endpoint }
func (existingCloud) LogsSince(context.Context, time.Time) map[string]string { return nil }
func (existingCloud) Exec(context.Context, string, ...string) (int, string, error) {
	return -1, "", fmt.Errorf("an existing cloud offers no shell")
}
func (existingCloud) GlanceComponents() []string             { return nil }
func (existingCloud) SaveLogs(context.Context, string) error { return nil }
func (existingCloud) Stop(context.Context) error             { return nil }
func (existingCloud) Restart(context.Context) error          { return deploy.ErrCannotRestart }

// openAccounts signs in as each cloud entry playing a part and sets the column's parts.
// names maps a part (imageapi.PartMain, ...) to a clouds.yaml entry; "" leaves the part out.
func (c *column) openAccounts(ctx context.Context, names map[string]string) error {
	c.parts = map[string]imageapi.Identity{}
	for _, part := range []string{imageapi.PartMain, imageapi.PartMember, imageapi.PartOther} {
		name := names[part]
		if name == "" {
			continue
		}
		a, err := cloud.Open(ctx, name)
		if err != nil {
			return err
		}
		c.parts[part] = imageapi.Identity{Part: part, ProjectID: a.ProjectID, UserID: a.UserID, Roles: a.Roles, Token: a.Token}
		c.meta.Accounts = append(c.meta.Accounts, part+": "+a.String())
		if part == imageapi.PartMain {
			c.tls = a.TLS
			if c.dep == nil {
				c.dep = existingCloud{endpoint: a.ImageEndpoint}
				c.meta.Endpoint = a.ImageEndpoint
			}
		}
	}
	return nil
}

// certificationSkip says why a feature cannot be judged on this certified column ("" when it
// can): it needs server-side setup of ours, or an account the run was not given.
func (c *column) certificationSkip(f feature.Feature) string {
	if c.parts == nil {
		return ""
	}
	if f.Setup != "" {
		return "certification: needs server-side setup this run cannot know the cloud has: " + f.Setup
	}
	if main := c.parts[imageapi.PartMain]; f.Admin && !slices.Contains(main.Roles, "admin") {
		return fmt.Sprintf("certification: needs the admin role on the main account (it has %s)", strings.Join(main.Roles, ", "))
	}
	for _, p := range f.Parts {
		if _, ok := c.parts[p]; !ok {
			return "certification: needs " + partNeeded[p]
		}
	}
	return ""
}

// partNeeded says what a part is and how to give it, for a skip's reason.
var partNeeded = map[string]string{
	imageapi.PartMember: "a second user of the main project without admin (a second cloud entry: CLOUD_MEMBER=)",
	imageapi.PartOther:  "a user of another project, for sharing (a third cloud entry: CLOUD_OTHER=)",
}

// openGeneratedClouds writes the clouds.yaml a started deployment offers (to a private file,
// removed once read) and signs in through it exactly as for a vendor's cloud.
func (c *column) openGeneratedClouds(ctx context.Context, authURL, secret string) error {
	dir, err := os.MkdirTemp("", "glance-conformance-clouds-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "clouds.yaml")
	if err := os.WriteFile(path, generatedClouds(c.top, authURL, secret), 0o600); err != nil {
		return err
	}
	// Gophercloud's clouds support reads the file where OpenStack's tools would be told to.
	os.Setenv("OS_CLIENT_CONFIG_FILE", path)
	defer os.Unsetenv("OS_CLIENT_CONFIG_FILE")
	names := map[string]string{}
	for _, cl := range c.top.Clouds {
		names[cl.Plays] = cl.Name // topology.CloudParts are imageapi's parts
	}
	return c.openAccounts(ctx, names)
}

// generatedClouds renders a topology's clouds as clouds.yaml.
func generatedClouds(top *topology.Topology, authURL, secret string) []byte {
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
	for _, cl := range top.Clouds {
		doc.Clouds[cl.Name] = entry{Auth: auth{authURL + "/v3", cl.User, secret, cl.Project, "Default", "Default"}, Region: "RegionOne", Iface: "public", Identity: 3}
	}
	b, _ := yaml.Marshal(doc) // plain strings always encode
	return b
}

// SecretEnv, when set, is the password of a started deployment's accounts instead of a random
// one, so that a test can look for it in every output (it must be in none).
const SecretEnv = "GLANCE_CONFORMANCE_SECRET"

func newSecret() string {
	if s := os.Getenv(SecretEnv); s != "" {
		return s
	}
	b := make([]byte, 18)
	rand.Read(b)
	return hex.EncodeToString(b)
}
