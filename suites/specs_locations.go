package suites

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// The image locations API of image API v2 before 2025.1's: an image's locations read and
// changed as its /locations property with JSON patches. Glance offers it only where the operator
// sets show_multiple_locations (Ceph-backed clouds do, for Nova's and Cinder's copy-on-write
// clones); a location's URL must belong to an enabled store, here an http store.

// locationsSetup is what certifying a cloud on these features would need.
const locationsSetup = "show_multiple_locations = True and an http store in enabled_backends (deployments/uwsgi-debian-locations)"

// location is one entry of an image's locations, as Glance shows it and as a client adds it.
type location struct {
	URL            string         `json:"url"`
	Metadata       map[string]any `json:"metadata"`
	ValidationData map[string]any `json:"validation_data,omitempty"`
}

// locatedImage is the part of an image these features read; Gophercloud's Image has no locations.
type locatedImage struct {
	Status      string      `json:"status"`
	Locations   *[]location `json:"locations"` // nil when Glance does not show the field
	DirectURL   string      `json:"direct_url"`
	Checksum    string      `json:"checksum"`
	OsHashAlgo  string      `json:"os_hash_algo"`
	OsHashValue string      `json:"os_hash_value"`
	raw         string
}

// requireLocations makes the spec n/a on a column whose Glance does not offer the API.
func requireLocations(t *framework.Target) {
	if !t.OffersLocations() {
		framework.NotApplicable("this column's Glance leaves show_multiple_locations off (the base configuration does: it shows store URLs to every user), so it offers no locations API")
	}
}

// showLocated reads an image with its locations; a Glance that hides them fails the spec.
func showLocated(ctx SpecContext, t *framework.Target, id string) locatedImage {
	r, err := imageapi.Do(ctx, t.Client, "GET", "v2/images/"+id, nil, nil)
	Expect(err).NotTo(HaveOccurred(), "GET image")
	Expect(r.Status).To(Equal(200), "GET image: %s", framework.BodySummary(r.Body))
	img := locatedImage{raw: string(r.Body)}
	Expect(json.Unmarshal(r.Body, &img)).To(Succeed(), "image body")
	Expect(img.Locations).NotTo(BeNil(), "the image shows no locations field although show_multiple_locations is on: %s", framework.BodySummary(r.Body))
	return img
}

// patchLocations sends one JSON-patch operation on the image's locations and returns the status.
func patchLocations(ctx SpecContext, t *framework.Target, id, op, path string, value any) (int, string) {
	step := map[string]any{"op": op, "path": path}
	if value != nil {
		step["value"] = value
	}
	body, err := json.Marshal([]any{step})
	Expect(err).NotTo(HaveOccurred())
	r, err := imageapi.Do(ctx, t.Client, "PATCH", "v2/images/"+id, strings.NewReader(string(body)),
		map[string]string{"Content-Type": "application/openstack-images-v2.1-json-patch"})
	Expect(err).NotTo(HaveOccurred(), "PATCH %s %s", op, path)
	return r.Status, framework.BodySummary(r.Body)
}

// expectPatched fails unless the patch answered 200.
func expectPatched(ctx SpecContext, t *framework.Target, id, op, path string, value any, what string) {
	status, body := patchLocations(ctx, t, id, op, path, value)
	Expect(status).To(Equal(200), "%s (PATCH %s %s): %s", what, op, path, body)
}

// expectDirectURLFirst checks direct_url, where Glance shows it, against the first location.
func expectDirectURLFirst(img locatedImage) {
	if img.DirectURL != "" {
		Expect(img.DirectURL).To(Equal((*img.Locations)[0].URL), "direct_url against the first location")
	}
}

// queuedWithoutLocations creates an image and checks it starts with an empty locations list.
func queuedWithoutLocations(ctx SpecContext, t *framework.Target) string {
	id := t.CreateImage(ctx, images.CreateOpts{}).ID
	img := showLocated(ctx, t, id)
	Expect(img.Status).To(Equal("queued"), "a new image's status")
	Expect(*img.Locations).To(BeEmpty(), "a new image's locations")
	return id
}

