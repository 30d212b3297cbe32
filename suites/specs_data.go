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
	ID:     "upload.content-length",
	Title:  "Upload with Content-Length",
	Proves: "PUT /file with a Content-Length body makes the image active with the right size, checksum and os_hash_value",
	// No Tempest test uploads with a Content-Length: Tempest's image client sends every upload
	// and every stage chunked (upload.chunked).
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).NotTo(HaveOccurred(), "upload")
	Expect(t.GetImage(ctx, img.ID)).To(framework.HaveImagePayload(t.Payload))
})

var _ = framework.Conformance(feature.Feature{
	ID:     "upload.chunked",
	Title:  "Upload with Transfer-Encoding: chunked",
	Proves: "PUT /file with a chunked body in 64 KiB chunks makes the image active with the right size, checksum and os_hash_value",
	// Every Tempest test that uploads or stages image data, in the test or its class's set-up:
	// Tempest's image client sends both chunked, in 64 KiB chunks (images_client.py,
	// store_image_file and stage_image_file: chunked=True). A crosscheck showed it: on mod_wsgi,
	// which answers a chunked body 411, exactly these tests failed with 411.
	Tempest: []string{
		"tempest.api.image.v2.admin.test_image_caching.ImageCachingTest.test_image_caching_cycle",
		"tempest.api.image.v2.admin.test_images.ImportCopyImagesTest.test_image_copy_image_import",
		"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_deactivate_reactivate_image",
		"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_register_upload_get_image_file",
		"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_direct_import",
		"tempest.api.image.v2.test_images.ListSharedImagesTest.test_list_images_param_member_status",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_no_params",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_container_format",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_disk_format",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_visibility",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_size",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_min_max_size",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_status",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_limit",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_image_param_owner",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_name",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_tag",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_sort",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_sort_key_dir",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_get_image_schema",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_get_images_schema",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_hidden_image",
		"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_update_hidden_image",
		"tempest.api.image.v2.test_images.MultiStoresImportImagesTest.test_glance_direct_import_image_to_all_stores",
		"tempest.api.image.v2.test_images.MultiStoresImportImagesTest.test_glance_direct_import_image_to_specific_stores",
	},
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
