package suites

import (
	"encoding/json"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

var _ = framework.Conformance(feature.Feature{
	ID:      "api.versions",
	Title:   "API version discovery",
	Proves:  "GET /versions answers 200 listing v2 versions whose links point under the endpoint the client used, and GET / answers 300 Multiple Choices",
	Tempest: []string{"tempest.api.image.v2.test_versions.VersionsTest.test_list_versions"},
}, func(ctx SpecContext, t *framework.Target) {
	r, err := imageapi.Do(ctx, t.Client, "GET", "versions", nil, nil)
	Expect(err).NotTo(HaveOccurred(), "GET /versions")
	Expect(r.Status == 200).To(BeTrue(), "GET /versions answered %d, want 200: %s", r.Status, framework.BodySummary(r.Body))
	var doc struct {
		Versions []struct {
			ID, Status string
			Links      []struct{ Rel, Href string }
		} `json:"versions"`
	}
	Expect(json.Unmarshal(r.Body, &doc)).NotTo(HaveOccurred(), "GET /versions body")
	v2 := 0
	for _, v := range doc.Versions {
		if !strings.HasPrefix(v.ID, "v2") {
			continue
		}
		v2++
		// Clients follow these links: behind a proxy or a path prefix they must still point at
		// the endpoint the client used.
		for _, l := range v.Links {
			Expect(l.Rel != "self" || strings.HasPrefix(l.Href, t.Endpoint())).To(BeTrue(), "version %s links to %s, which is not under the endpoint %s", v.ID, l.Href, t.Endpoint())
		}
	}
	Expect(v2 > 0).To(BeTrue(), "GET /versions lists no v2 version: %s", framework.Truncate(string(r.Body), 200))

	r, err = imageapi.Do(ctx, t.Client, "GET", "", nil, nil)
	Expect(err).NotTo(HaveOccurred(), "GET /")
	Expect(r.Status == 300).To(BeTrue(), "GET / answered %d, want 300 Multiple Choices", r.Status)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "image.lifecycle",
	Title:   "Image create, get, list, update, delete",
	Proves:  "an image record can be created, read, found by a name filter, changed with a JSON patch and deleted, after which it answers 404",
	Tempest: []string{"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_delete_image", "tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_update_image", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_no_params"},
}, func(ctx SpecContext, t *framework.Target) {
	name := t.Name()
	created := t.CreateImage(ctx, images.CreateOpts{Name: name, Properties: map[string]string{"gc_purpose": "lifecycle"}})
	Expect(created.Status == images.ImageStatusQueued).To(BeTrue(), "new image is %q, want queued", created.Status)

	got := t.GetImage(ctx, created.ID)
	Expect(got.Name == name && got.DiskFormat == "raw" && got.ContainerFormat == "bare").To(BeTrue(), "get returned name=%q disk=%q container=%q", got.Name, got.DiskFormat, got.ContainerFormat)
	Expect(got.Properties["gc_purpose"] == "lifecycle").To(BeTrue(), "custom property came back as %v", got.Properties["gc_purpose"])

	pages, err := images.List(t.Client, images.ListOpts{Name: name}).AllPages(ctx)
	Expect(err).NotTo(HaveOccurred(), "list by name")
	listed, err := images.ExtractImages(pages)
	Expect(err).NotTo(HaveOccurred(), "list by name")
	Expect(len(listed) == 1 && listed[0].ID == created.ID).To(BeTrue(), "list name=%s found %d images, want exactly the one created", name, len(listed))

	newName := name + "-renamed"
	updated, err := images.Update(ctx, t.Client, created.ID, images.UpdateOpts{
		images.ReplaceImageName{NewName: newName},
		images.UpdateImageProperty{Op: images.AddOp, Name: "gc_patched", Value: "yes"},
	}).Extract()
	Expect(err).NotTo(HaveOccurred(), "JSON-patch update")
	Expect(updated.Name == newName && updated.Properties["gc_patched"] == "yes").To(BeTrue(), "after the patch name=%q gc_patched=%v", updated.Name, updated.Properties["gc_patched"])

	Expect(images.Delete(ctx, t.Client, created.ID).ExtractErr()).NotTo(HaveOccurred(), "delete")
	_, err = images.Get(ctx, t.Client, created.ID).Extract()
	Expect(err != nil && framework.IsStatus(err, 404)).To(BeTrue(), "get after delete: %v, want 404", framework.ErrText(err))
})
