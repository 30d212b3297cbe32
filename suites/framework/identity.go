package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/glance-conformance/glance-conformance/harness/deploy"
	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/identity"
	"github.com/glance-conformance/glance-conformance/harness/image"
	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/suites/runconfig"
)

// Keystone for the columns: with IDENTITY=keystone every column, and a topology that says
// identity: keystone always, authenticates through one Keystone the run starts before any column
// (process 1, in SynchronizedBeforeSuite) and stops after the last (its DeferCleanup runs once
// every process is done). Each column's Glance reaches it on the column's own network; the specs'
// three parts sign in to it through the clouds.yaml it offers.

// usesKeystone tells whether the column authenticates through the run's Keystone.
func (c *column) usesKeystone() bool {
	if c.release == existingCloudRelease {
		return false
	}
	return shared.cfg.Identity == runconfig.IdentityKeystone || c.top.Identity == topology.IdentityKeystone
}

// keystoneRelease is the release whose Keystone package the run's Keystone runs: the first
// release of a selected column that needs it ("" when none does).
func keystoneRelease(cols []*column) string {
	for _, c := range cols {
		if c.usesKeystone() {
			return c.release
		}
	}
	return ""
}

// startIdentity starts the run's Keystone when a selected column needs it, and returns what the
// other processes need of it (JSON of identity.Service; nil when no column needs it). A Keystone
// that does not start is every such column's error, reported in its cells, not a failed suite.
func startIdentity(ctx context.Context, cfg *config) []byte {
	rel := keystoneRelease(selectedColumns())
	if rel == "" {
		return nil
	}
	svc := identity.Service{Release: rel}
	fail := func(err error) []byte {
		svc.Err = err.Error()
		statusf("identity: the run's Keystone did not start: %v", err)
		b, _ := json.Marshal(svc)
		return b
	}
	desc, err := topology.LoadIdentity(cfg.Deployments)
	if err != nil {
		return fail(err)
	}
	eng, err := engine.Connect(ctx)
	if err != nil {
		return fail(err)
	}
	DeferCleanup(func() { eng.Close() })
	labels, ok, err := eng.ImageLabels(ctx, cfg.images[rel])
	if err == nil && !ok {
		err = fmt.Errorf("image %s is not present (make images builds it)", cfg.images[rel])
	}
	if err != nil {
		return fail(err)
	}
	releases, err := topology.LoadReleases(cfg.Deployments)
	if err != nil {
		return fail(err)
	}
	var placeholders map[string]string
	for _, r := range releases {
		if r.Suite == rel {
			placeholders = r.Placeholders
		}
	}
	statusf("identity: starting the run's Keystone (%s's package)", rel)
	sctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	dep, started, err := identity.Start(sctx, eng, desc, image.InfoFromLabels(cfg.images[rel], labels), rel, placeholders,
		image.Source{Registry: cfg.Registry, Push: cfg.Push}, cfg.ID, newSecret(), statusWriter{}, statusf)
	if dep != nil {
		DeferCleanup(func(ctx SpecContext) { stopIdentity(ctx, cfg, dep) }, NodeTimeout(5*time.Minute))
	}
	svc = started
	if err != nil {
		return fail(err)
	}
	b, _ := json.Marshal(svc)
	return b
}

// stopIdentity saves the Keystone's logs beside the columns' and stops it (unless kept).
func stopIdentity(ctx context.Context, cfg *config, dep *deploy.Column) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if err := dep.SaveLogs(ctx, filepath.Join(cfg.Out, "logs", identity.ColumnID)); err != nil {
		statusf("identity: saving logs: %v", err)
	}
	if cfg.Keep {
		statusf("identity: kept running at %s (make clean removes it)", dep.Endpoint())
		return
	}
	if err := dep.Stop(ctx); err != nil {
		statusf("identity: stopping: %v", err)
	}
}

// signInToIdentity registers the started column's endpoint in the run's Keystone, in a region
// of its own, and signs in as the specs' three parts through the clouds.yaml Keystone offers,
// whose entries find the column in the catalog by that region.
func (c *column) signInToIdentity(ctx context.Context, desc *topology.IdentityService) error {
	svc := shared.identity
	region := identity.RegionOf(c.id)
	eps := identity.Endpoints{Public: c.dep.Endpoint(), Peer: c.dep.PeerEndpoint()}
	if d, ok := c.dep.(*deploy.Column); ok {
		eps.Internal = d.InternalEndpoint()
	}
	if err := identity.Register(ctx, svc, region, eps); err != nil {
		return err
	}
	c.meta.Identity = fmt.Sprintf("Keystone %s (%s's package), catalog region %s", svc.Version, svc.Release, region)
	dir, err := os.MkdirTemp("", "glance-conformance-clouds-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "clouds.yaml")
	if err := os.WriteFile(path, identity.Clouds(desc, svc, region), 0o600); err != nil {
		return err
	}
	// Gophercloud's clouds support reads the file where OpenStack's tools would be told to.
	os.Setenv("OS_CLIENT_CONFIG_FILE", path)
	defer os.Unsetenv("OS_CLIENT_CONFIG_FILE")
	names := map[string]string{}
	for _, cl := range desc.Clouds {
		names[cl.Plays] = cl.Name // the specs' parts are imageapi's; "reader" is Tempest's alone and not signed in here
	}
	return c.openAccounts(ctx, names)
}
