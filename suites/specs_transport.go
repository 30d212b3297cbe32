package suites

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"

	"github.com/glance-conformance/glance-conformance/fixtures/payload"
	"github.com/glance-conformance/glance-conformance/harness/evidence"
	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/harness/rawhttp"
	"github.com/glance-conformance/glance-conformance/reports"
)

// Payloads of the transport features, made once per run on first use.
var (
	largeChunksPayload = sync.OnceValue(func() payload.Payload { return payload.New(3, 16<<20+12345) })
	concurrentPayload  = sync.OnceValue(func() payload.Payload { return payload.New(4, 64<<20) })
)

var _ = conformance("upload.chunked-large-chunks", func(ctx SpecContext, t *Target) {
	t.SkipUnlessChunkedWorks(ctx, "chunk size")
	p := largeChunksPayload()
	img := t.CreateImage(ctx, images.CreateOpts{})
	// 4 MiB, then one of 1 MiB + 1 byte (just over uWSGI's default chunked-input-limit), then
	// 4 MiB chunks to the end.
	body := imageapi.Chunks(p.Data, 4<<20, 1<<20+1, 4<<20)
	t.Check(imagedata.Upload(ctx, t.Client, img.ID, body).ExtractErr(), "chunked upload (4 MiB chunks)")
	t.ExpectPayload(t.GetImage(ctx, img.ID), p)
})

// concurrentUploads is how many 64 MiB uploads run at once.
const concurrentUploads = 8

var _ = conformance("upload.concurrent", func(ctx SpecContext, t *Target) {
	p := concurrentPayload()
	ids := make([]string, concurrentUploads)
	for i := range ids {
		ids[i] = t.CreateImage(ctx, images.CreateOpts{}).ID
	}
	failures := make([]string, concurrentUploads)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer GinkgoRecover()
			<-start
			if err := imagedata.Upload(ctx, t.Client, id, imageapi.Sized(p.Data)).ExtractErr(); err != nil {
				failures[i] = "upload: " + shortStatus(err)
				return
			}
			img, err := images.Get(ctx, t.Client, id).Extract()
			switch {
			case err != nil:
				failures[i] = "get: " + shortStatus(err)
			case img.Status != images.ImageStatusActive || img.Checksum != p.MD5:
				failures[i] = fmt.Sprintf("image %s, checksum %.8s", img.Status, img.Checksum)
			}
		}()
	}
	close(start)
	wg.Wait()
	var failed []string
	for _, f := range failures {
		if f != "" {
			failed = append(failed, f)
		}
	}
	failed = t.setAsidePropertyRaces(ctx, failed) // that row's finding, not this one's
	t.Expectf(len(failed) == 0, "%d of %d concurrent 64 MiB uploads failed: %s", len(failed), concurrentUploads, summarize(failed))
})

var _ = conformance("upload.expect-continue", func(ctx SpecContext, t *Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	var got100 bool
	traced := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{Got100Continue: func() { got100 = true }})
	r, err := imageapi.Do(traced, t.Client, "PUT", "v2/images/"+img.ID+"/file", imageapi.Sized(t.Payload.Data),
		map[string]string{"Content-Type": "application/octet-stream", "Expect": "100-continue"})
	t.Check(err, "upload with Expect: 100-continue")
	t.rec.Note(evidence.Exchange{Method: "note", URL: fmt.Sprintf("server sent 100 Continue: %v", got100)})
	t.Expectf(r.Status == 204, "upload with Expect: 100-continue answered %d: %s", r.Status, bodySummary(r.Body))
	t.ExpectPayload(t.GetImage(ctx, img.ID), t.Payload)
})

