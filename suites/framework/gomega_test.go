package framework

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/fixtures/payload"
)

// reasonOf runs one Gomega assertion and returns the reason the suite would record.
func reasonOf(assert func(g Gomega)) string {
	var got string
	g := NewGomega(func(message string, _ ...int) {
		if got == "" {
			got = reason(message)
		}
	})
	assert(g)
	return got
}

func TestGomegaFailuresBecomeOneLineReasons(t *testing.T) {
	refused := gophercloud.ErrUnexpectedResponseCode{Method: "POST", URL: "http://127.0.0.1:9292/v2/images", Expected: []int{201}, Actual: 500,
		Body: []byte(`{"title": "Internal Server Error", "message": "The server has either erred\n or is incapable"}`)}
	ctx := context.Background()
	p := payload.New(1, 4096)
	for name, c := range map[string]struct {
		assert func(g Gomega)
		want   string
	}{
		"an error": {func(g Gomega) { g.Expect(fmt.Errorf("create: %w", refused)).NotTo(HaveOccurred(), "create") },
			"create: POST /v2/images answered 500: Internal Server Error: The server has either erred or is incapable"},
		"Succeed": {func(g Gomega) { g.Expect(errors.New("connection reset\nby peer")).To(Succeed(), "upload") },
			"upload: connection reset by peer"},
		"a condition": {func(g Gomega) { g.Expect(false).To(BeTrue(), "image is %q, want active", "queued") },
			`image is "queued", want active`},
		"a comparison": {func(g Gomega) { g.Expect("queued").To(Equal("active"), "status") },
			"status: Expected queued to equal active"},
		"a status, when it succeeded": {func(g Gomega) { g.Expect(nil).To(HaveStatus(403), "a member deleting") },
			"a member deleting: succeeded, want 403"},
		"a status, another one": {func(g Gomega) { g.Expect(refused).To(HaveStatus(403), "a member deleting") },
			"a member deleting: want 403, got POST /v2/images answered 500: Internal Server Error: The server has either erred or is incapable"},
		"an image that is not the payload": {func(g Gomega) {
			g.Expect(&images.Image{Status: images.ImageStatusActive, SizeBytes: 5}).To(HaveImagePayload(p), "after the chunked upload")
		}, fmt.Sprintf("after the chunked upload: size is 5, want %d", len(p.Data))},
		"a wait that timed out": {func(g Gomega) {
			g.Eventually(ctx, func() bool { return false }).WithTimeout(30*time.Millisecond).WithPolling(10*time.Millisecond).
				Should(BeTrue(), func() string { return "web-download import: image still \"importing\" after 2m0s" })
		}, `web-download import: image still "importing" after 2m0s`},
		"a wait told to stop": {func(g Gomega) {
			g.Eventually(ctx, func() (bool, error) {
				return false, StopTrying(`Glance reports the import failed for store(s) "cheap"`)
			}).
				WithTimeout(time.Second).Should(BeTrue(), "web-download import")
		}, `web-download import: Glance reports the import failed for store(s) "cheap"`},
		"a wait whose check failed": {func(g Gomega) {
			g.Eventually(ctx, func(g Gomega) { g.Expect(refused).NotTo(HaveOccurred(), "GET /v2/cache") }).
				WithTimeout(30*time.Millisecond).WithPolling(10*time.Millisecond).Should(Succeed(), "the image cached")
		}, "the image cached: POST /v2/images answered 500: Internal Server Error: The server has either erred or is incapable"},
	} {
		if got := reasonOf(c.assert); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", name, got, c.want)
		}
	}
}

func TestImagePayloadMatcherAcceptsTheImageOfThePayload(t *testing.T) {
	p := payload.New(1, 4096)
	img := &images.Image{Status: images.ImageStatusActive, SizeBytes: int64(len(p.Data)), Checksum: p.MD5,
		Properties: map[string]any{"os_hash_algo": "sha512", "os_hash_value": p.SHA512}}
	if ok, err := HaveImagePayload(p).Match(img); !ok || err != nil {
		t.Errorf("the payload's own image refused: %v", err)
	}
	img.Properties["os_hash_value"] = p.MD5
	if ok, _ := HaveImagePayload(p).Match(img); ok {
		t.Error("an image with another hash accepted")
	}
}
