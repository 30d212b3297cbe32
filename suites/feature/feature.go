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
	// Setup and Parts say what the feature needs of an existing cloud (see cloud.go).
	Setup string
	Admin bool
	Parts []string
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
		Tempest: []string{"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_delete_image", "tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_update_image", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_no_params"}},
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
		Tempest: []string{"none"}},
	{ID: "import.discovery", Title: "Import methods and stores discovery",
		Proves:  "/v2/info/import lists glance-direct, web-download and copy-image, and /v2/info/stores lists both stores",
		Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_direct_import", "tempest.api.image.v2.test_images.MultiStoresImportImagesTest.test_glance_direct_import_image_to_specific_stores"}},
	{ID: "import.glance-direct", Title: "Interoperable import: glance-direct",
		Proves:  "staging with a Content-Length body and importing with glance-direct makes the image active with the right bytes",
		Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_direct_import", "tempest.api.image.v2.test_images.MultiStoresImportImagesTest.test_glance_direct_import_image_to_all_stores"}},
	{ID: "import.glance-direct-chunked", Title: "Interoperable import: glance-direct, chunked staging",
		Proves:  "staging with a chunked body and importing with glance-direct makes the image active with the right bytes",
		Tempest: []string{"none"}},
	{ID: "import.web-download", Title: "Interoperable import: web-download",
		Proves:  "Glance fetches the image from an HTTP server on its network and makes it active with the right bytes",
		Tempest: []string{"tempest.api.image.v2.test_images.ImportImagesTest.test_image_web_download_import"}},
	{ID: "import.copy-image", Title: "Interoperable import: copy-image",
		Proves:  "an active image is copied to the second store, its stores field then lists both, and once the first store's copy is removed (DELETE /v2/stores/{store}/{id}) the image downloads with exactly the uploaded bytes from the second",
		Tempest: []string{"tempest.api.image.v2.admin.test_images.ImportCopyImagesTest.test_image_copy_image_import"}},
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
		Proves:  "over one connection, back to back, GET /versions, create, PATCH, upload, get, list and delete each get the right answer, and the server never closes the connection after an answer that did not announce the close with Connection: close (RFC 9112 9.3, 9.6); an announced close is followed on a new connection",
		Tempest: []string{"none"}},
	{ID: "upload.abort", Title: "Upload dropped halfway",
		Proves:  "after a client drops an upload halfway the image is not active, no partial data stays in the store or staging directories, and a new upload to the same image succeeds",
		Tempest: []string{"none"}},
	{ID: "upload.early-answer", Title: "Answer before the body, connection kept intact",
		Proves:  "an upload Glance refuses before reading its body (409, the image is active) gets its answer while the client is still writing the body, and the connection then either carries the next request or ends cleanly, never a reset that makes a client writing before it reads lose the answer (RFC 9112 9.6)",
		Tempest: []string{"none"}},
	{ID: "upload.large", Title: "Upload over 1 GiB",
		Proves:  "a 1.1 GiB image streamed by the client with Content-Length becomes active with the right size and hashes",
		Tempest: []string{"none"}},
	{ID: "upload.large-chunked", Title: "Chunked upload over 1 GiB",
		Proves:  "a 1.1 GiB image streamed by the client chunked, in 64 KiB chunks, becomes active with the right size and hashes (skipped where small chunked uploads fail: upload.chunked's row)",
		Tempest: []string{"none"}},
	{ID: "download.large", Title: "Download over 1 GiB",
		Proves:  "a 1.1 GiB image downloads as a stream with exactly the uploaded bytes (SHA-256 compared while streaming)",
		Tempest: []string{"none"}},
	{ID: "import.glance-direct-large", Title: "Interoperable import over 1 GiB: glance-direct",
		Proves:  "staging a 1.1 GiB image with Content-Length and importing it with glance-direct makes it active with the right size and hashes",
		Tempest: []string{"none"}},
	{ID: "upload.size-cap", Title: "Uploads over image_size_cap refused",
		Proves:  "an upload larger than image_size_cap with Content-Length never becomes an active image and leaves no data; any answer the client gets is 413 (an answer lost to a connection reset is noted, not judged: upload.early-answer is that row)",
		Tempest: []string{"none"}},
	{ID: "upload.size-cap-chunked", Title: "Chunked uploads over image_size_cap refused",
		Proves:  "a chunked upload larger than image_size_cap never becomes an active image and leaves no data; any answer the client gets is 413 (skipped where small chunked uploads fail: upload.chunked's row; an answer lost to a connection reset is noted, not judged)",
		Tempest: []string{"none"}},
	{ID: "image.list-filters", Title: "Image list filters",
		Proves:  "listing by container_format, disk_format, visibility, size, size_min, size_max, status, name, owner, tag and member_status returns exactly the images that match, for the owner, an admin and a member project",
		Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_container_format", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_disk_format", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_visibility", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_size", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_min_max_size", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_status", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_name", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_image_param_owner", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_tag", "tempest.api.image.v2.test_images.ListSharedImagesTest.test_list_images_param_member_status", "tempest.api.image.v2.admin.test_images.BasicOperationsImagesAdminTest.test_list_public_image"}},
	{ID: "image.list-sort", Title: "Image list sorting",
		Proves:  "sort_key/sort_dir and sort=key:dir[,key:dir] order the listing by name and size as asked",
		Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_sort", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_sort_key_dir"}},
	{ID: "image.list-paging", Title: "Image list paging",
		Proves:  "limit splits the listing into pages whose next links, followed by the client from the endpoint (path prefix included), return every image once and in order; marker resumes after the image it names",
		Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_limit"}},
	{ID: "image.visibility", Title: "Image visibility",
		Proves:  "public, private, shared and community images are listed and readable by the owner's project and by another project exactly as the visibility says, and only an admin may publish",
		Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_visibility"}},
	{ID: "image.hidden", Title: "Hidden images (os_hidden)",
		Proves:  "an image with os_hidden is left out of the default listing, listed with os_hidden=true, and listed again once un-hidden",
		Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_hidden_image", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_update_hidden_image"}},
	{ID: "image.members", Title: "Image sharing with members",
		Proves:  "a shared image's member sees it only as pending until it accepts, stops listing it when it rejects, loses it when removed; the owner cannot accept for the member and an invalid status is refused",
		Tempest: []string{"tempest.api.image.v2.test_images_member.ImagesMemberTest.test_image_share_accept", "tempest.api.image.v2.test_images_member.ImagesMemberTest.test_image_share_reject", "tempest.api.image.v2.test_images_member.ImagesMemberTest.test_get_image_member", "tempest.api.image.v2.test_images_member.ImagesMemberTest.test_remove_image_member", "tempest.api.image.v2.test_images_member_negative.ImagesMemberNegativeTest.test_image_share_invalid_status", "tempest.api.image.v2.test_images_member_negative.ImagesMemberNegativeTest.test_image_share_owner_cannot_accept"}},
	{ID: "image.tags", Title: "Image tags",
		Proves:  "PUT and DELETE on /v2/images/{id}/tags/{tag} add (idempotently) and remove a tag; a missing tag or image answers 404",
		Tempest: []string{"tempest.api.image.v2.test_images_tags.ImagesTagsTest.test_update_delete_tags_for_image", "tempest.api.image.v2.test_images_tags_negative.ImagesTagsNegativeTest.test_update_tags_for_non_existing_image", "tempest.api.image.v2.test_images_tags_negative.ImagesTagsNegativeTest.test_delete_non_existing_tag"}},
	{ID: "image.deactivate", Title: "Deactivate and reactivate",
		Proves:  "a deactivated image refuses a member's download with 403, and after reactivation the member downloads the right bytes",
		Tempest: []string{"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_deactivate_reactivate_image"}},
	{ID: "image.protected", Title: "Protected images and reserved properties",
		Proves:  "a protected image cannot be deleted until unprotected, and os_glance_* properties are refused (403) on create and update",
		Tempest: []string{"tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_delete_protected_image", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_create_image_reserved_property", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_update_image_reserved_property"}},
	{ID: "image.negative", Title: "Refusals for bad requests",
		Proves:  "invalid formats answer 400, unknown ids 404, a bad JSON patch 400, an upload to an active image 409, deleting or reading a deleted image 404",
		Tempest: []string{"tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_register_with_invalid_container_format", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_register_with_invalid_disk_format", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_get_non_existent_image", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_delete_non_existing_image", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_get_delete_deleted_image"}},
	{ID: "schemas", Title: "JSON schemas",
		Proves:  "the image, member and task schemas and the ten metadefs schemas answer 200 with a named schema",
		Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_get_image_schema", "tempest.api.image.v2.test_images.ListUserImagesTest.test_get_images_schema", "tempest.api.image.v2.test_images_member.ImagesMemberTest.test_get_image_member_schema", "tempest.api.image.v2.test_images_member.ImagesMemberTest.test_get_image_members_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_namespace_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_namespaces_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_resource_type_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_resources_types_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_object_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_objects_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_property_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_properties_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_tag_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_tags_schema"}},
	{ID: "tasks", Title: "Import tasks",
		Proves:  "after a glance-direct import, GET /v2/images/{id}/tasks lists one successful api_image_import task carrying the import request's id, and /v2/tasks lists and shows it",
		Tempest: []string{"none"}},
	{ID: "stores.info", Title: "Stores discovery and per-store delete",
		Proves:  "/v2/info/stores lists both stores and the default, the detail listing is admin-only, and DELETE /v2/stores/{store}/{id} removes the image from that store only",
		Tempest: []string{"tempest.api.image.v2.admin.test_images.MultiStoresImagesTest.test_delete_image_from_specific_store", "tempest.api.image.v2.test_images.MultiStoresImportImagesTest.test_glance_direct_import_image_to_specific_stores"}},
	{ID: "cache", Title: "Image cache management API",
		Proves:  "an image queued with PUT /v2/cache/{id} gets cached, and DELETE of the entry or of the whole cache removes it; members may not use the API",
		Tempest: []string{"tempest.api.image.v2.admin.test_image_caching.ImageCachingTest.test_image_caching_cycle"}},
	{ID: "quota.usage", Title: "Quota usage",
		Proves:  "GET /v2/info/usage answers 200 with a usage object (empty without Keystone unified limits)",
		Tempest: []string{"none"}},
	{ID: "metadefs.namespaces", Title: "Metadefs namespaces",
		Proves:  "a namespace is created, read, updated, listed and deleted; a protected namespace refuses deletion (403) until unprotected",
		Tempest: []string{"tempest.api.image.v2.admin.test_images_metadefs_namespaces.MetadataNamespacesTest.test_basic_metadata_definition_namespaces"}},
	{ID: "metadefs.objects", Title: "Metadefs objects",
		Proves:  "an object with a property is created, read, updated, listed and deleted in a namespace",
		Tempest: []string{"tempest.api.image.v2.admin.test_images_metadefs_namespace_objects.MetadataNamespaceObjectsTest.test_create_update_delete_meta_namespace_objects", "tempest.api.image.v2.admin.test_images_metadefs_namespace_objects.MetadataNamespaceObjectsTest.test_list_meta_namespace_objects", "tempest.api.image.v2.admin.test_images_metadefs_namespace_objects.MetadataNamespaceObjectsTest.test_show_meta_namespace_objects"}},
	{ID: "metadefs.properties", Title: "Metadefs properties",
		Proves:  "a property is created, read, updated, listed and deleted in a namespace",
		Tempest: []string{"tempest.api.image.v2.admin.test_images_metadefs_namespace_properties.MetadataNamespacePropertiesTest.test_basic_meta_def_namespace_property"}},
	{ID: "metadefs.tags", Title: "Metadefs tags",
		Proves:  "tags are created in bulk and singly, renamed, read, deleted and listed in a namespace",
		Tempest: []string{"tempest.api.image.v2.admin.test_images_metadefs_namespace_tags.MetadataNamespaceTagsTest.test_create_list_delete_namespace_tags", "tempest.api.image.v2.admin.test_images_metadefs_namespace_tags.MetadataNamespaceTagsTest.test_create_update_delete_tag"}},
	{ID: "metadefs.resource-types", Title: "Metadefs resource types",
		Proves:  "a namespace is associated with OS::Glance::Image, the association and the resource type are listed, and the association is removed",
		Tempest: []string{"tempest.api.image.v2.admin.test_images_metadefs_resource_types.MetadataResourceTypesTest.test_basic_meta_def_resource_type_association"}},
	{ID: "property-protections", Title: "Property protections",
		Proves:  "with a roles-based property protection file, a member may read but not create, change or remove a protected property, while other properties and the admin are unaffected",
		Tempest: []string{"none"}},
	{ID: "property-protections.concurrent", Title: "Property protections under concurrent requests",
		Proves:  "with a property protections file of 42 rules, 16 clients reading one image at the same moment (400 requests) all get 200: Glance re-parses the file for every request into one parser its threads share, which must not break under a threaded server",
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
