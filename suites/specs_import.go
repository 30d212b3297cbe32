package suites

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imageimport"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// The stores and import methods the base glance-api.conf enables.
var (
	wantStores  = []string{"cheap", "fast"}
	wantMethods = []string{"copy-image", "glance-direct", "web-download"}
)

var _ = framework.Conformance(feature.Feature{
	ID:      "import.discovery",
	Title:   "Import methods and stores discovery",
	Proves:  "/v2/info/import lists glance-direct, web-download and copy-image (and whatever else the deployment enables), and /v2/info/stores lists both stores as writable",
	Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_direct_import", "tempest.api.image.v2.test_images.MultiStoresImportImagesTest.test_glance_direct_import_image_to_specific_stores"},
	Setup:   "the import methods glance-direct, web-download and copy-image enabled and the two stores of deployments/base",
}, func(ctx SpecContext, t *framework.Target) {
	info, err := imageimport.Get(ctx, t.Client).Extract()
	Expect(err).NotTo(HaveOccurred(), "GET /v2/info/import")
	// The base's three, and any a deployment adds (glance-download where Keystone is).
	methods := slices.Sorted(slices.Values(info.ImportMethods.Value))
	Expect(methods).To(ContainElements(wantMethods), "import methods are %v, want %v among them", methods, wantMethods)

	r, err := imageapi.Do(ctx, t.Client, "GET", "v2/info/stores", nil, nil)
	Expect(err).NotTo(HaveOccurred(), "GET /v2/info/stores")
	Expect(r.Status == 200).To(BeTrue(), "GET /v2/info/stores answered %d", r.Status)
	var doc struct {
		Stores []imageapi.Store `json:"stores"`
	}
	Expect(json.Unmarshal(r.Body, &doc)).NotTo(HaveOccurred(), "stores body")
	// The stores images can be imported to: a read-only store (the http store of a column that
	// takes locations by URL) is listed too, and left out as Tempest's get_available_stores does.
	var ids []string
	for _, s := range doc.Stores {
		if !s.ReadOnly {
			ids = append(ids, s.ID)
		}
	}
	slices.Sort(ids)
	Expect(slices.Equal(ids, wantStores)).To(BeTrue(), "stores are %v, want %v", ids, wantStores)
})

func glanceDirect(ctx SpecContext, t *framework.Target, chunked bool) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	body := imageapi.Sized(t.Payload.Data)
	if chunked {
		body = imageapi.Chunked(t.Payload.Data, chunkSize)
	}
	Expect(imagedata.Stage(ctx, t.Client, img.ID, body).ExtractErr()).NotTo(HaveOccurred(), "stage")
	staged := t.GetImage(ctx, img.ID)
	Expect(staged.Status == "uploading").To(BeTrue(), "after staging the image is %q, want uploading", staged.Status)
	Expect(imageimport.Create(ctx, t.Client, img.ID, imageimport.CreateOpts{Name: imageimport.GlanceDirectMethod}).ExtractErr()).NotTo(HaveOccurred(), "import")
	Expect(t.WaitForImport(ctx, img.ID, "glance-direct")).To(framework.HaveImagePayload(t.Payload))
	t.ExpectDownload(ctx, img.ID, t.Payload)
}

var _ = framework.Conformance(feature.Feature{
	ID:      "import.glance-direct",
	Title:   "Interoperable import: glance-direct",
	Proves:  "staging with a Content-Length body and importing with glance-direct makes the image active with the right bytes",
	Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_direct_import", "tempest.api.image.v2.test_images.MultiStoresImportImagesTest.test_glance_direct_import_image_to_all_stores"},
}, func(ctx SpecContext, t *framework.Target) { glanceDirect(ctx, t, false) })

var _ = framework.Conformance(feature.Feature{
	ID:      "import.glance-direct-chunked",
	Title:   "Interoperable import: glance-direct, chunked staging",
	Proves:  "staging with a chunked body and importing with glance-direct makes the image active with the right bytes",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) { glanceDirect(ctx, t, true) })