var _ = conformance("http.keep-alive", func(ctx SpecContext, t *Target) {
	sc := t.client(imageapi.Admin, imageapi.KeepAlive())
	var conns []string
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
		conns = append(conns, fmt.Sprintf("%s reused=%v", i.Conn.LocalAddr(), i.Reused))
	}}
	traced := httptrace.WithClientTrace(ctx, trace)
	step := func(what string, fn func(context.Context) error) {
		t.Check(fn(traced), what+" (request "+fmt.Sprint(len(conns))+" on a kept-alive client)")
		// A server that closes after answering has done so by now: the client then opens a new
		// connection instead of racing the close (that race is not what this row measures).
		time.Sleep(200 * time.Millisecond)
	}
	var id string
	step("GET /versions", func(c context.Context) error {
		r, err := imageapi.Do(c, sc, "GET", "versions", nil, nil)
		if err == nil && r.Status != 200 {
			err = fmt.Errorf("status %d", r.Status)
		}
		return err
	})
	step("create image", func(c context.Context) error {
		img, err := images.Create(c, sc, images.CreateOpts{Name: t.Name(), DiskFormat: "raw", ContainerFormat: "bare"}).Extract()
		if err == nil {
			id = img.ID
			t.deleteAtEnd(id)
		}
		return err
	})
	step("upload", func(c context.Context) error {
		return imagedata.Upload(c, sc, id, imageapi.Sized(t.Payload.Data)).ExtractErr()
	})
	var img *images.Image
	step("get image", func(c context.Context) error {
		var err error
		img, err = images.Get(c, sc, id).Extract()
		return err
	})
	step("list images", func(c context.Context) error {
		pages, err := images.List(sc, images.ListOpts{Name: img.Name}).AllPages(c)
		if err == nil {
			var listed []images.Image
			if listed, err = images.ExtractImages(pages); err == nil && len(listed) != 1 {
				err = fmt.Errorf("listed %d images, want 1", len(listed))
			}
		}
		return err
	})
	t.ExpectPayload(img, t.Payload)
	distinct := map[string]bool{}
	for _, c := range conns {
		distinct[strings.Fields(c)[0]] = true
	}
	how := "the server kept one connection for all requests"
	if len(distinct) > 1 {
		how = fmt.Sprintf("the server closed connections: %d connections for %d requests", len(distinct), len(conns))
	}
	t.rec.Note(evidence.Exchange{Method: "note", URL: how + " (" + strings.Join(conns, ", ") + ")"})
	AddReportEntry(reports.NoteEntryName, how, ReportEntryVisibilityNever)
})

// errDropped is how the client drops an upload halfway.
var errDropped = errors.New("client dropped the upload")

var _ = conformance("upload.abort", func(ctx SpecContext, t *Target) {
	p := concurrentPayload() // 64 MiB: large enough that the server is mid-body when it drops
	img := t.CreateImage(ctx, images.CreateOpts{})
	half := io.MultiReader(bytes.NewReader(p.Data[:len(p.Data)/2]), failingReader{})
	_, err := imageapi.Do(ctx, t.Client, "PUT", "v2/images/"+img.ID+"/file", imageapi.WithLength(half, int64(len(p.Data))),
		map[string]string{"Content-Type": "application/octet-stream"})
	t.Expectf(err != nil, "the dropped upload was answered as if complete")

	// The server notices the drop when its read fails; give it time to clean up.
	after := t.WaitForImage(ctx, img.ID, "after the dropped upload", func(i *images.Image) (bool, string) {
		if i.Status == images.ImageStatusActive {
			return false, "the image became active from half its data"
		}
		return i.Status != images.ImageStatusSaving, ""
	})
	t.Expectf(after.Status == images.ImageStatusQueued, "after the dropped upload the image is %q, want queued (ready for a new upload)", after.Status)
	t.Expectf(len(t.leftovers(ctx, img.ID)) == 0, "partial data left after the dropped upload: %s", strings.Join(t.leftovers(ctx, img.ID), ", "))

	t.Check(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(p.Data)).ExtractErr(), "new upload after the dropped one")
	t.ExpectPayload(t.GetImage(ctx, img.ID), p)
})

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errDropped }

// leftovers lists files naming an image under Glance's data directories, in every component
// that runs Glance.
func (t *Target) leftovers(ctx context.Context, imageID string) []string {
	var found []string
	for _, comp := range t.col.dep.GlanceComponents() {
		code, out, err := t.col.dep.Exec(ctx, comp, "find", "/var/lib/glance", "-name", "*"+imageID+"*", "-type", "f")
		if err != nil || code != 0 {
			harnessError("looking for leftover files in %s: exit %d, %v: %s", comp, code, err, out)
		}
		for _, f := range strings.Fields(out) {
			found = append(found, comp+":"+f)
		}
	}
	return found
}

