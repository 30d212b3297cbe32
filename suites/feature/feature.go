// Package feature is the frozen registry of the matrix's rows. A feature id is part of the
// report format: specs may only use ids registered here, and an unknown id fails at start.
package feature

import (
	"fmt"
	"sort"
	"strings"
)

// Feature is one row of the matrix.
type Feature struct {
	ID     string
	Title  string
	Proves string // what a pass shows, in one sentence
	// Tempest lists the Tempest tests covering the same capability ("none" when none does).
	Tempest []string
}

// Label is the Ginkgo label a spec for this feature carries ("feature:<id>").
func (f Feature) Label() string { return LabelPrefix + f.ID }

// LabelPrefix starts every feature label; TopologyLabelPrefix and ReleaseLabelPrefix the
// column labels.
const (
	LabelPrefix         = "feature:"
	TopologyLabelPrefix = "topology:"
	ReleaseLabelPrefix  = "release:"
)

var registry = []Feature{
	{ID: "api.versions", Title: "API version discovery",
		Proves:  "GET /versions answers 200 listing v2 versions whose links point under the endpoint the client used, and GET / answers 300 Multiple Choices",
		Tempest: []string{"tempest.api.image.v2.test_versions.VersionsTest.test_list_versions"}},
	{ID: "image.lifecycle", Title: "Image create, get, list, update, delete",
		Proves:  "an image record can be created, read, found by a name filter, changed with a JSON patch and deleted, after which it answers 404",
		Tempest: []string{"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_delete_image", "tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_update_image"}},
	{ID: "upload.content-length", Title: "Upload with Content-Length",
		Proves:  "PUT /file with a Content-Length body makes the image active with the right size, checksum and os_hash_value",
		Tempest: []string{"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_register_upload_get_image_file"}},
	{ID: "upload.chunked", Title: "Upload with Transfer-Encoding: chunked",
		Proves:  "PUT /file with a chunked body in 64 KiB chunks makes the image active with the right size, checksum and os_hash_value",
		Tempest: []string{"none"}},
	{ID: "download.integrity", Title: "Download returns the uploaded bytes",
		Proves:  "GET /file returns exactly the uploaded bytes (SHA-512 compared by the client)",
		Tempest: []string{"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_register_upload_get_image_file"}},
	{ID: "download.range", Title: "Ranged download",
		Proves:  "GET /file with Range: bytes=0-99 answers 206 with exactly those 100 bytes",
		Tempest: []string{"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_register_upload_get_image_file"}},
	{ID: "import.discovery", Title: "Import methods and stores discovery",
		Proves:  "/v2/info/import lists glance-direct, web-download and copy-image, and /v2/info/stores lists both stores",
		Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_direct_import", "tempest.api.image.v2.test_images_multistores.MultiStoresImportImagesTest"}},
	{ID: "import.glance-direct", Title: "Interoperable import: glance-direct",
		Proves:  "staging with a Content-Length body and importing with glance-direct makes the image active with the right bytes",
		Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_direct_import"}},
	{ID: "import.glance-direct-chunked", Title: "Interoperable import: glance-direct, chunked staging",
		Proves:  "staging with a chunked body and importing with glance-direct makes the image active with the right bytes",
		Tempest: []string{"none"}},
	{ID: "import.web-download", Title: "Interoperable import: web-download",
		Proves:  "Glance fetches the image from an HTTP server on its network and makes it active with the right bytes",
		Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_image_web_download_import"}},
	{ID: "import.copy-image", Title: "Interoperable import: copy-image",
		Proves:  "an active image is copied to the second store and its stores field then lists both",
		Tempest: []string{"tempest.api.image.v2.admin.test_images.ImageWebUploadAdminTest", "tempest.api.image.v2.test_images_multistores.MultiStoresImportImagesTest.test_glance_direct_import_image_to_all_stores"}},
	{ID: "image.concurrent-writers", Title: "Concurrent image creations and uploads",
		Proves:  "8 clients creating and uploading images at the same moment all end with active, intact images (no database or server error)",
		Tempest: []string{"none"}},
	{ID: "upload.chunked-large-chunks", Title: "Chunked upload in 4 MiB chunks",
		Proves:  "PUT /file with a chunked body of 4 MiB chunks (and one of 1 MiB + 1 byte), as qemu-img and cinder send them, makes the image active with the right bytes",
		Tempest: []string{"none"}},
	{ID: "upload.concurrent", Title: "Concurrent large uploads",
		Proves:  "8 uploads of 64 MiB at the same moment all end with active images holding the right bytes",
		Tempest: []string{"none"}},
	{ID: "upload.expect-continue", Title: "Upload with Expect: 100-continue",
		Proves:  "an upload that asks for 100 Continue (as curl does above 1 MiB) completes with the right bytes",
		Tempest: []string{"none"}},
	{ID: "http.keep-alive", Title: "Several requests over one connection",
		Proves:  "a client reusing its connection gets every answer right, an upload among them; the evidence says whether the server kept the connection or closed it after each answer",
		Tempest: []string{"none"}},
	{ID: "upload.abort", Title: "Upload dropped halfway",
		Proves:  "after a client drops an upload halfway the image is not active, no partial data stays in the store or staging directories, and a new upload to the same image succeeds",
		Tempest: []string{"none"}},
	{ID: "upload.early-answer", Title: "Answer before the body, connection kept intact",
		Proves:  "an upload Glance refuses before reading its body (409, the image is active) gets its answer while the client is still writing the body, and the connection then either carries the next request or ends cleanly, never a reset that makes a client writing before it reads lose the answer (RFC 9112 9.6)",
		Tempest: []string{"none"}},
	{ID: "upload.large", Title: "Upload over 1 GiB",
		Proves:  "a 1.1 GiB image streamed by the client, once with Content-Length and once chunked, becomes active with the right size and hashes",
		Tempest: []string{"none"}},
	{ID: "download.large", Title: "Download over 1 GiB",
		Proves:  "a 1.1 GiB image downloads as a stream with exactly the uploaded bytes (SHA-512 compared while streaming)",
		Tempest: []string{"none"}},
	{ID: "import.glance-direct-large", Title: "Interoperable import over 1 GiB: glance-direct",
		Proves:  "staging a 1.1 GiB image with Content-Length and importing it with glance-direct makes it active with the right size and hashes",
		Tempest: []string{"none"}},
	{ID: "upload.size-cap", Title: "Uploads over image_size_cap refused",
		Proves:  "an upload larger than image_size_cap, with Content-Length and chunked, never becomes an active image and leaves no data; any answer the client gets is 413 (an answer lost to a connection reset is noted, not judged: upload.early-answer is that row)",
		Tempest: []string{"none"}},
}

// All returns every registered feature, in registry order (the matrix's row order).
func All() []Feature { return append([]Feature(nil), registry...) }

// Get returns a feature by id; an unknown id panics, because a spec with an unregistered id is
// a programming error that must stop the suite before anything runs.
func Get(id string) Feature {
	f, err := Lookup(id)
	if err != nil {
		panic(err)
	}
	return f
}

// Lookup returns a feature by id, or an error naming the known ids.
func Lookup(id string) (Feature, error) {
	for _, f := range registry {
		if f.ID == id {
			return f, nil
		}
	}
	return Feature{}, fmt.Errorf("unknown feature %q (known: %s)", id, strings.Join(IDs(), ", "))
}

// IDs lists the registered ids, sorted.
func IDs() []string {
	ids := make([]string, len(registry))
	for i, f := range registry {
		ids[i] = f.ID
	}
	sort.Strings(ids)
	return ids
}

// LabelFilter turns a comma-separated list of feature ids into a Ginkgo label filter,
// checking every id.
func LabelFilter(ids string) (string, error) {
	var parts []string
	for _, id := range strings.Split(ids, ",") {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		f, err := Lookup(id)
		if err != nil {
			return "", err
		}
		parts = append(parts, f.Label())
	}
	return strings.Join(parts, " || "), nil
}
