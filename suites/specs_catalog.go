package suites

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imageimport"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/tasks"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// The API around images: schemas, tasks, stores, the cache, quota usage and metadata
// definitions.

var _ = framework.Conformance(feature.Feature{
	ID:      "schemas",
	Title:   "JSON schemas",
	Proves:  "the image, member and task schemas and the ten metadefs schemas answer 200 with a named schema",
	Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_get_image_schema", "tempest.api.image.v2.test_images.ListUserImagesTest.test_get_images_schema", "tempest.api.image.v2.test_images_member.ImagesMemberTest.test_get_image_member_schema", "tempest.api.image.v2.test_images_member.ImagesMemberTest.test_get_image_members_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_namespace_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_namespaces_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_resource_type_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_resources_types_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_object_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_objects_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_property_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_properties_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_tag_schema", "tempest.api.image.v2.test_images_metadefs_schema.MetadataSchemaTest.test_get_metadata_tags_schema"},
}, func(ctx SpecContext, t *framework.Target) {
	// Glance names each schema; the metadefs ones are checked for content only.
	named := map[string]string{"image": "image", "images": "images", "member": "member", "members": "members", "task": "task", "tasks": "tasks"}
	for _, path := range []string{"image", "images", "member", "members", "task", "tasks",
		"metadefs/namespace", "metadefs/namespaces", "metadefs/resource_type", "metadefs/resource_types",
		"metadefs/object", "metadefs/objects", "metadefs/property", "metadefs/properties", "metadefs/tag", "metadefs/tags"} {
		s, err := imageapi.GetSchema(ctx, t.Client, path).Extract()
		Expect(err).NotTo(HaveOccurred(), "%s", "GET /v2/schemas/"+path)
		Expect(s.Name != "" && len(s.Properties) > 0).To(BeTrue(), "schema %s has name %q and %d properties, want both", path, s.Name, len(s.Properties))
		if want, ok := named[path]; ok {
			Expect(s.Name == want).To(BeTrue(), "schema %s is named %q, want %q", path, s.Name, want)
		}
	}
})

