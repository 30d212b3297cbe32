package suites

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/fixtures/payload"
	"github.com/glance-conformance/glance-conformance/harness/evidence"
	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/harness/rawhttp"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// Payloads of the transport features, made once per run on first use.
var (
	largeChunksPayload = sync.OnceValue(func() payload.Payload { return payload.New(3, 16<<20+12345) })
	concurrentPayload  = sync.OnceValue(func() payload.Payload { return payload.New(4, 64<<20) })
)

var _ = framework.Conformance(feature.Feature{
	ID:      "upload.chunked-large-chunks",
	Title:   "Chunked upload in 4 MiB chunks",
	Proves:  "PUT /file with a chunked body of 4 MiB chunks (and one of 1 MiB + 1 byte), as qemu-img and cinder send them, makes the image active with the right bytes",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	skipUnlessChunkedWorks(ctx, t, "chunk size")
	p := largeChunksPayload()
	img := t.CreateImage(ctx, images.CreateOpts{})
	// 4 MiB, then one of 1 MiB + 1 byte (just over uWSGI's default chunked-input-limit), then
	// 4 MiB chunks to the end.
	body := imageapi.Chunks(p.Data, 4<<20, 1<<20+1, 4<<20)
	Expect(imagedata.Upload(ctx, t.Client, img.ID, body).ExtractErr()).NotTo(HaveOccurred(), "chunked upload (4 MiB chunks)")
	Expect(t.GetImage(ctx, img.ID)).To(framework.HaveImagePayload(p))
})

// concurrentUploads is how many 64 MiB uploads run at once.
const concurrentUploads = 8

var _ = framework.Conformance(feature.Feature{
	ID:      "upload.concurrent",
	Title:   "Concurrent large uploads",
	Proves:  "8 uploads of 64 MiB at the same moment all end with active images holding the right bytes",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	p := concurrentPayload()
	ids := make([]string, concurrentUploads)
	for i := range ids {
		ids[i] = t.CreateImage(ctx, images.CreateOpts{}).ID
	}
	failures := make([]*failure, concurrentUploads)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer GinkgoRecover()
			<-start
			failures[i] = uploadAndCheck(ctx, t, id, p)
		}()
	}
	close(start)
	wg.Wait()
	var all []failure
	for _, f := range failures {
		if f != nil {
			all = append(all, *f)
		}
	}
	failed := setAsidePropertyRaces(ctx, t, all) // that row's finding, not this one's
	Expect(len(failed) == 0).To(BeTrue(), "%d of %d concurrent 64 MiB uploads failed: %s", len(failed), concurrentUploads, framework.Summarize(failed))
})

var _ = framework.Conformance(feature.Feature{
	ID:      "upload.expect-continue",
	Title:   "Upload with Expect: 100-continue",
	Proves:  "an upload that asks for 100 Continue (as curl does above 1 MiB) completes with the right bytes",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	var got100 bool
	traced := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{Got100Continue: func() { got100 = true }})
	r, err := imageapi.Do(traced, t.Client, "PUT", "v2/images/"+img.ID+"/file", imageapi.Sized(t.Payload.Data),
		map[string]string{"Content-Type": "application/octet-stream", "Expect": "100-continue"})
	Expect(err).NotTo(HaveOccurred(), "upload with Expect: 100-continue")
	t.Recorder().Note(evidence.Exchange{Method: "note", URL: fmt.Sprintf("server sent 100 Continue: %v", got100)})
	Expect(r.Status == 204).To(BeTrue(), "upload with Expect: 100-continue answered %d: %s", r.Status, framework.BodySummary(r.Body))
	Expect(t.GetImage(ctx, img.ID)).To(framework.HaveImagePayload(t.Payload))
})

// keepAliveStep is one request of http.keep-alive, written on the kept connection.
type keepAliveStep struct {
	method, path string
	headers      map[string]string
	body         []byte
	want         int
}

