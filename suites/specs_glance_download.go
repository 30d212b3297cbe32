package suites

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imageimport"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// The glance-download import method: Glance fills an image with another Glance's image, found
// in the user's Keystone catalog by region and interface, with the user's token. Tempest's tests
// name the column's own region: the other Glance is the column itself.

// glanceDownloadSetup is what certifying a cloud on these features would need.
const glanceDownloadSetup = "the glance-download import method enabled, Keystone, and a catalog endpoint of the image service that Glance itself can reach and its import filtering lets through (deployments/two-nodes)"

// glanceDownloadInterface is the catalog interface the features name: the column's internal
// endpoint (http://glance:9292), which Glance reaches from its container; the public one is the
// host's loopback (README.md, Identity).
const glanceDownloadInterface = "internal"

// requireGlanceDownload makes the spec n/a where the method is not enabled, and returns the
// catalog region the column is registered in.
func requireGlanceDownload(t *framework.Target) string {
	methods, _ := t.GlanceOption("DEFAULT", "enabled_import_methods")
	if !strings.Contains(methods, "glance-download") {
		framework.NotApplicable("this column does not enable the glance-download import method: it needs Keystone (a catalog) and a Glance endpoint its own import filtering lets through; the two-nodes deployment has both")
	}
	region := t.Region()
	Expect(region).NotTo(BeEmpty(), "glance-download is enabled on a column without Keystone: no catalog to find a Glance in")
	return region
}

// setProperties adds image properties with one JSON patch each.
func setProperties(ctx context.Context, t *framework.Target, id string, props [][2]string) {
	for _, kv := range props {
		_, err := images.Update(ctx, t.Client, id, images.UpdateOpts{images.UpdateImageProperty{Op: images.AddOp, Name: kv[0], Value: kv[1]}}).Extract()
		Expect(err).NotTo(HaveOccurred(), "setting %s", kv[0])
	}
}

// waitForImportTask waits until the image's import task ends and returns it.
func waitForImportTask(ctx context.Context, t *framework.Target, id string) imageapi.ImageTask {
	var task imageapi.ImageTask
	var state framework.WaitState
	Eventually(ctx, func() (bool, error) {
		got, err := imageapi.ListImageTasks(ctx, t.Client, id).Extract()
		if err != nil {
			return false, StopTrying("GET /v2/images/{id}/tasks: " + framework.ErrorLine(err))
		}
		for _, tk := range got.Tasks {
			if tk.Status == "success" || tk.Status == "failure" {
				task = tk
				return true, nil
			}
		}
		state.Set(fmt.Sprintf("no task ended after %s (tasks %v)", framework.ImportTimeout, got.Tasks))
		return false, nil
	}).WithTimeout(framework.ImportTimeout).WithPolling(time.Second).Should(BeTrue(), state.Reason("the image's import task"))
	AddReportEntry("task", fmt.Sprintf("status %q, message %q", task.Status, task.Message))
	return task
}