var _ = framework.Conformance(feature.Feature{
	ID:      "tasks",
	Title:   "Import tasks",
	Proves:  "after a glance-direct import, GET /v2/images/{id}/tasks lists one successful api_image_import task carrying the import request's id, and /v2/tasks lists and shows it",
	Tempest: []string{"none"},
	Admin:   true,
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Stage(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).NotTo(HaveOccurred(), "stage")
	r := imageimport.Create(ctx, t.Client, img.ID, imageimport.CreateOpts{Name: imageimport.GlanceDirectMethod})
	Expect(r.ExtractErr()).NotTo(HaveOccurred(), "import")
	requestID := r.Header.Get("X-Openstack-Request-Id")
	t.WaitForImport(ctx, img.ID, "glance-direct")

	// Glance marks the task finished after the image went active (the flow's last step), so
	// wait for it as Tempest does (waiters.wait_for_image_tasks_status).
	task := waitForImageTask(ctx, t, img.ID)
	Expect(task.Type == "api_image_import" && task.Status == "success" && task.ImageID == img.ID).To(BeTrue(), "the import task reads type %q status %q image %q, want api_image_import, success, %s", task.Type, task.Status, task.ImageID, img.ID)
	Expect(requestID != "" && task.RequestID == requestID).To(BeTrue(), "the task records request id %q, the import request was %q", task.RequestID, requestID)

	got, err := tasks.Get(ctx, t.Client, task.ID).Extract()
	Expect(err).NotTo(HaveOccurred(), "GET /v2/tasks/{id}")
	Expect(got.Status == "success").To(BeTrue(), "GET /v2/tasks/%s reads status %q", task.ID, got.Status)
	pages, err := tasks.List(t.Client, tasks.ListOpts{Limit: 1000}).AllPages(ctx)
	Expect(err).NotTo(HaveOccurred(), "GET /v2/tasks")
	all, err := tasks.ExtractTasks(pages)
	Expect(err).NotTo(HaveOccurred(), "GET /v2/tasks")
	Expect(slices.ContainsFunc(all, func(x tasks.Task) bool { return x.ID == task.ID })).To(BeTrue(), "GET /v2/tasks (%d tasks) does not list the import task %s", len(all), task.ID)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "stores.info",
	Title:   "Stores discovery and per-store delete",
	Proves:  "/v2/info/stores lists both stores and the default, the detail listing is admin-only, and DELETE /v2/stores/{store}/{id} removes the image from that store only",
	Tempest: []string{"tempest.api.image.v2.admin.test_images.MultiStoresImagesTest.test_delete_image_from_specific_store", "tempest.api.image.v2.test_images.MultiStoresImportImagesTest.test_glance_direct_import_image_to_specific_stores"},
	Setup:   "the two stores of deployments/base",
	Admin:   true,
	Parts:   []string{feature.PartMember},
}, func(ctx SpecContext, t *framework.Target) {
	list, err := imageapi.ListStores(ctx, t.Client, false).Extract()
	Expect(err).NotTo(HaveOccurred(), "GET /v2/info/stores")
	var ids, defaults []string
	for _, s := range list.Stores {
		if s.ReadOnly {
			continue // an http store for locations by URL (uwsgi-debian-locations): not the base's
		}
		ids = append(ids, s.ID)
		if s.Default {
			defaults = append(defaults, s.ID)
		}
	}
	slices.Sort(ids)
	Expect(slices.Equal(ids, []string{"cheap", "fast"}) && slices.Equal(defaults, []string{"fast"})).To(BeTrue(), "stores %v with default %v, want [cheap fast] with default fast (the base config)", ids, defaults)

	detail, err := imageapi.ListStores(ctx, t.Client, true).Extract()
	Expect(err).NotTo(HaveOccurred(), "GET /v2/info/stores/detail as admin")
	for _, s := range detail.Stores {
		if s.ReadOnly {
			continue
		}
		Expect(s.Type == "file" && s.Properties["data_dir"] != nil).To(BeTrue(), "store %s in detail: type %q, properties %v; want file with a data_dir", s.ID, s.Type, s.Properties)
	}
	_, err = imageapi.ListStores(ctx, t.As(imageapi.Member), true).Extract()
	Expect(err).To(framework.HaveStatus(403), "GET /v2/info/stores/detail as a member")

	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).NotTo(HaveOccurred(), "upload")
	copyTo(ctx, t, img.ID, "cheap")
	Expect(imageapi.DeleteFromStore(ctx, t.Client, "cheap", img.ID).ExtractErr()).NotTo(HaveOccurred(), "DELETE /v2/stores/cheap/{id}")
	got := t.GetImage(ctx, img.ID)
	Expect(slices.Equal(framework.Stores(got), []string{"fast"}) && got.Status == images.ImageStatusActive).To(BeTrue(), "after deleting from cheap: stores %v, status %q; want [fast], active", framework.Stores(got), got.Status)
	t.ExpectDownload(ctx, img.ID, t.Payload)
})

// cacheTimeout bounds the cache worker's prefetch of the small payload: 0.8 to 1.6 s where the
// worker runs (every bookworm column of a full run on 2 cores); 10 s is six times the slowest.
// Where the worker does not run, waiting longer only slows the run.
const cacheTimeout = 10 * time.Second

var _ = framework.Conformance(feature.Feature{
	ID:      "cache",
	Title:   "Image cache management API",
	Proves:  "an image queued with PUT /v2/cache/{id} gets cached, and DELETE of the entry or of the whole cache removes it; members may not use the API",
	Tempest: []string{"tempest.api.image.v2.admin.test_image_caching.ImageCachingTest.test_image_caching_cycle"},
	Setup:   "the cache management middleware (paste flavor cachemanagement) and a cache directory",
	Admin:   true,
	Parts:   []string{feature.PartMember},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).NotTo(HaveOccurred(), "upload")

	Expect(imageapi.QueueForCache(ctx, t.Client, img.ID).ExtractErr()).NotTo(HaveOccurred(), "PUT /v2/cache/{id}")
	waitForCache(ctx, t, img.ID, true, "the queued image cached")
	Expect(imageapi.DeleteCached(ctx, t.Client, img.ID).ExtractErr()).NotTo(HaveOccurred(), "DELETE /v2/cache/{id}")
	waitForCache(ctx, t, img.ID, false, "the image gone from the cache after deleting it")

	Expect(imageapi.QueueForCache(ctx, t.Client, img.ID).ExtractErr()).NotTo(HaveOccurred(), "PUT /v2/cache/{id} again")
	waitForCache(ctx, t, img.ID, true, "the image cached again")
	Expect(imageapi.ClearCache(ctx, t.Client, "").ExtractErr()).NotTo(HaveOccurred(), "DELETE /v2/cache")
	waitForCache(ctx, t, img.ID, false, "the image gone after clearing the cache")

	_, err := imageapi.GetCacheState(ctx, t.As(imageapi.Member)).Extract()
	Expect(err).To(framework.HaveStatus(403), "a member reading the cache state")
})

