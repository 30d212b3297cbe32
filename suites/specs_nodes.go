package suites

import (
	"context"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imageimport"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// Features of a deployment with two Glance API nodes on one database (deployments/two-nodes):
// a request about an image staged on one node, made to the other, must be proxied to the node
// that holds the staged data (Glance's distributed image import, worker_self_reference_url).

// peerSetup is what certifying a cloud on these features would need.
const peerSetup = "a second Glance API node reachable directly, on the same database, each node naming itself in worker_self_reference_url (deployments/two-nodes)"

// stagedOnFirstNode stages the payload on the column's first node and returns the image id and
// where the staged data is (the node's staging area; Glance records the node on the image as
// os_glance_stage_host, a property it never shows).
func stagedOnFirstNode(ctx SpecContext, t *framework.Target) (id, staged string) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Stage(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).To(Succeed(), "stage on the first node")
	Expect(t.GetImage(ctx, img.ID).Status).To(Equal(images.ImageStatusUploading), "status after staging")
	files := stagedFiles(ctx, t, img.ID)
	Expect(files).To(HaveLen(1), "the staged data of %s", img.ID)
	return img.ID, files[0]
}

// stagedFiles lists the staged data of an image in every node's staging area (one volume holds
// them all: /var/lib/glance/staging/<node>/<id>).
func stagedFiles(ctx context.Context, t *framework.Target, id string) []string {
	nodes := t.GlanceContainers()
	code, out, err := t.Exec(ctx, nodes[0], "find", "/var/lib/glance/staging", "-name", id)
	Expect(err).NotTo(HaveOccurred(), "listing the staging areas")
	Expect(code).To(Equal(0), "find in the staging areas: %s", out)
	return strings.Fields(out)
}

var _ = framework.Conformance(feature.Feature{
	ID:      "import.remote",
	Title:   "Interoperable import on another node than the staging one",
	Proves:  "with two API nodes, an image staged on the first and imported (glance-direct) through the second becomes active with the right bytes: the second node proxies the import to the first",
	Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_remote_import"},
	Setup:   peerSetup,
}, func(ctx SpecContext, t *framework.Target) {
	peer := t.PeerAs(imageapi.Main)
	id, staged := stagedOnFirstNode(ctx, t)
	AddReportEntry("staged", staged)
	Expect(imageimport.Create(ctx, peer, id, imageimport.CreateOpts{Name: imageimport.GlanceDirectMethod}).ExtractErr()).To(Succeed(), "import through the second node")
	Expect(t.WaitForImport(ctx, id, "glance-direct (through the second node)")).To(framework.HaveImagePayload(t.Payload))
	t.ExpectDownload(ctx, id, t.Payload)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "delete.remote",
	Title:   "Delete on another node than the staging one",
	Proves:  "with two API nodes, an image staged on the first and deleted through the second is gone (404 on both) and so is its staged data on the first node: the second node proxies the delete",
	Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_remote_delete"},
	Setup:   peerSetup,
}, func(ctx SpecContext, t *framework.Target) {
	peer := t.PeerAs(imageapi.Main)
	id, staged := stagedOnFirstNode(ctx, t)
	Expect(images.Delete(ctx, peer, id).ExtractErr()).To(Succeed(), "delete through the second node")
	for what, sc := range map[string]*gophercloud.ServiceClient{"the first node": t.Client, "the second node": peer} {
		_, err := images.Get(ctx, sc, id).Extract()
		Expect(err).To(framework.HaveStatus(404), "reading the deleted image on %s", what)
	}
	Expect(stagedFiles(ctx, t, id)).To(BeEmpty(), "staged data left behind after the delete (it was %s)", staged)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "cache.remote",
	Title:   "Each node's own image cache",
	Proves:  "with two API nodes, an image queued for caching on the first is cached there and not on the second; queued on the second it is cached there too; clearing the second's cache leaves the first's",
	Tempest: []string{"tempest.api.image.v2.admin.test_image_caching.ImageCachingTest.test_remote_and_self_cache"},
	Setup:   peerSetup + "; the cache management middleware and a cache directory per node",
	Admin:   true,
}, func(ctx SpecContext, t *framework.Target) {
	peer := t.PeerAs(imageapi.Main)
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).To(Succeed(), "upload")

	Expect(imageapi.QueueForCache(ctx, t.Client, img.ID).ExtractErr()).To(Succeed(), "PUT /v2/cache/{id} on the first node")
	waitForCacheOf(ctx, t.Client, img.ID, true, "the image cached on the first node")
	Expect(cachedOn(ctx, peer)).NotTo(ContainElement(img.ID), "the second node's cache after caching on the first")

	Expect(imageapi.QueueForCache(ctx, peer, img.ID).ExtractErr()).To(Succeed(), "PUT /v2/cache/{id} on the second node")
	waitForCacheOf(ctx, peer, img.ID, true, "the image cached on the second node")

	Expect(imageapi.ClearCache(ctx, peer, "").ExtractErr()).To(Succeed(), "DELETE /v2/cache on the second node")
	waitForCacheOf(ctx, peer, img.ID, false, "the image gone from the second node's cache")
	Expect(cachedOn(ctx, t.Client)).To(ContainElement(img.ID), "the first node's cache after clearing the second's")
	// The first node's entry is this spec's to remove.
	Expect(imageapi.DeleteCached(ctx, t.Client, img.ID).ExtractErr()).To(Succeed(), "DELETE /v2/cache/{id} on the first node")
})

// cachedOn lists the images cached on the node sc speaks to.
func cachedOn(ctx context.Context, sc *gophercloud.ServiceClient) []string {
	st, err := imageapi.GetCacheState(ctx, sc).Extract()
	Expect(err).NotTo(HaveOccurred(), "GET /v2/cache")
	return slices.Clone(st.CachedIDs())
}