var _ = framework.Conformance(feature.Feature{
	ID:      "import.glance-download",
	Title:   "Interoperable import: glance-download",
	Proves:  "an image is filled from another Glance's image found in the user's catalog (here the column's own, through its internal endpoint): the task succeeds, the image is active with the source's bytes and formats, and takes the source's hw_*, trait: and os_distro properties over its own but not the others",
	Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_download_import_success"},
	Setup:   glanceDownloadSetup,
}, func(ctx SpecContext, t *framework.Target) {
	region := requireGlanceDownload(t)

	src := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Stage(ctx, t.Client, src.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).To(Succeed(), "stage the source")
	Expect(imageimport.Create(ctx, t.Client, src.ID, imageimport.CreateOpts{Name: imageimport.GlanceDirectMethod}).ExtractErr()).To(Succeed(), "import the source")
	t.WaitForImport(ctx, src.ID, "glance-direct (the source)")
	setProperties(ctx, t, src.ID, [][2]string{{"hw_cpu_cores", "5"}, {"trait:STORAGE_DISK_SSD", "required"}, {"os_distro", "rhel"}, {"speed", "88mph"}})

	dst := t.CreateImage(ctx, images.CreateOpts{ContainerFormat: "ovf", DiskFormat: "iso"})
	setProperties(ctx, t, dst.ID, [][2]string{{"hw_cpu_cores", "1"}, {"os_distro", "windows"}})

	r, err := imageapi.Import(ctx, t.Client, dst.ID, imageapi.ImportRequest{Method: "glance-download",
		GlanceImageID: src.ID, GlanceRegion: region, GlanceInterface: glanceDownloadInterface})
	Expect(err).NotTo(HaveOccurred(), "POST /import (glance-download)")
	Expect(r.Status).To(Equal(202), "POST /import (glance-download): %s", framework.BodySummary(r.Body))
	task := waitForImportTask(ctx, t, dst.ID)
	Expect(task.Status).To(Equal("success"), "glance-download's task: %s", task.Message)

	got := t.WaitForImport(ctx, dst.ID, "glance-download")
	Expect(got).To(framework.HaveImagePayload(t.Payload))
	Expect([]string{got.DiskFormat, got.ContainerFormat}).To(Equal([]string{"raw", "bare"}), "disk and container formats (the source's)")
	for key, want := range map[string]string{"hw_cpu_cores": "5", "trait:STORAGE_DISK_SSD": "required", "os_distro": "rhel"} {
		Expect(framework.StringProp(got, key)).To(Equal(want), "property %s (the source's)", key)
	}
	Expect(got.Properties).NotTo(HaveKey("speed"), "a property glance_download_properties does not name was copied")
	t.ExpectDownload(ctx, dst.ID, t.Payload)
})

var _ = framework.Conformance(feature.Feature{
	ID:     "import.glance-download-failures",
	Title:  "Interoperable import: glance-download that cannot succeed",
	Proves: "glance-download of an id that is no UUID is refused (400); of an image from a region and interface the catalog does not have, or of an image the other Glance does not have, is accepted and its task fails, the image back in queued with its own properties",
	Tempest: []string{
		"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_download_import_bad_uuid",
		"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_download_import_bad_endpoint",
		"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_download_import_bad_missing_image",
	},
	Setup: glanceDownloadSetup,
}, func(ctx SpecContext, t *framework.Target) {
	region := requireGlanceDownload(t)
	missing := unknownImageID

	By("an id that is no UUID")
	img := t.CreateImage(ctx, images.CreateOpts{})
	r, err := imageapi.Import(ctx, t.Client, img.ID, imageapi.ImportRequest{Method: "glance-download", GlanceImageID: "foo", GlanceRegion: region, GlanceInterface: glanceDownloadInterface})
	Expect(err).NotTo(HaveOccurred(), "POST /import")
	Expect(r.Status).To(Equal(400), "glance-download of image id \"foo\": %s", framework.BodySummary(r.Body))
	Expect(string(r.Body)).To(ContainSubstring("does not look like a UUID"), "why the id was refused")

	for _, c := range []struct{ what, region, iface string }{
		{"a region and interface the catalog does not have", "not a region", "not an interface"},
		{"an image the other Glance does not have", region, glanceDownloadInterface},
	} {
		By(c.what)
		img := t.CreateImage(ctx, images.CreateOpts{})
		setProperties(ctx, t, img.ID, [][2]string{{"hw_cpu_cores", "1"}, {"os_distro", "windows"}})
		r, err := imageapi.Import(ctx, t.Client, img.ID, imageapi.ImportRequest{Method: "glance-download", GlanceImageID: missing, GlanceRegion: c.region, GlanceInterface: c.iface})
		Expect(err).NotTo(HaveOccurred(), "POST /import")
		Expect(r.Status).To(Equal(202), "glance-download of %s: %s", c.what, framework.BodySummary(r.Body))
		task := waitForImportTask(ctx, t, img.ID)
		Expect(task.Status).To(Equal("failure"), "the task of a glance-download of %s", c.what)
		after := t.GetImage(ctx, img.ID)
		Expect(after.Status).To(Equal(images.ImageStatusQueued), "status after the failed glance-download of %s", c.what)
		kept := []string{framework.StringProp(after, "hw_cpu_cores"), framework.StringProp(after, "os_distro")}
		Expect(kept).To(Equal([]string{"1", "windows"}), "the image's own properties after the failed glance-download of %s", c.what)
	}
})