// waitForCache polls GET /v2/cache until the image is cached (or not), within cacheTimeout.
func waitForCache(ctx context.Context, t *framework.Target, id string, cached bool, what string) {
	waitForCacheOf(ctx, t.Client, id, cached, what)
}

// waitForCacheOf is waitForCache on the node sc speaks to.
func waitForCacheOf(ctx context.Context, sc *gophercloud.ServiceClient, id string, cached bool, what string) {
	var state framework.WaitState
	Eventually(ctx, func() (bool, error) {
		st, err := imageapi.GetCacheState(ctx, sc).Extract()
		if err != nil {
			state.Set("")
			return false, StopTrying(framework.ErrorLine(err))
		}
		state.Set(fmt.Sprintf("not so after %s (cached %v, queued %v)", cacheTimeout, st.CachedIDs(), st.Queued))
		return slices.Contains(st.CachedIDs(), id) == cached, nil
	}).WithTimeout(cacheTimeout).WithPolling(500*time.Millisecond).Should(BeTrue(), state.Reason(what))
}

var _ = framework.Conformance(feature.Feature{
	ID:      "quota.usage",
	Title:   "Quota usage",
	Proves:  "GET /v2/info/usage answers 200 with a usage object (empty without Keystone unified limits)",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	r, err := imageapi.Do(ctx, t.Client, "GET", "v2/info/usage", nil, nil)
	Expect(err).NotTo(HaveOccurred(), "GET /v2/info/usage")
	Expect(r.Status == 200).To(BeTrue(), "GET /v2/info/usage answered %d: %s", r.Status, framework.BodySummary(r.Body))
	u, err := imageapi.GetUsage(ctx, t.Client).Extract()
	Expect(err).NotTo(HaveOccurred(), "GET /v2/info/usage")
	Expect(u.Usage != nil).To(BeTrue(), "the usage answer has no usage object: %s", framework.BodySummary(r.Body))
	// Limits come from Keystone's unified limits (use_keystone_limits); without Keystone the
	// object is empty, which the note records.
	framework.Note("usage reports %d resources: %s", len(u.Usage), framework.BodySummary(r.Body))
})

// namespace creates a metadefs namespace for the spec and deletes it at the end.
func namespace(ctx context.Context, t *framework.Target, protected bool) string {
	name := t.Name()
	_, err := imageapi.CreateNamespace(ctx, t.Client, imageapi.Namespace{Namespace: name, DisplayName: "conformance " + name,
		Description: "created by glance-conformance", Visibility: "public", Protected: boolPtr(protected)}).Extract()
	Expect(err).NotTo(HaveOccurred(), "%s", "creating namespace "+name)
	DeferCleanup(func(ctx SpecContext) {
		_, _ = imageapi.UpdateNamespace(ctx, t.Client, name, imageapi.Namespace{Namespace: name, Protected: boolPtr(false)}).Extract()
		if err := imageapi.DeleteNamespace(ctx, t.Client, name).ExtractErr(); err != nil && !gophercloud.ResponseCodeIs(err, 404) {
			GinkgoWriter.Printf("cleanup: deleting namespace %s: %v\n", name, err)
		}
	})
	return name
}