var _ = framework.Conformance(feature.Feature{
	ID:      "http.keep-alive",
	Title:   "Several requests over one connection",
	Proves:  "over one connection, back to back, GET /versions, create, PATCH, upload, get, list and delete each get the right answer, and the server never closes the connection after an answer that did not announce the close with Connection: close (RFC 9112 9.3, 9.6); an announced close is followed on a new connection",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	// A raw connection: net/http would notice a close in the background, dial anew and silently
	// resend an idempotent request, hiding exactly what this row measures.
	dial := func() *rawhttp.Conn {
		c, err := rawhttp.Dial(ctx, t.Endpoint(), t.TLSConfig())
		if err != nil {
			framework.HarnessError("connecting to %s: %v", t.Endpoint(), err)
		}
		DeferCleanup(func() { _ = c.Close() }) // closed already when the server announced a close
		return c
	}
	id := t.Identity(imageapi.Main).Headers()
	with := func(extra map[string]string) map[string]string {
		h := map[string]string{"Accept": "application/json", "User-Agent": "gophercloud/v2 glance-conformance"}
		maps.Copy(h, id)
		maps.Copy(h, extra)
		return h
	}
	name := t.Name()
	create, _ := json.Marshal(map[string]string{"name": name, "disk_format": "raw", "container_format": "bare"})
	var conn *rawhttp.Conn
	connections := 0
	var imageID, previous string
	announced := 0 // answers that said Connection: close
	steps := []keepAliveStep{
		{method: "GET", path: "versions", want: 200},
		{method: "POST", path: "v2/images", headers: map[string]string{"Content-Type": "application/json"}, body: create, want: 201},
		{method: "PATCH", path: "v2/images/{id}", headers: map[string]string{"Content-Type": "application/openstack-images-v2.1-json-patch"},
			body: []byte(`[{"op": "add", "path": "/gc_keep_alive", "value": "yes"}]`), want: 200},
		{method: "PUT", path: "v2/images/{id}/file", headers: map[string]string{"Content-Type": "application/octet-stream"}, body: t.Payload.Data, want: 204},
		{method: "GET", path: "v2/images/{id}", want: 200},
		{method: "GET", path: "v2/images?name=" + url.QueryEscape(name), want: 200},
		{method: "DELETE", path: "v2/images/{id}", want: 204},
	}
	for i, s := range steps {
		path := strings.ReplaceAll(s.path, "{id}", imageID)
		if conn == nil {
			conn, previous = dial(), ""
			connections++
		}
		what := s.method + " " + path
		reqCtx, cancel := context.WithTimeout(ctx, imageapi.AnswerTimeout)
		a, err := conn.Do(reqCtx, s.method, path, with(s.headers), s.body)
		cancel()
		framing := ""
		if s.body != nil {
			framing = fmt.Sprintf("Content-Length: %d", len(s.body))
		}
		ex := evidence.Exchange{Method: s.method, URL: fmt.Sprintf("%s (raw connection %d, request %d)", path, connections, i+1), Body: framing}
		var none *rawhttp.NoAnswerError
		switch {
		case errors.As(err, &none) && previous != "":
			ex.Error = none.Error()
			t.Recorder().Note(ex)
			Fail(fmt.Sprintf("the server closed the kept-alive connection after an answer that did not announce it (%s, no Connection: close): the next request on it, %s, got %s (RFC 9112 9.6: a server that closes must say so)", previous, what, none.Error()))
		case err != nil && previous == "":
			ex.Error = err.Error()
			t.Recorder().Note(ex)
			Fail(fmt.Sprintf("%s on a new connection: %v", what, err))
		case err != nil:
			ex.Error = err.Error()
			t.Recorder().Note(ex)
			Fail(fmt.Sprintf("%s on the kept-alive connection (after %s): %v", what, previous, err))
		}
		ex.Status, ex.RequestID, ex.BodyHead = a.Status, a.Header.Get("X-Openstack-Request-Id"), framework.Truncate(string(a.Body), evidence.HeadBytes)
		t.Recorder().Note(ex)
		Expect(a.Status == s.want).To(BeTrue(), "%s on a kept-alive connection answered %d, want %d: %s", what, a.Status, s.want, framework.BodySummary(a.Body))
		switch {
		case s.method == "POST":
			var img struct{ ID string }
			Expect(json.Unmarshal(a.Body, &img)).NotTo(HaveOccurred(), "the created image")
			imageID = img.ID
			t.DeleteAtEnd(imageID)
		case s.path == "v2/images/{id}" && s.method == "GET":
			var img images.Image
			Expect(json.Unmarshal(a.Body, &img)).NotTo(HaveOccurred(), "the uploaded image")
			Expect(&img).To(framework.HaveImagePayload(t.Payload))
		}
		previous = fmt.Sprintf("%d to %s", a.Status, what)
		if a.Close {
			// An announced close is the server's right (RFC 9112 9.6): the next request goes
			// on a new connection, as any client's would.
			announced++
			conn.Close()
			conn = nil
		}
	}
	how := "the server kept one connection for all requests"
	if announced > 0 {
		how = fmt.Sprintf("the server announced Connection: close on %d of %d answers, so %d connections carried %d requests", announced, len(steps), connections, len(steps))
	}
	framework.Note("%s", how)
})