var _ = framework.Conformance(feature.Feature{
	ID:     "image.locations",
	Title:  "Image locations (show_multiple_locations)",
	Proves: "with show_multiple_locations on, an uploaded image shows its one location; a location added by URL makes a queued image active with that URL and metadata; a second is appended; the list can be replaced by itself with changed metadata but not shortened or given another URL (400); the first can be removed and the last cannot (403); a URL of an unknown scheme is refused (400)",
	Tempest: []string{
		"tempest.api.image.v2.test_images.ImageLocationsTest.test_location_after_upload",
		"tempest.api.image.v2.test_images.ImageLocationsTest.test_set_location",
		"tempest.api.image.v2.test_images.ImageLocationsTest.test_replace_location",
		"tempest.api.image.v2.admin.test_images.ImageLocationsAdminTest.test_delete_locations",
		"tempest.api.image.v2.test_images.ImageLocationsTest.test_set_location_bad_scheme",
	},
	Setup: locationsSetup,
	Admin: true,
}, func(ctx SpecContext, t *framework.Target) {
	requireLocations(t)
	web := t.WebPayloadURL()

	By("an uploaded image has one location")
	uploaded := queuedWithoutLocations(ctx, t)
	Expect(imagedata.Upload(ctx, t.Client, uploaded, imageapi.Sized(t.Payload.Data)).ExtractErr()).To(Succeed(), "upload")
	img := showLocated(ctx, t, uploaded)
	Expect(img.Status).To(Equal("active"), "status after the upload")
	Expect(*img.Locations).To(HaveLen(1), "locations after the upload")
	expectDirectURLFirst(img)

	By("a location added by URL makes the image active")
	id := queuedWithoutLocations(ctx, t)
	expectPatched(ctx, t, id, "add", "/locations/-", location{URL: web, Metadata: map[string]any{"foo": "bar"}}, "adding a location")
	img = showLocated(ctx, t, id)
	Expect(*img.Locations).To(HaveLen(1), "locations after adding one")
	Expect((*img.Locations)[0].URL).To(Equal(web), "the added location's URL")
	Expect((*img.Locations)[0].Metadata).To(HaveKeyWithValue("foo", "bar"), "the added location's metadata")
	Expect(img.Status).To(Equal("active"), "status after adding a location")
	expectDirectURLFirst(img)

	By("a second location is appended")
	second := web + "#new"
	expectPatched(ctx, t, id, "add", "/locations/-", location{URL: second, Metadata: map[string]any{"speed": "88mph"}}, "adding a second location")
	img = showLocated(ctx, t, id)
	Expect(*img.Locations).To(HaveLen(2), "locations after adding a second")
	Expect((*img.Locations)[1].URL).To(Equal(second), "the second location's URL")
	Expect(img.Status).To(Equal("active"), "status after adding a second location")
	expectDirectURLFirst(img)

	By("the list is replaced by itself, then with changed metadata; shortening it or changing a URL is refused")
	locs := *img.Locations
	expectPatched(ctx, t, id, "replace", "/locations", locs, "replacing the locations with themselves")
	locs[0].Metadata["date"] = "2015-10-15"
	expectPatched(ctx, t, id, "replace", "/locations", locs, "replacing the locations with changed metadata")
	status, body := patchLocations(ctx, t, id, "replace", "/locations", locs[:1])
	Expect(status).To(Equal(400), "replacing the locations with the first alone (a removal by replace): %s", body)
	status, body = patchLocations(ctx, t, id, "replace", "/locations", []location{locs[0], {URL: web + "#new3", Metadata: locs[1].Metadata}})
	Expect(status).To(Equal(400), "replacing the second location with another URL: %s", body)
	img = showLocated(ctx, t, id)
	Expect(*img.Locations).To(Equal(locs), "locations after the refused replacements (the metadata change kept)")

	By("the first location is removed, the last one cannot be")
	expectPatched(ctx, t, id, "remove", "/locations/0", nil, "removing the first location")
	img = showLocated(ctx, t, id)
	Expect(*img.Locations).To(HaveLen(1), "locations after removing the first")
	Expect((*img.Locations)[0].URL).To(Equal(second), "the location left")
	expectDirectURLFirst(img)
	status, body = patchLocations(ctx, t, id, "remove", "/locations/0", nil)
	Expect(status).To(Equal(403), "removing the last location: %s", body)

	By("a URL of a scheme no store serves is refused")
	bad := queuedWithoutLocations(ctx, t)
	status, body = patchLocations(ctx, t, bad, "add", "/locations/-", location{URL: "gopher://info.cern.ch", Metadata: map[string]any{"foo": "bar"}})
	Expect(status).To(Equal(400), "adding a gopher:// location: %s", body)
})