var _ = framework.Conformance(feature.Feature{
	ID:      "metadefs.namespaces",
	Title:   "Metadefs namespaces",
	Proves:  "a namespace is created, read, updated, listed and deleted; a protected namespace refuses deletion (403) until unprotected",
	Tempest: []string{"tempest.api.image.v2.admin.test_images_metadefs_namespaces.MetadataNamespacesTest.test_basic_metadata_definition_namespaces"},
	Admin:   true,
}, func(ctx SpecContext, t *framework.Target) {
	name := namespace(ctx, t, false)
	ns, err := imageapi.GetNamespace(ctx, t.Client, name).Extract()
	Expect(err).NotTo(HaveOccurred(), "reading the namespace")
	Expect(ns.DisplayName == "conformance "+name && ns.Visibility == "public").To(BeTrue(), "the namespace reads display_name %q visibility %q", ns.DisplayName, ns.Visibility)
	_, err = imageapi.UpdateNamespace(ctx, t.Client, name, imageapi.Namespace{Namespace: name, DisplayName: "renamed", Description: "changed"}).Extract()
	Expect(err).NotTo(HaveOccurred(), "updating the namespace")
	ns, err = imageapi.GetNamespace(ctx, t.Client, name).Extract()
	Expect(err).NotTo(HaveOccurred(), "reading the namespace")
	Expect(ns.DisplayName == "renamed" && ns.Description == "changed").To(BeTrue(), "after the update the namespace reads %q / %q", ns.DisplayName, ns.Description)
	list, err := imageapi.ListNamespaces(ctx, t.Client).Extract()
	Expect(err).NotTo(HaveOccurred(), "listing namespaces")
	Expect(slices.ContainsFunc(list.Namespaces, func(n imageapi.Namespace) bool { return n.Namespace == name })).To(BeTrue(), "the namespace listing (%d) lacks %s", len(list.Namespaces), name)
	Expect(imageapi.DeleteNamespace(ctx, t.Client, name).ExtractErr()).NotTo(HaveOccurred(), "deleting the namespace")
	_, err = imageapi.GetNamespace(ctx, t.Client, name).Extract()
	Expect(err).To(framework.HaveStatus(404), "reading the deleted namespace")

	guarded := namespace(ctx, t, true)
	Expect(imageapi.DeleteNamespace(ctx, t.Client, guarded).ExtractErr()).To(framework.HaveStatus(403), "deleting a protected namespace")
	_, err = imageapi.UpdateNamespace(ctx, t.Client, guarded, imageapi.Namespace{Namespace: guarded, Protected: boolPtr(false)}).Extract()
	Expect(err).NotTo(HaveOccurred(), "unprotecting the namespace")
	Expect(imageapi.DeleteNamespace(ctx, t.Client, guarded).ExtractErr()).NotTo(HaveOccurred(), "deleting the unprotected namespace")
})

var _ = framework.Conformance(feature.Feature{
	ID:      "metadefs.objects",
	Title:   "Metadefs objects",
	Proves:  "an object with a property is created, read, updated, listed and deleted in a namespace",
	Tempest: []string{"tempest.api.image.v2.admin.test_images_metadefs_namespace_objects.MetadataNamespaceObjectsTest.test_create_update_delete_meta_namespace_objects", "tempest.api.image.v2.admin.test_images_metadefs_namespace_objects.MetadataNamespaceObjectsTest.test_list_meta_namespace_objects", "tempest.api.image.v2.admin.test_images_metadefs_namespace_objects.MetadataNamespaceObjectsTest.test_show_meta_namespace_objects"},
	Admin:   true,
}, func(ctx SpecContext, t *framework.Target) {
	ns := namespace(ctx, t, false)
	obj := imageapi.Object{Name: "gc-object", Description: "first", Required: []string{"speed"},
		Properties: map[string]imageapi.Property{"speed": {Title: "Speed", Type: "integer"}}}
	_, err := imageapi.CreateObject(ctx, t.Client, ns, obj).Extract()
	Expect(err).NotTo(HaveOccurred(), "creating an object")
	got, err := imageapi.GetObject(ctx, t.Client, ns, obj.Name).Extract()
	Expect(err).NotTo(HaveOccurred(), "reading the object")
	Expect(got.Description == "first" && got.Properties["speed"].Type == "integer").To(BeTrue(), "the object reads %+v", got)
	obj.Description = "second"
	_, err = imageapi.UpdateObject(ctx, t.Client, ns, obj.Name, obj).Extract()
	Expect(err).NotTo(HaveOccurred(), "updating the object")
	list, err := imageapi.ListObjects(ctx, t.Client, ns).Extract()
	Expect(err).NotTo(HaveOccurred(), "listing objects")
	Expect(len(list.Objects) == 1 && list.Objects[0].Description == "second").To(BeTrue(), "objects listed: %+v, want the updated one", list.Objects)
	Expect(imageapi.DeleteObject(ctx, t.Client, ns, obj.Name).ExtractErr()).NotTo(HaveOccurred(), "deleting the object")
	_, err = imageapi.GetObject(ctx, t.Client, ns, obj.Name).Extract()
	Expect(err).To(framework.HaveStatus(404), "reading the deleted object")
})

