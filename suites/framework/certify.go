package framework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/cloud"
	"github.com/glance-conformance/glance-conformance/harness/deploy"
	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// Certification: the same specs against one Glance that authenticates through Keystone, either
// an existing cloud or a deployment of ours with identity: keystone (runconfig.Certify). The specs act
// as the cloud's accounts, and skip what the cloud was not set up or given accounts for.

// existingCloudRelease is the release of an existing cloud's column: what it runs is its own.
const existingCloudRelease = "cloud"

// existingCloud is the Deployment of a cloud the harness did not start: it has an endpoint and
// nothing else (no logs, no shell, nothing to stop).
type existingCloud struct{ endpoint string }

func (e existingCloud) Endpoint() string                                     { return e.endpoint }
func (existingCloud) PeerEndpoint() string                                   { return "" }
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
		if part == imageapi.PartMain && c.dep == nil { // a cloud we did not start: its catalog names it
			c.tls = a.TLS
			c.dep = existingCloud{endpoint: a.ImageEndpoint}
			c.meta.Endpoint = a.ImageEndpoint
		}
	}
	return nil
}

// certificationSkip says why a feature cannot be judged on this certified column ("" when it
// can): it needs server-side setup of ours, or an account the run was not given.
func (c *column) certificationSkip(f feature.Feature) string {
	if !c.certifying {
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