// errDropped is how the client drops an upload halfway.
var errDropped = errors.New("client dropped the upload")

var _ = framework.Conformance(feature.Feature{
	ID:      "upload.abort",
	Title:   "Upload dropped halfway",
	Proves:  "after a client drops an upload halfway the image is not active, no partial data stays in the store or staging directories, and a new upload to the same image succeeds",
	Tempest: []string{"none"},
	Setup:   "read access to Glance's store and staging directories, to look for partial data",
}, func(ctx SpecContext, t *framework.Target) {
	p := concurrentPayload() // 64 MiB: large enough that the server is mid-body when it drops
	img := t.CreateImage(ctx, images.CreateOpts{})
	half := io.MultiReader(bytes.NewReader(p.Data[:len(p.Data)/2]), failingReader{})
	_, err := imageapi.Do(ctx, t.Client, "PUT", "v2/images/"+img.ID+"/file", imageapi.WithLength(half, int64(len(p.Data))),
		map[string]string{"Content-Type": "application/octet-stream"})
	Expect(err != nil).To(BeTrue(), "the dropped upload was answered as if complete")

	// The server notices the drop when its read fails; give it time to clean up.
	after := t.WaitForImage(ctx, img.ID, "after the dropped upload", func(i *images.Image) (bool, string) {
		if i.Status == images.ImageStatusActive {
			return false, "the image became active from half its data"
		}
		return i.Status != images.ImageStatusSaving, ""
	})
	Expect(after.Status == images.ImageStatusQueued).To(BeTrue(), "after the dropped upload the image is %q, want queued (ready for a new upload)", after.Status)
	Expect(len(leftovers(ctx, t, img.ID)) == 0).To(BeTrue(), "partial data left after the dropped upload: %s", strings.Join(leftovers(ctx, t, img.ID), ", "))

	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(p.Data)).ExtractErr()).NotTo(HaveOccurred(), "new upload after the dropped one")
	Expect(t.GetImage(ctx, img.ID)).To(framework.HaveImagePayload(p))
})

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errDropped }