var _ = framework.Conformance(feature.Feature{
	ID:      "metadefs.properties",
	Title:   "Metadefs properties",
	Proves:  "a property is created, read, updated, listed and deleted in a namespace",
	Tempest: []string{"tempest.api.image.v2.admin.test_images_metadefs_namespace_properties.MetadataNamespacePropertiesTest.test_basic_meta_def_namespace_property"},
	Admin:   true,
}, func(ctx SpecContext, t *framework.Target) {
	ns := namespace(ctx, t, false)
	p := imageapi.Property{Name: "gc_property", Title: "First", Type: "string"}
	_, err := imageapi.CreateProperty(ctx, t.Client, ns, p).Extract()
	Expect(err).NotTo(HaveOccurred(), "creating a property")
	got, err := imageapi.GetProperty(ctx, t.Client, ns, p.Name).Extract()
	Expect(err).NotTo(HaveOccurred(), "reading the property")
	Expect(got.Title == "First" && got.Type == "string").To(BeTrue(), "the property reads %+v", got)
	p.Title = "Second"
	_, err = imageapi.UpdateProperty(ctx, t.Client, ns, p.Name, p).Extract()
	Expect(err).NotTo(HaveOccurred(), "updating the property")
	list, err := imageapi.ListProperties(ctx, t.Client, ns).Extract()
	Expect(err).NotTo(HaveOccurred(), "listing properties")
	Expect(len(list.Properties) == 1 && list.Properties[p.Name].Title == "Second").To(BeTrue(), "properties listed: %+v, want the updated one", list.Properties)
	Expect(imageapi.DeleteProperty(ctx, t.Client, ns, p.Name).ExtractErr()).NotTo(HaveOccurred(), "deleting the property")
	_, err = imageapi.GetProperty(ctx, t.Client, ns, p.Name).Extract()
	Expect(err).To(framework.HaveStatus(404), "reading the deleted property")
})