var _ = framework.Conformance(feature.Feature{
	ID:      "import.web-download",
	Title:   "Interoperable import: web-download",
	Proves:  "Glance fetches the image from an HTTP server on its network and makes it active with the right bytes",
	Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_image_web_download_import"},
	Setup:   "a web server that Glance can reach, serving the payload (the harness starts one beside each of its deployments)",
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imageimport.Create(ctx, t.Client, img.ID, imageimport.CreateOpts{
		Name: imageimport.WebDownloadMethod, URI: t.WebPayloadURL(),
	}).ExtractErr()).NotTo(HaveOccurred(), "import")
	Expect(t.WaitForImport(ctx, img.ID, "web-download")).To(framework.HaveImagePayload(t.Payload))
	t.ExpectDownload(ctx, img.ID, t.Payload)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "import.copy-image",
	Title:   "Interoperable import: copy-image",
	Proves:  "an active image is copied to the second store, its stores field then lists both, and once the first store's copy is removed (DELETE /v2/stores/{store}/{id}) the image downloads with exactly the uploaded bytes from the second",
	Tempest: []string{"tempest.api.image.v2.admin.test_images.ImportCopyImagesTest.test_image_copy_image_import"},
	Setup:   "the two stores of deployments/base",
	Admin:   true,
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).NotTo(HaveOccurred(), "upload")
	before := framework.Stores(t.GetImage(ctx, img.ID))
	Expect(slices.Equal(before, []string{"fast"})).To(BeTrue(), "after upload the image is in stores %v, want [fast] (the default store)", before)

	copyTo(ctx, t, img.ID, "cheap")
	// The copy is read back alone: the first store's copy removed, the download can only come
	// from the second.
	if err := imageapi.DeleteFromStore(ctx, t.Client, "fast", img.ID).ExtractErr(); err != nil {
		Skip("the copy cannot be read back alone: removing the image from store fast failed (stores.info's row): " + framework.ErrorLine(err))
	}
	if left := framework.Stores(t.GetImage(ctx, img.ID)); !slices.Equal(left, []string{"cheap"}) {
		Skip(fmt.Sprintf("the copy cannot be read back alone: after removing it from store fast the image lists stores %v (stores.info's row)", left))
	}
	t.ExpectDownload(ctx, img.ID, t.Payload)
})

// copyTo copies an active image to store with copy-image and waits until the copy is listed and
// the import task has finished: until then Glance still holds the image's import lock and may
// yet save the image, so a change made meanwhile (deleting it from a store) can be undone.
func copyTo(ctx SpecContext, t *framework.Target, id, store string) {
	r, err := imageapi.Import(ctx, t.Client, id, imageapi.ImportRequest{Method: "copy-image", Stores: []string{store}})
	Expect(err).NotTo(HaveOccurred(), "copy-image import")
	Expect(r.Status == 202).To(BeTrue(), "%v", imageapi.StatusError("copy-image import", r, 202))
	copied := t.WaitForImage(ctx, id, "copy-image", func(img *images.Image) (bool, string) {
		if failed := framework.StringProp(img, "os_glance_failed_import"); strings.Contains(failed, store) {
			return false, "Glance reports the copy to store " + store + " failed"
		}
		return slices.Contains(framework.Stores(img), store), ""
	})
	Expect(copied.Status == images.ImageStatusActive).To(BeTrue(), "after the copy the image is %q, want active", copied.Status)
	task := waitForImageTask(ctx, t, id)
	Expect(task.Status == "success").To(BeTrue(), "the copy-image task ended %q: %s", task.Status, task.Message)
	t.WaitForImage(ctx, id, "the import lock released", func(img *images.Image) (bool, string) {
		return framework.StringProp(img, "os_glance_import_task") == "", ""
	})
}

// unreachableURL names a host that cannot resolve anywhere (.invalid is reserved for that,
// RFC 6761), where Tempest names does-not.exist: the same case without depending on a resolver.
const unreachableURL = "http://no-such-host.invalid/no/possible/way"

var _ = framework.Conformance(feature.Feature{
	ID:      "import.web-download-unreachable",
	Title:   "Interoperable import: web-download from a host that does not exist",
	Proves:  "a web-download import of a URL whose host cannot resolve fails properly: Glance either refuses it (400, the image stays queued) or accepts it and then lists the store in os_glance_failed_import; the image never becomes active",
	Tempest: []string{"tempest.api.image.v2.test_images_negative.ImportImagesNegativeTest.test_image_web_download_import_with_bad_url"},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	r, err := imageapi.Import(ctx, t.Client, img.ID, imageapi.ImportRequest{Method: "web-download", URI: unreachableURL, Stores: []string{"fast"}})
	Expect(err).NotTo(HaveOccurred(), "POST /import (web-download of %s)", unreachableURL)
	switch {
	case r.Status == 400:
		// Refused before anything is fetched (Glance's URI filtering): what a client must see
		// next is an image still waiting for data.
		AddReportEntry("outcome", "refused up front: "+framework.BodySummary(r.Body))
		Expect(t.GetImage(ctx, img.ID).Status).To(Equal(images.ImageStatusQueued), "image status after the refused import")
	case r.Status == 202:
		failed := t.WaitForImage(ctx, img.ID, "web-download of a host that does not exist", func(img *images.Image) (bool, string) {
			if img.Status == images.ImageStatusActive {
				return false, "the image became active from a URL whose host does not exist"
			}
			return framework.StringProp(img, "os_glance_failed_import") != "", ""
		})
		AddReportEntry("outcome", fmt.Sprintf("accepted, then failed for store(s) %q (status %q)", framework.StringProp(failed, "os_glance_failed_import"), failed.Status))
	default:
		framework.FailWithReason(fmt.Sprintf("POST /import (web-download of a host that does not exist) answered %d, want 202 (then a failed store) or 400: %s", r.Status, framework.BodySummary(r.Body)))
	}
})