// leftovers lists files naming an image under Glance's data directories, in every component
// that runs Glance.
func leftovers(ctx context.Context, t *framework.Target, imageID string) []string {
	var found []string
	for _, comp := range t.GlanceContainers() {
		code, out, err := t.Exec(ctx, comp, "find", "/var/lib/glance", "-name", "*"+imageID+"*", "-type", "f")
		if err != nil || code != 0 {
			framework.HarnessError("looking for leftover files in %s: exit %d, %v: %s", comp, code, err, out)
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
func skipUnlessChunkedWorks(ctx SpecContext, t *framework.Target, what string) {
	if reason := chunkedFailure(ctx, t); reason != "" {
		Skip(fmt.Sprintf("chunked uploads fail here whatever the %s (see upload.chunked): %s", what, reason))
	}
}

// chunkedFailure uploads 256 KiB in 64 KiB chunks to a fresh image and says what went wrong, or
// "" when it worked.
func chunkedFailure(ctx SpecContext, t *framework.Target) string {
	probe := t.CreateImage(ctx, images.CreateOpts{})
	data := t.Payload.Data[:256<<10]
	if err := imagedata.Upload(ctx, t.Client, probe.ID, imageapi.Chunked(data, chunkSize)).ExtractErr(); err != nil {
		return framework.ErrorLine(err)
	}
	return ""
}

// earlyAnswerBodySize is far more than socket buffers hold, so the client is still sending
// when the server answers.
const earlyAnswerBodySize = 64 << 20

var _ = framework.Conformance(feature.Feature{
	ID:      "upload.early-answer",
	Title:   "Answer before the body, connection kept intact",
	Proves:  "an upload Glance refuses before reading its body (409, the image is active) gets its answer while the client is still writing the body, and the connection then either carries the next request or ends cleanly, never a reset that makes a client writing before it reads lose the answer (RFC 9112 9.6)",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	endpoint, err := url.Parse(t.Endpoint())
	Expect(err).NotTo(HaveOccurred(), "the endpoint")
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).NotTo(HaveOccurred(), "upload making the image active")

	// Glance refuses an upload to an active image (409) before it reads the body. The raw client
	// writes the whole body anyway, as Go's and Python's clients do, then a follow-up request.
	exchange, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	headers := t.Identity(imageapi.Main).Headers()
	headers["Content-Type"] = "application/octet-stream"
	o, err := rawhttp.SendWholeBody(exchange, rawhttp.Request{
		Method: "PUT", URL: t.Endpoint() + "v2/images/" + img.ID + "/file", Headers: headers,
		Body: payload.NewStream(8, earlyAnswerBodySize), BodySize: earlyAnswerBodySize, TLS: t.TLSConfig(),
	}, endpoint.Path+"versions")
	if err != nil {
		framework.HarnessError("raw connection to %s: %v", t.Endpoint(), err)
	}
	t.Recorder().Note(evidence.Exchange{Method: "PUT", URL: "v2/images/" + img.ID + "/file (raw connection, whole body written)",
		Body: fmt.Sprintf("Content-Length %d", earlyAnswerBodySize), Status: o.Status, BodyHead: o.AnswerHead, Error: o.String()})

	// A reset is the finding whatever was read before it: a client writing before it reads
	// (Go's, Python's) loses the answer. uWSGI documents this ("Things to know": an app that
	// does not consume the body clobbers the socket; post-buffering is its remedy).
	if o.Reset() {
		Fail(fmt.Sprintf("the connection was reset under the client still writing the body (answer read before the reset: %d); a client that writes before it reads loses the answer (%s)", o.Status, o))
	}
	Expect(o.Status == 409).To(BeTrue(), "the upload to an active image was answered %d, want 409 (%s)", o.Status, o)
	switch {
	case o.Close:
		Expect(o.ReadErr == nil).To(BeTrue(), "after answering with Connection: close the stream did not end cleanly (%s)", o)
		framework.Note("the server answered with Connection: close and read the rest of the body before closing (lingering close)")
	default:
		Expect(o.Followed == 200 && o.ReadErr == nil).To(BeTrue(), "the server kept the connection but did not answer the next request on it correctly (%s)", o)
		framework.Note("the server read and discarded the rest of the body and answered the next request on the same connection")
	}
})
