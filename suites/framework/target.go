package framework

import (
	"context"
	"crypto/sha512"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/fixtures/payload"
	"github.com/glance-conformance/glance-conformance/fixtures/websource"
	"github.com/glance-conformance/glance-conformance/harness/evidence"
	"github.com/glance-conformance/glance-conformance/harness/identity"
	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// Target is what a spec body works with: a client for the column's Glance that records every
// exchange, the run's payload, and helpers that clean up after themselves.
type Target struct {
	Column  string
	Client  *gophercloud.ServiceClient
	Payload payload.Payload
	col     *column
	feature feature.Feature
	rec     *evidence.Recorder
	began   time.Time
	ids     []string // images this spec created: log lines naming them are evidence
	// stalled is set when a cleanup timed out; undeleted are the images not deleted since.
	stalled   bool
	undeleted []leftover
	clients   []*gophercloud.ServiceClient // every client of the spec, to close when it ends
}

var nameCounter atomic.Int64

func newTarget(col *column, f feature.Feature) *Target {
	t := &Target{Column: col.id, Payload: shared.payload, col: col, feature: f, rec: &evidence.Recorder{}, began: time.Now()}
	t.Client = t.client(imageapi.Main)
	return t
}

// client returns a client for the column acting as id (the account playing id's part when the
// column is a certified cloud), recording into this spec's evidence.
func (t *Target) client(id imageapi.Identity, opts ...imageapi.Option) *gophercloud.ServiceClient {
	return t.clientRecordingInto(id, t.rec, opts...)
}

// clientRecordingInto is client with another recorder.
func (t *Target) clientRecordingInto(id imageapi.Identity, rec *evidence.Recorder, opts ...imageapi.Option) *gophercloud.ServiceClient {
	return t.clientOf(t.col.dep.Endpoint(), id, rec, opts...)
}

// clientOf is a client of one of the column's endpoints, closed when the spec ends.
func (t *Target) clientOf(endpoint string, id imageapi.Identity, rec *evidence.Recorder, opts ...imageapi.Option) *gophercloud.ServiceClient {
	if t.col.tls != nil {
		opts = append(opts, imageapi.WithTLS(t.col.tls))
	}
	sc := imageapi.New(endpoint, t.Identity(id), rec, opts...)
	t.clients = append(t.clients, sc)
	return sc
}

// finish runs after everything else of a spec: it notes the requests that met a kept-alive
// connection the server had dropped (resent, and the finding of the row each drop names,
// http.keep-alive or upload.early-answer) and closes the spec's kept-alive connections.
func (t *Target) finish() {
	drops := t.rec.Drops()
	if len(drops) > 0 {
		AddReportEntry(reports.ResentEntryName, len(drops), ReportEntryVisibilityNever)
	}
	byRow := map[string][]evidence.Drop{}
	var rows []string
	for _, d := range drops {
		if byRow[d.Row] == nil {
			rows = append(rows, d.Row)
		}
		byRow[d.Row] = append(byRow[d.Row], d)
	}
	for _, row := range rows {
		whose := row + "'s finding, not this row's"
		if row == t.feature.ID {
			whose = "this row's own finding"
		}
		AddReportEntry(reports.NoteEntryName, fmt.Sprintf("%s met a kept-alive connection the server had closed without announcing it and went again on a new connection (%s); first: %s",
			Counted(len(byRow[row]), "request"), whose, byRow[row][0]), ReportEntryVisibilityNever)
	}
	for _, sc := range t.clients {
		imageapi.CloseIdle(sc)
	}
}

// Identity returns who plays id's part on this column: id itself on the harness's deployments,
// an account of the cloud when certifying. A part the feature did not declare (Feature.Parts)
// is a harness error: the declaration decides what certification skips.
func (t *Target) Identity(id imageapi.Identity) imageapi.Identity {
	if t.col.parts == nil {
		return id
	}
	who, ok := t.col.parts[id.Part]
	if !ok {
		HarnessError("feature %s uses the %s account, which this cloud was not given and the feature does not declare", t.feature.ID, id.Part)
	}
	return who
}

// Endpoint is the base URL the specs use, ending in "/".
func (t *Target) Endpoint() string { return t.Client.Endpoint }

// NamePrefix starts the name of everything the suite creates, so a run only ever touches its own.
func NamePrefix() string { return "gc-" + shared.cfg.ID + "-" }

// Name returns a unique name for a new resource of this spec.
func (t *Target) Name() string {
	return fmt.Sprintf("%s%s-%d", NamePrefix(), t.feature.ID, nameCounter.Add(1))
}

// CreateImage creates an image record (raw/bare unless opts say otherwise) and deletes it when
// the spec ends.
func (t *Target) CreateImage(ctx context.Context, opts images.CreateOpts) *images.Image {
	return t.CreateImageAs(ctx, t.Client, opts)
}

// deleteAtEnd deletes an image when the spec ends, and makes log lines naming it evidence.
func (t *Target) DeleteAtEnd(id string) { t.deleteAtEndAs(t.Client, id) }

// deleteAtEndAs deletes an image when the spec ends as the client that created it: on a
// certified cloud the main account may not delete another project's image, and the run must
// leave nothing of its own behind.
func (t *Target) deleteAtEndAs(sc *gophercloud.ServiceClient, id string) {
	t.ids = append(t.ids, id)
	DeferCleanup(func(ctx SpecContext) {
		if t.stalled {
			// The server stopped answering: keepAnswering deletes it once it answers again.
			t.undeleted = append(t.undeleted, leftover{sc, id})
			return
		}
		err := t.deleteAs(ctx, sc, id)
		if errors.Is(err, context.DeadlineExceeded) {
			t.stalled = true
			t.undeleted = append(t.undeleted, leftover{sc, id})
		} else if err != nil {
			GinkgoWriter.Printf("cleanup: deleting image %s: %v\n", id, err)
		}
	})
}

// cleanupTimeout bounds one cleanup request: deleting an image takes well under a second, and a
// server that stopped answering must not hold every cleanup for the full request timeout.
const cleanupTimeout = 30 * time.Second

// leftover is an image a spec could not delete because the server had stopped answering.
type leftover struct {
	sc *gophercloud.ServiceClient
	id string
}

// deleteAs deletes an image as sc; already deleted (by the spec) is fine.
func (t *Target) deleteAs(ctx context.Context, sc *gophercloud.ServiceClient, id string) error {
	ctx, cancel := context.WithTimeout(ctx, cleanupTimeout)
	defer cancel()
	err := images.Delete(ctx, sc, id).ExtractErr()
	if gophercloud.ResponseCodeIs(err, 403) {
		// A spec that failed halfway may leave its image protected.
		images.Update(ctx, sc, id, images.UpdateOpts{images.ReplaceImageProtected{NewProtected: false}})
		err = images.Delete(ctx, sc, id).ExtractErr()
	}
	if gophercloud.ResponseCodeIs(err, 404) {
		return nil
	}
	return err
}

// deleteLeftovers deletes what the cleanups could not, once the column answers again.
func (t *Target) deleteLeftovers(ctx context.Context) {
	for _, l := range t.undeleted {
		if err := t.deleteAs(ctx, l.sc, l.id); err != nil {
			GinkgoWriter.Printf("cleanup after the restart: deleting image %s: %v\n", l.id, err)
		}
	}
	t.undeleted = nil
}

// deleteNow deletes an image at once (large images would otherwise fill the disk until the
// spec ends).
func (t *Target) DeleteNow(ctx context.Context, id string) {
	Expect(images.Delete(ctx, t.Client, id).ExtractErr()).NotTo(HaveOccurred(), "delete")
}

// GetImage reads an image and fails the spec if it cannot.
func (t *Target) GetImage(ctx context.Context, id string) *images.Image {
	img, err := images.Get(ctx, t.Client, id).Extract()
	Expect(err).NotTo(HaveOccurred(), "get image")
	return img
}

// ExpectDownload downloads an image and compares its bytes (by SHA-512) with the payload.
func (t *Target) ExpectDownload(ctx context.Context, id string, p payload.Payload) {
	body, err := imagedata.Download(ctx, t.Client, id).Extract()
	Expect(err).NotTo(HaveOccurred(), "download")
	defer body.Close()
	h := sha512.New()
	n, err := io.Copy(h, body)
	Expect(err).NotTo(HaveOccurred(), "%s", fmt.Sprintf("download (after %d bytes)", n))
	got := hex.EncodeToString(h.Sum(nil))
	Expect(n == int64(len(p.Data)) && got == p.SHA512).To(BeTrue(), "downloaded %d bytes with sha512 %.16s..., want %d bytes with %.16s...", n, got, len(p.Data), p.SHA512)
}

// ImportTimeout bounds an import from request to active.
const ImportTimeout = 2 * time.Minute

// WaitForImage polls an image until done says it is done, or fails the spec when done reports
// a failure, a read fails, or the time is up.
func (t *Target) WaitForImage(ctx context.Context, id, what string, done func(*images.Image) (ok bool, failure string)) *images.Image {
	var img *images.Image
	var state WaitState
	Eventually(ctx, func() (bool, error) {
		got, err := images.Get(ctx, t.Client, id).Extract()
		if err != nil {
			state.Set("")
			return false, StopTrying(ErrorLine(err))
		}
		img = got
		ok, failure := done(img)
		if failure != "" {
			state.Set("")
			return false, StopTrying(failure)
		}
		state.Set(fmt.Sprintf("image still %q after %s (%s)", img.Status, ImportTimeout, importState(img)))
		return ok, nil
	}).WithTimeout(ImportTimeout).WithPolling(time.Second).Should(BeTrue(), state.Reason(what))
	return img
}

// WaitState is what a wait saw last, for its reason: Eventually's description. Ginkgo may read
// it from another goroutine (a progress report) while the wait runs.
type WaitState struct {
	mu   sync.Mutex
	last string
}

// Set records what the wait saw last ("" when the reason is all in StopTrying's message).
func (w *WaitState) Set(s string) {
	w.mu.Lock()
	w.last = s
	w.mu.Unlock()
}

// Reason is the wait's description: "what: what it saw last".
func (w *WaitState) Reason(what string) func() string {
	return func() string {
		w.mu.Lock()
		defer w.mu.Unlock()
		return JoinReason(what, w.last)
	}
}

// JoinReason is "what: state", or what alone without a state.
func JoinReason(what, state string) string {
	if state == "" {
		return what
	}
	return what + ": " + state
}

// WaitForImport waits until an import has made the image active; a store listed in
// os_glance_failed_import ends the wait at once.
func (t *Target) WaitForImport(ctx context.Context, id, method string) *images.Image {
	return t.WaitForImage(ctx, id, method+" import", func(img *images.Image) (bool, string) {
		if failed := StringProp(img, "os_glance_failed_import"); failed != "" {
			return false, fmt.Sprintf("Glance reports the import failed for store(s) %q (status %q)", failed, img.Status)
		}
		return img.Status == images.ImageStatusActive, ""
	})
}

// Stores returns the stores an image's data is in, as a sorted set (Glance lists them in the
// order the data landed).
func Stores(img *images.Image) []string {
	var out []string
	for _, s := range strings.Split(StringProp(img, "stores"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func importState(img *images.Image) string {
	return fmt.Sprintf("os_glance_importing_to_stores=%q os_glance_failed_import=%q stores=%q",
		StringProp(img, "os_glance_importing_to_stores"), StringProp(img, "os_glance_failed_import"), StringProp(img, "stores"))
}

func StringProp(img *images.Image, key string) string {
	v, _ := img.Properties[key].(string)
	return v
}

// ErrorLine turns a Gophercloud error into one line: the status and the head of the body.
func ErrorLine(err error) string {
	var unexpected gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &unexpected) {
		return fmt.Sprintf("%s %s answered %d: %s", unexpected.Method, pathOf(unexpected.URL), unexpected.Actual, BodySummary(unexpected.Body))
	}
	return Truncate(oneLine(err.Error()), 300)
}

// recordEvidenceOnFailure attaches the exchanges and the matching server log lines to a failed
// spec's report.
func (t *Target) recordEvidenceOnFailure(ctx SpecContext) {
	if !CurrentSpecReport().Failed() {
		return
	}
	var ev reports.EvidenceEntry
	ev.Exchanges = collapse(t.rec.Exchanges(), 25)
	needles := append(t.rec.RequestIDs(), t.ids...)
	logs := t.col.dep.LogsSince(context.WithoutCancel(ctx), t.began.Add(-time.Second))
	for _, name := range slices.Sorted(maps.Keys(logs)) {
		for _, l := range evidence.MatchLines(logs[name], needles, 25) {
			ev.Logs = append(ev.Logs, "log "+name+": "+l)
		}
	}
	AddReportEntry(reports.EvidenceEntryName, ev, ReportEntryVisibilityNever)
}

// collapse turns exchanges into lines, folding repeats (polling) into one line with a count,
// and keeps the last max lines.
func collapse(exs []evidence.Exchange, max int) []string {
	var out []string
	var last string
	count := 0
	flush := func() {
		if count > 1 {
			out[len(out)-1] += fmt.Sprintf(" (x%d)", count)
		}
	}
	for _, e := range exs {
		s := e.String()
		key := strings.Join(strings.Fields(strings.ReplaceAll(s, e.RequestID, "")), " ")
		if key == last {
			count++
			continue
		}
		flush()
		out = append(out, s)
		last, count = key, 1
	}
	flush()
	if len(out) > max {
		out = append([]string{fmt.Sprintf("[%d earlier exchanges left out]", len(out)-max)}, out[len(out)-max:]...)
	}
	return out
}

// As returns a client acting as another identity, recording into this spec's evidence.
func (t *Target) As(id imageapi.Identity) *gophercloud.ServiceClient { return t.client(id) }

// CreateImageAs creates an image as the given client's identity, which deletes it at the end.
func (t *Target) CreateImageAs(ctx context.Context, sc *gophercloud.ServiceClient, opts images.CreateOpts) *images.Image {
	if opts.Name == "" {
		opts.Name = t.Name()
	}
	if opts.DiskFormat == "" {
		opts.DiskFormat = "raw"
	}
	if opts.ContainerFormat == "" {
		opts.ContainerFormat = "bare"
	}
	img, err := images.Create(ctx, sc, opts).Extract()
	Expect(err).NotTo(HaveOccurred(), "create image")
	t.deleteAtEndAs(sc, img.ID)
	return img
}

// ListIDs lists images with a raw query as sc's identity, following every page, and returns
// their ids in the order listed.
func (t *Target) ListIDs(ctx context.Context, sc *gophercloud.ServiceClient, query string) []string {
	pages, err := images.List(sc, imageapi.ListQuery(query)).AllPages(ctx)
	Expect(err).NotTo(HaveOccurred(), "%s", "list images ?"+query)
	listed, err := images.ExtractImages(pages)
	Expect(err).NotTo(HaveOccurred(), "%s", "list images ?"+query)
	ids := make([]string, len(listed))
	for i, img := range listed {
		ids[i] = img.ID
	}
	return ids
}

// ExpectListed compares a listing, in order when ordered, with the images wanted; names maps
// ids to short names for a readable failure.
func (t *Target) ExpectListed(got []string, ordered bool, names map[string]string, what string, want ...string) {
	g, w := append([]string(nil), got...), append([]string(nil), want...)
	if !ordered {
		slices.Sort(g)
		slices.Sort(w)
	}
	if !slices.Equal(g, w) {
		Fail(fmt.Sprintf("%s listed %v, want %v", what, short(got, names), short(want, names)), 1)
	}
}

func short(ids []string, names map[string]string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if n, ok := names[id]; ok {
			out[i] = n
		} else {
			out[i] = "other:" + id
		}
	}
	return out
}

// Recorder is the spec's evidence: every exchange its clients made.
func (t *Target) Recorder() *evidence.Recorder { return t.rec }

// Began is when the spec began: server log lines from then on are its own.
func (t *Target) Began() time.Time { return t.began }

// TLSConfig is the TLS configuration of the column's endpoint (nil: plain HTTP), for clients
// of the spec's own making.
func (t *Target) TLSConfig() *tls.Config { return t.col.tls }

// ServerLogs returns each server container's log since the spec began, by container; nil
// where the deployment offers no logs (an existing cloud). Logs are evidence and attribution,
// never a verdict's only ground, so a spec that reads them still runs on such a cloud.
func (t *Target) ServerLogs(ctx context.Context) map[string]string {
	return t.col.dep.LogsSince(ctx, t.began)
}

// GlanceContainers names the containers running Glance, for Exec. Asking for them declares
// that the feature needs a shell beside Glance: on a deployment that offers none (an existing
// cloud) the spec is skipped, saying so.
func (t *Target) GlanceContainers() []string {
	if _, ok := t.col.dep.(existingCloud); ok {
		Skip("needs a shell in Glance's containers, which a cloud the harness did not start does not offer")
	}
	return t.col.dep.GlanceComponents()
}

// Exec runs a command in one of GlanceContainers and returns its exit code and output.
func (t *Target) Exec(ctx context.Context, container string, args ...string) (int, string, error) {
	return t.col.dep.Exec(ctx, container, args...)
}

// OffersLocations tells whether the column's Glance shows and manages image locations
// (show_multiple_locations).
func (t *Target) OffersLocations() bool { return t.col.offersLocations() }

// OffersHTTPStore tells whether one of the column's stores is an http store (where a location by
// URL belongs).
func (t *Target) OffersHTTPStore() bool { return t.col.hasHTTPStore() }

// Region is the catalog region the column's Glance is registered in, in the run's Keystone; ""
// when the column uses the trusted identity headers (no catalog).
func (t *Target) Region() string {
	if !t.col.usesKeystone() {
		return ""
	}
	return identity.RegionOf(t.col.id)
}

// PeerAs returns a client of the deployment's second Glance node (same database, same stores)
// acting as id, recording into the spec's evidence; on a column with one node the spec is n/a.
func (t *Target) PeerAs(id imageapi.Identity) *gophercloud.ServiceClient {
	ep := t.col.dep.PeerEndpoint()
	if ep == "" {
		NotApplicable("the column runs one Glance API node; the feature needs a second one on the same database (the two-nodes deployment)")
	}
	return t.clientOf(ep, id, t.rec)
}

// GlanceOption reads an option of the glance-api.conf the column's Glance runs with: for a
// feature that exists only where an operator turns it on. ok is false when the option is not
// set, or the harness did not configure this Glance (a certified cloud).
func (t *Target) GlanceOption(section, key string) (value string, ok bool) {
	return t.col.option(section, key)
}

// offersLocations tells whether the column's Glance shows and manages image locations.
func (c *column) offersLocations() bool {
	v, _ := c.option("DEFAULT", "show_multiple_locations")
	return strings.EqualFold(v, "true")
}

// hasHTTPStore tells whether one of the column's stores is an http store.
func (c *column) hasHTTPStore() bool {
	v, _ := c.option("DEFAULT", "enabled_backends")
	for _, b := range strings.Split(v, ",") {
		if _, typ, _ := strings.Cut(b, ":"); strings.TrimSpace(typ) == "http" {
			return true
		}
	}
	return false
}

func (c *column) option(section, key string) (string, bool) {
	if c.glanceConf == nil {
		return "", false
	}
	return c.glanceConf.Get(section, key)
}

// NotApplicable ends the spec as n/a: this column cannot have what the feature tests.
func NotApplicable(reason string) {
	AddReportEntry(reports.NotApplicableEntryName, reason, ReportEntryVisibilityNever)
	Skip(reason)
}

// Servers names the server software the column runs (its topology's servers: eventlet, uwsgi,
// mod_wsgi, apache); none on a cloud the harness did not start.
func (t *Target) Servers() []string {
	if t.col.top == nil {
		return nil
	}
	return t.col.top.Servers
}

// Note adds a line to the cell's notes: something the run saw that the verdict does not rest on.
func Note(format string, args ...any) {
	AddReportEntry(reports.NoteEntryName, fmt.Sprintf(format, args...), ReportEntryVisibilityNever)
}

// WebPayloadURL is where Glance can fetch the run's payload over HTTP, for web-download: the
// web server the harness starts beside each of its deployments.
func (t *Target) WebPayloadURL() string { return websource.URL(WebPayloadName) }
