package suites

import (
	"bytes"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// chunkSize is the chunk size of the chunked-body features.
const chunkSize = 64 << 10

var _ = framework.Conformance(feature.Feature{
	ID:      "upload.content-length",
	Title:   "Upload with Content-Length",
	Proves:  "PUT /file with a Content-Length body makes the image active with the right size, checksum and os_hash_value",
	Tempest: []string{"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_register_upload_get_image_file"},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).NotTo(HaveOccurred(), "upload")
	Expect(t.GetImage(ctx, img.ID)).To(framework.HaveImagePayload(t.Payload))
})

var _ = framework.Conformance(feature.Feature{
	ID:      "upload.chunked",
	Title:   "Upload with Transfer-Encoding: chunked",
	Proves:  "PUT /file with a chunked body in 64 KiB chunks makes the image active with the right size, checksum and os_hash_value",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Chunked(t.Payload.Data, chunkSize)).ExtractErr()).NotTo(HaveOccurred(), "chunked upload")
	Expect(t.GetImage(ctx, img.ID)).To(framework.HaveImagePayload(t.Payload))
})

var _ = framework.Conformance(feature.Feature{
	ID:      "download.integrity",
	Title:   "Download returns the uploaded bytes",
	Proves:  "GET /file returns exactly the uploaded bytes (SHA-512 compared by the client)",
	Tempest: []string{"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_register_upload_get_image_file"},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).NotTo(HaveOccurred(), "upload")
	t.ExpectDownload(ctx, img.ID, t.Payload)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "download.range",
	Title:   "Ranged download",
	Proves:  "GET /file with Range: bytes=0-99 answers 206 with exactly those 100 bytes",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).NotTo(HaveOccurred(), "upload")
	r, err := imageapi.Do(ctx, t.Client, "GET", "v2/images/"+img.ID+"/file", nil, map[string]string{"Range": "bytes=0-99"})
	Expect(err).NotTo(HaveOccurred(), "ranged download")
	Expect(r.Status == 206).To(BeTrue(), "GET /file with Range: bytes=0-99 answered %d, want 206", r.Status)
	want := fmt.Sprintf("bytes 0-99/%d", len(t.Payload.Data))
	Expect(r.Header.Get("Content-Range") == want).To(BeTrue(), "Content-Range is %q, want %q", r.Header.Get("Content-Range"), want)
	Expect(bytes.Equal(r.Body, t.Payload.Data[:100])).To(BeTrue(), "got %d bytes, not the first 100 bytes of the image", len(r.Body))
})