var _ = framework.Conformance(feature.Feature{
	ID:     "image.locations-hash",
	Title:  "Image locations with validation data",
	Proves: "with show_multiple_locations on, a location added with validation_data gives the queued image that checksum and os_hash (and keeps no validation_data in the location); a second location with the same values is added, one differing in checksum, os_hash_value or os_hash_algo is refused (409)",
	Tempest: []string{
		"tempest.api.image.v2.test_images.ImageLocationsTest.test_set_location_with_hash",
		"tempest.api.image.v2.test_images.ImageLocationsTest.test_set_location_with_hash_second_matching",
		"tempest.api.image.v2.test_images.ImageLocationsTest.test_set_location_with_hash_not_matching",
	},
	Setup: locationsSetup,
	Admin: true,
}, func(ctx SpecContext, t *framework.Target) {
	requireLocations(t)
	web := t.WebPayloadURL()
	hashes := map[string]any{"checksum": strings.Repeat("1", 32), "os_hash_value": strings.Repeat("deadbeef", 16), "os_hash_algo": "sha512"}

	id := t.CreateImage(ctx, images.CreateOpts{}).ID
	expectPatched(ctx, t, id, "add", "/locations/-", location{URL: web, Metadata: map[string]any{}, ValidationData: hashes}, "adding a location with validation data")
	img := showLocated(ctx, t, id)
	Expect(*img.Locations).To(HaveLen(1), "locations")
	Expect([]string{img.Checksum, img.OsHashValue, img.OsHashAlgo}).To(Equal([]string{hashes["checksum"].(string), hashes["os_hash_value"].(string), "sha512"}), "the image's checksum, os_hash_value, os_hash_algo")
	Expect((*img.Locations)[0].ValidationData).To(BeNil(), "validation_data kept in the location: %s", img.raw)
	Expect(img.Status).To(Equal("active"), "status")

	expectPatched(ctx, t, id, "add", "/locations/-", location{URL: web + "#new", Metadata: map[string]any{}, ValidationData: hashes}, "adding a second location with the same validation data")
	img = showLocated(ctx, t, id)
	Expect(*img.Locations).To(HaveLen(2), "locations after the matching second")
	Expect(img.Checksum).To(Equal(hashes["checksum"]), "checksum after the matching second")

	for key, other := range map[string]string{"checksum": strings.Repeat("2", 32), "os_hash_value": strings.Repeat("beefdead", 16), "os_hash_algo": "sha256"} {
		differing := map[string]any{}
		for k, v := range hashes {
			differing[k] = v
		}
		differing[key] = other
		status, body := patchLocations(ctx, t, id, "add", "/locations/-", location{URL: web + "#other", Metadata: map[string]any{}, ValidationData: differing})
		Expect(status).To(Equal(409), "%s", fmt.Sprintf("adding a location whose %s differs from the image's: %s", key, body))
	}
})