// SkipUnlessChunkedWorks skips the spec when a small chunked upload fails here: the row's
// subject (what) cannot be told apart from that failure, which is upload.chunked's finding.
// One defect, one row.
func (t *Target) SkipUnlessChunkedWorks(ctx SpecContext, what string) {
	if reason := t.chunkedFailure(ctx); reason != "" {
		Skip(fmt.Sprintf("chunked uploads fail here whatever the %s (see upload.chunked): %s", what, reason))
	}
}

// chunkedFailure uploads 256 KiB in 64 KiB chunks to a fresh image and says what went wrong, or
// "" when it worked.
func (t *Target) chunkedFailure(ctx SpecContext) string {
	probe := t.CreateImage(ctx, images.CreateOpts{})
	data := t.Payload.Data[:256<<10]
	if err := imagedata.Upload(ctx, t.Client, probe.ID, imageapi.Chunked(data, chunkSize)).ExtractErr(); err != nil {
		return describe(err)
	}
	return ""
}

// earlyAnswerBodySize is far more than socket buffers hold, so the client is still sending
// when the server answers.
const earlyAnswerBodySize = 64 << 20

var _ = conformance("upload.early-answer", func(ctx SpecContext, t *Target) {
	endpoint, err := url.Parse(t.Endpoint())
	t.Check(err, "the endpoint")
	if endpoint.Scheme != "http" {
		Skip("the raw client of this row speaks plain HTTP only, and the endpoint is " + endpoint.Scheme)
	}
	img := t.CreateImage(ctx, images.CreateOpts{})
	t.Check(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr(), "upload making the image active")

	// Glance refuses an upload to an active image (409) before it reads the body. The raw client
	// writes the whole body anyway, as Go's and Python's clients do, then a follow-up request.
	exchange, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	headers := t.Identity(imageapi.Admin).Headers()
	headers["Content-Type"] = "application/octet-stream"
	o, err := rawhttp.SendWholeBody(exchange, rawhttp.Request{
		Method: "PUT", URL: t.Endpoint() + "v2/images/" + img.ID + "/file", Headers: headers,
		Body: payload.NewStream(8, earlyAnswerBodySize), BodySize: earlyAnswerBodySize,
	}, endpoint.Path+"versions")
	if err != nil {
		harnessError("raw connection to %s: %v", t.Endpoint(), err)
	}
	t.rec.Note(evidence.Exchange{Method: "PUT", URL: "v2/images/" + img.ID + "/file (raw connection, whole body written)",
		Body: fmt.Sprintf("Content-Length %d", earlyAnswerBodySize), Status: o.Status, BodyHead: o.AnswerHead, Error: o.String()})

	// A reset is the finding whatever was read before it: a client writing before it reads
	// (Go's, Python's) loses the answer. uWSGI documents this ("Things to know": an app that
	// does not consume the body clobbers the socket; post-buffering is its remedy).
	if o.Reset() {
		Fail(fmt.Sprintf("the connection was reset under the client still writing the body (answer read before the reset: %d); a client that writes before it reads loses the answer (%s)", o.Status, o))
	}
	t.Expectf(o.Status == 409, "the upload to an active image was answered %d, want 409 (%s)", o.Status, o)
	switch {
	case o.Close:
		t.Expectf(o.ReadErr == nil, "after answering with Connection: close the stream did not end cleanly (%s)", o)
		AddReportEntry(reports.NoteEntryName, "the server answered with Connection: close and read the rest of the body before closing (lingering close)", ReportEntryVisibilityNever)
	default:
		t.Expectf(o.Followed == 200 && o.ReadErr == nil, "the server kept the connection but did not answer the next request on it correctly (%s)", o)
		AddReportEntry(reports.NoteEntryName, "the server read and discarded the rest of the body and answered the next request on the same connection", ReportEntryVisibilityNever)
	}
})
