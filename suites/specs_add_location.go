package suites

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// The locations API of image API 2.17 (Glance 2025.1 and later): POST /v2/images/{id}/locations
// adds a location by URL, with optional validation data, in a task that (with do_secure_hash, the
// default) reads the data and computes the image's hashes.

// addLocationVersion is the image API version that brought the API.
const addLocationVersion = "v2.17"

// offersVersion tells whether GET /versions lists the image API version.
func offersVersion(ctx context.Context, t *framework.Target, version string) bool {
	r, err := imageapi.Do(ctx, t.Client, "GET", "versions", nil, nil)
	Expect(err).NotTo(HaveOccurred(), "GET /versions")
	var doc struct {
		Versions []struct{ ID string } `json:"versions"`
	}
	Expect(json.Unmarshal(r.Body, &doc)).To(Succeed(), "GET /versions: %s", framework.BodySummary(r.Body))
	return slices.ContainsFunc(doc.Versions, func(v struct{ ID string }) bool { return v.ID == version })
}

// addLocation posts a location and returns the answer's status and body.
func addLocation(ctx context.Context, t *framework.Target, id, url string, validation map[string]string) (int, string) {
	body := map[string]any{"url": url, "validation_data": map[string]string{}}
	if validation != nil {
		body["validation_data"] = validation
	}
	b, err := json.Marshal(body)
	Expect(err).NotTo(HaveOccurred())
	r, err := imageapi.Do(ctx, t.Client, "POST", "v2/images/"+id+"/locations", strings.NewReader(string(b)), map[string]string{"Content-Type": "application/json"})
	Expect(err).NotTo(HaveOccurred(), "POST /v2/images/{id}/locations")
	return r.Status, framework.BodySummary(r.Body)
}

func hexOf(sum []byte) string { return hex.EncodeToString(sum) }

var _ = framework.Conformance(feature.Feature{
	ID:     "image.add-location",
	Title:  "Add a location by URL (image API 2.17)",
	Proves: "POST /v2/images/{id}/locations refuses malformed validation data (400); with a matching sha256 it makes the image active in the http store with those hashes, with a wrong one its task fails and the image stays queued, and without validation data Glance computes the sha512 and md5 itself",
	Tempest: []string{
		"tempest.api.image.v2.test_images.LocationImportTest.test_add_location_for_image_with_do_secure_hash_true",
		"tempest.api.image.v2.test_images.MultistoreLocationImportTest.test_add_location_for_image_with_do_secure_hash_true",
	},
	Setup: "Glance 2025.1 or later and an http store named web serving the payload (deployments/uwsgi-debian-locations)",
}, func(ctx SpecContext, t *framework.Target) {
	if !t.OffersHTTPStore() {
		framework.NotApplicable("this column's Glance has no http store, which a location by URL must belong to (the uwsgi-debian-locations deployment has one)")
	}
	if !offersVersion(ctx, t, addLocationVersion) {
		framework.NotApplicable("GET /versions does not list " + addLocationVersion + ": this Glance predates the add-location API (2025.1)")
	}
	url := t.WebPayloadURL()
	data := t.Payload.Data
	md5sum := md5.Sum(data)
	sha256sum := sha256.Sum256(data)
	sha512sum := sha512.Sum512(data)
	checksum, h256, h512 := hexOf(md5sum[:]), hexOf(sha256sum[:]), hexOf(sha512sum[:])

	By("malformed validation data is refused")
	id := t.CreateImage(ctx, images.CreateOpts{}).ID
	for what, v := range map[string]map[string]string{
		"a sha512 value of the wrong length": {"os_hash_algo": "sha512", "os_hash_value": "dbc9e0f80d131e64b94913a7b40bb5"},
		"a hash value without its algorithm": {"os_hash_value": h512},
		"an unknown algorithm":               {"os_hash_algo": "sha123", "os_hash_value": h512},
		"a sha256 value named sha512":        {"os_hash_algo": "sha512", "os_hash_value": h256},
	} {
		status, body := addLocation(ctx, t, id, url, v)
		Expect(status).To(Equal(400), "adding a location with %s: %s", what, body)
	}

	By("a matching sha256 makes the image active with it")
	status, body := addLocation(ctx, t, id, url, map[string]string{"os_hash_algo": "sha256", "os_hash_value": h256})
	Expect(status).To(Equal(202), "adding a location with a matching sha256: %s", body)
	task := waitForImportTask(ctx, t, id)
	Expect(task.Status).To(Equal("success"), "the add-location task: %s", task.Message)
	img := t.GetImage(ctx, id)
	Expect(img.Status).To(Equal(images.ImageStatusActive), "status")
	Expect([]string{img.Checksum, framework.StringProp(img, "os_hash_algo"), framework.StringProp(img, "os_hash_value"), framework.StringProp(img, "stores")}).
		To(Equal([]string{checksum, "sha256", h256, "web"}), "checksum, os_hash_algo, os_hash_value, stores")

	By("a wrong sha512 fails the task and leaves the image queued")
	wrong := t.CreateImage(ctx, images.CreateOpts{}).ID
	status, body = addLocation(ctx, t, wrong, url, map[string]string{"os_hash_algo": "sha512", "os_hash_value": strings.Repeat("beefdead", 16)})
	Expect(status).To(Equal(202), "adding a location with a wrong sha512: %s", body)
	task = waitForImportTask(ctx, t, wrong)
	Expect(task.Status).To(Equal("failure"), "the add-location task with a wrong hash")
	img = t.GetImage(ctx, wrong)
	Expect(img.Status).To(Equal(images.ImageStatusQueued), "status after the failed task")
	Expect(img.Checksum+framework.StringProp(img, "os_hash_value")).To(BeEmpty(), "hashes after the failed task")

	By("without validation data Glance computes the hashes")
	plain := t.CreateImage(ctx, images.CreateOpts{}).ID
	status, body = addLocation(ctx, t, plain, url, nil)
	Expect(status).To(Equal(202), "adding a location without validation data: %s", body)
	task = waitForImportTask(ctx, t, plain)
	Expect(task.Status).To(Equal("success"), "the add-location task without validation data: %s", task.Message)
	img = t.GetImage(ctx, plain)
	Expect([]string{string(img.Status), img.Checksum, framework.StringProp(img, "os_hash_algo"), framework.StringProp(img, "os_hash_value")}).
		To(Equal([]string{"active", checksum, "sha512", h512}), "status, checksum, os_hash_algo, os_hash_value")
})
