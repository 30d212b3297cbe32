package framework

import (
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"

	fixtures "github.com/glance-conformance/glance-conformance/fixtures/tempest"
	"github.com/glance-conformance/glance-conformance/fixtures/websource"
	"github.com/glance-conformance/glance-conformance/harness/deploy"
	"github.com/glance-conformance/glance-conformance/harness/identity"
	"github.com/glance-conformance/glance-conformance/harness/image"
	"github.com/glance-conformance/glance-conformance/harness/tempest"
	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// Tempest as a second opinion (make crosscheck): after a column's features, Tempest's own tests
// run against it, signed in through the run's Keystone as the specs' accounts, and its verdicts
// go into the matrix beside the parity claims (reports/tempest.go).

const (
	// tempestTimeout bounds one column's Tempest run: about 90 tests, most of a second each,
	// a few waiting up to tempestBuildTimeout for an image that never gets where Tempest waits.
	tempestTimeout      = 40 * time.Minute
	tempestBuildTimeout = 60 * time.Second
)

func defineTempest(col *column) {
	It("tempest: Tempest's own tests", Label(feature.TempestLabel), func(ctx SpecContext) {
		if col.err != nil || col.na != "" {
			Skip("column did not start")
		}
		cfg := shared.cfg
		run := reports.TempestRun{Column: col.id, Regex: cfg.Tempest, Release: col.release}
		began := time.Now()
		defer func() {
			run.Seconds = time.Since(began).Seconds()
			AddReportEntry(reports.TempestEntryName, run, ReportEntryVisibilityNever)
		}()
		img, err := image.Extend(ctx, shared.eng, shared.prep.infos[col.release], tempest.Packages,
			image.Source{Registry: cfg.Registry, Push: cfg.Push}, statusWriter{})
		if err != nil {
			run.Error = err.Error()
			HarnessError("tempest's image: %v", err)
		}
		run.Version = img.Versions["tempest"]
		accounts := tempest.AccountsOf(shared.prep.identityDesc.Clouds, shared.identity.Secret)
		var ca []byte
		var hosts []string
		if d, ok := col.dep.(*deploy.Column); ok {
			ca = d.AuthorityPEM()
			addr, err := d.AddressOf(ctx, websource.Host)
			if err != nil {
				run.Error = err.Error()
				HarnessError("the web source's address, for Tempest: %v", err)
			}
			hosts = append(hosts, websource.Host+":"+addr)
		}
		statusf("%s: running Tempest %s (%s)", col.id, run.Version, cfg.Tempest)
		run.Files = filepath.Join("tempest", col.id)
		results, err := tempest.Run(ctx, shared.eng, tempest.Options{
			RunID: cfg.ID, ColumnID: col.id, Image: img.Tag, Conf: fixtures.Conf,
			IdentityURL: shared.identity.URL, Region: identity.RegionOf(col.id), Endpoint: col.dep.Endpoint(),
			HTTPImage: websource.URL(WebPayloadName), HTTPQCOW2Image: websource.URL(WebQCOW2Name), ExtraHosts: hosts,
			CACert: ca, Accounts: accounts,
			ManageLocations: col.offersLocations(), HTTPStore: col.hasHTTPStore(), RemoteNode: col.dep.PeerEndpoint() != "",
			Regex: cfg.Tempest, Timeout: tempestTimeout, BuildTimeout: tempestBuildTimeout,
			Known: fixtures.AllTests(), Secrets: []string{shared.identity.Secret},
		}, filepath.Join(cfg.Out, run.Files))
		if err != nil {
			run.Error = err.Error()
			HarnessError("%v", err)
		}
		run.Results = results
		statusf("%s: Tempest ran %d tests in %s", col.id, len(results), time.Since(began).Round(time.Second))
	}, NodeTimeout(tempestTimeout+15*time.Minute))
}