var _ = framework.Conformance(feature.Feature{
	ID:      "metadefs.tags",
	Title:   "Metadefs tags",
	Proves:  "tags are created in bulk and singly, renamed, read, deleted and listed in a namespace",
	Tempest: []string{"tempest.api.image.v2.admin.test_images_metadefs_namespace_tags.MetadataNamespaceTagsTest.test_create_list_delete_namespace_tags", "tempest.api.image.v2.admin.test_images_metadefs_namespace_tags.MetadataNamespaceTagsTest.test_create_update_delete_tag"},
	Admin:   true,
}, func(ctx SpecContext, t *framework.Target) {
	ns := namespace(ctx, t, false)
	_, err := imageapi.CreateTags(ctx, t.Client, ns, "gc-one", "gc-two").Extract()
	Expect(err).NotTo(HaveOccurred(), "creating two tags at once")
	_, err = imageapi.CreateTag(ctx, t.Client, ns, "gc-three").Extract()
	Expect(err).NotTo(HaveOccurred(), "creating one tag")
	_, err = imageapi.UpdateTag(ctx, t.Client, ns, "gc-three", "gc-four").Extract()
	Expect(err).NotTo(HaveOccurred(), "renaming a tag")
	_, err = imageapi.GetTag(ctx, t.Client, ns, "gc-four").Extract()
	Expect(err).NotTo(HaveOccurred(), "reading the renamed tag")
	_, err = imageapi.GetTag(ctx, t.Client, ns, "gc-three").Extract()
	Expect(err).To(framework.HaveStatus(404), "reading a tag by its old name")
	Expect(imageapi.DeleteTag(ctx, t.Client, ns, "gc-four").ExtractErr()).NotTo(HaveOccurred(), "deleting a tag")
	list, err := imageapi.ListTags(ctx, t.Client, ns).Extract()
	Expect(err).NotTo(HaveOccurred(), "listing tags")
	var names []string
	for _, tag := range list.Tags {
		names = append(names, tag.Name)
	}
	slices.Sort(names)
	Expect(slices.Equal(names, []string{"gc-one", "gc-two"})).To(BeTrue(), "tags listed %v, want [gc-one gc-two]", names)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "metadefs.resource-types",
	Title:   "Metadefs resource types",
	Proves:  "a namespace is associated with OS::Glance::Image, the association and the resource type are listed, and the association is removed",
	Tempest: []string{"tempest.api.image.v2.admin.test_images_metadefs_resource_types.MetadataResourceTypesTest.test_basic_meta_def_resource_type_association"},
	Admin:   true,
}, func(ctx SpecContext, t *framework.Target) {
	ns := namespace(ctx, t, false)
	const rt = "OS::Glance::Image"
	_, err := imageapi.Associate(ctx, t.Client, ns, imageapi.ResourceTypeAssociation{Name: rt, Prefix: "gc_"}).Extract()
	Expect(err).NotTo(HaveOccurred(), "%s", "associating the namespace with "+rt)
	assoc, err := imageapi.Associations(ctx, t.Client, ns).Extract()
	Expect(err).NotTo(HaveOccurred(), "listing the namespace's resource types")
	Expect(len(assoc.Associations) == 1 && assoc.Associations[0].Name == rt && assoc.Associations[0].Prefix == "gc_").To(BeTrue(), "associations %+v, want %s with prefix gc_", assoc.Associations, rt)
	all, err := imageapi.ListResourceTypes(ctx, t.Client).Extract()
	Expect(err).NotTo(HaveOccurred(), "listing resource types")
	Expect(slices.ContainsFunc(all.ResourceTypes, func(a imageapi.ResourceTypeAssociation) bool { return a.Name == rt })).To(BeTrue(), "resource types %+v lack %s", all.ResourceTypes, rt)
	Expect(imageapi.Dissociate(ctx, t.Client, ns, rt).ExtractErr()).NotTo(HaveOccurred(), "removing the association")
	assoc, err = imageapi.Associations(ctx, t.Client, ns).Extract()
	Expect(err).NotTo(HaveOccurred(), "listing the namespace's resource types")
	Expect(len(assoc.Associations) == 0).To(BeTrue(), "associations after removing: %+v", assoc.Associations)
})

// waitForImageTask polls an image's tasks until its one task is finished (success or failure)
// and returns it; more or fewer than one task fails the spec, as does a task still running
// after framework.ImportTimeout.
func waitForImageTask(ctx SpecContext, t *framework.Target, imageID string) imageapi.ImageTask {
	var task imageapi.ImageTask
	var state framework.WaitState
	Eventually(ctx, func() (bool, error) {
		list, err := imageapi.ListImageTasks(ctx, t.Client, imageID).Extract()
		if err != nil {
			state.Set("")
			return false, StopTrying(framework.ErrorLine(err))
		}
		if len(list.Tasks) != 1 {
			state.Set("")
			return false, StopTrying(fmt.Sprintf("the image lists %d tasks after one import, want 1: %+v", len(list.Tasks), list.Tasks))
		}
		task = list.Tasks[0]
		state.Set(fmt.Sprintf("still %q %s after the image went active", task.Status, framework.ImportTimeout))
		return task.Status == "success" || task.Status == "failure", nil
	}).WithTimeout(framework.ImportTimeout).WithPolling(time.Second).Should(BeTrue(), state.Reason("the import task"))
	return task
}
