package suites

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/members"
	"github.com/gophercloud/gophercloud/v2/pagination"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// The image record API beyond create/get/delete: listing, visibility, sharing, tags, state
// actions and the refusals Glance owes its users. Every spec tags its images with a tag of its
// own and lists by that tag, so images of other specs and runs never enter a comparison.

func visibility(v images.ImageVisibility) *images.ImageVisibility { return &v }
func boolPtr(b bool) *bool                                        { return &b }

// imageSet creates images for one spec, all carrying the spec's own tag, and keeps short names
// for readable failures.
type imageSet struct {
	t     *framework.Target
	tag   string
	names map[string]string
}

func newImageSet(t *framework.Target) *imageSet {
	return &imageSet{t: t, tag: t.Name(), names: map[string]string{}}
}

// add creates an image as sc (nil: the admin) and uploads data when there is any.
func (s *imageSet) add(ctx context.Context, short string, sc *gophercloud.ServiceClient, opts images.CreateOpts, data []byte) *images.Image {
	if sc == nil {
		sc = s.t.Client
	}
	opts.Name = s.tag + "-" + short
	opts.Tags = append(opts.Tags, s.tag)
	img := s.t.CreateImageAs(ctx, sc, opts)
	s.names[img.ID] = short
	if len(data) > 0 {
		Expect(imagedata.Upload(ctx, sc, img.ID, imageapi.Sized(data)).ExtractErr()).NotTo(HaveOccurred(), "%s", "upload to "+short)
	}
	return img
}

// expect lists with query (the spec's tag added) as sc and compares with want.
func (s *imageSet) expect(ctx context.Context, sc *gophercloud.ServiceClient, who, query string, ordered bool, want ...*images.Image) {
	q := "tag=" + url.QueryEscape(s.tag)
	if query != "" {
		q += "&" + query
	}
	ids := make([]string, len(want))
	for i, img := range want {
		ids[i] = img.ID
	}
	s.t.ExpectListed(s.t.ListIDs(ctx, sc, q), ordered, s.names, fmt.Sprintf("listing as %s with ?%s", who, q), ids...)
}

var _ = framework.Conformance(feature.Feature{
	ID:      "image.list-filters",
	Title:   "Image list filters",
	Proves:  "listing by container_format, disk_format, visibility, size, size_min, size_max, status, name, owner, tag and member_status returns exactly the images that match, for the owner, an admin and a member project",
	Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_container_format", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_disk_format", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_visibility", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_size", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_min_max_size", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_status", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_name", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_image_param_owner", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_tag", "tempest.api.image.v2.test_images.ListSharedImagesTest.test_list_images_param_member_status", "tempest.api.image.v2.admin.test_images.BasicOperationsImagesAdminTest.test_list_public_image"},
	Admin:   true,
	Parts:   []string{feature.PartMember, feature.PartOther},
}, func(ctx SpecContext, t *framework.Target) {
	s := newImageSet(t)
	memberA, memberB := t.As(imageapi.Member), t.As(imageapi.Other)
	a := s.add(ctx, "a", nil, images.CreateOpts{DiskFormat: "raw", ContainerFormat: "bare", Visibility: visibility(images.ImageVisibilityPrivate), Tags: []string{s.tag + "-x"}}, t.Payload.Data[:1024])
	b := s.add(ctx, "b", nil, images.CreateOpts{DiskFormat: "qcow2", ContainerFormat: "ovf", Visibility: visibility(images.ImageVisibilityShared)}, nil)
	c := s.add(ctx, "c", nil, images.CreateOpts{DiskFormat: "raw", ContainerFormat: "bare", Visibility: visibility(images.ImageVisibilityPublic)}, t.Payload.Data[:2048])
	d := s.add(ctx, "d", memberB, images.CreateOpts{DiskFormat: "qcow2", ContainerFormat: "bare", Visibility: visibility(images.ImageVisibilityPrivate)}, nil)
	_, err := members.Create(ctx, t.Client, b.ID, t.Identity(imageapi.Other).ProjectID).Extract()
	Expect(err).NotTo(HaveOccurred(), "share b with the second project")

	s.expect(ctx, memberA, "member of a", "", false, a, b, c)
	s.expect(ctx, memberA, "member of a", "container_format=ovf", false, b)
	s.expect(ctx, memberA, "member of a", "disk_format=raw", false, a, c)
	s.expect(ctx, memberA, "member of a", "visibility=private", false, a)
	s.expect(ctx, memberA, "member of a", "visibility=shared", false, b)
	s.expect(ctx, memberA, "member of a", "visibility=public", false, c)
	s.expect(ctx, memberA, "member of a", "size=1024", false, a)
	s.expect(ctx, memberA, "member of a", "size_min=1500", false, c)
	s.expect(ctx, memberA, "member of a", "size_max=1500", false, a)
	s.expect(ctx, memberA, "member of a", "status=queued", false, b)
	s.expect(ctx, memberA, "member of a", "status=active", false, a, c)
	s.expect(ctx, memberA, "member of a", "name="+url.QueryEscape(a.Name), false, a)
	s.expect(ctx, memberA, "member of a", "tag="+url.QueryEscape(s.tag+"-x"), false, a)
	s.expect(ctx, t.Client, "admin", "owner="+t.Identity(imageapi.Other).ProjectID, false, d)
	s.expect(ctx, memberB, "member of b", "visibility=shared&member_status=pending", false, b)
	s.expect(ctx, memberB, "member of b", "visibility=shared&member_status=accepted", false)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "image.list-sort",
	Title:   "Image list sorting",
	Proves:  "sort_key/sort_dir and sort=key:dir[,key:dir] order the listing by name and size as asked",
	Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_sort", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_sort_key_dir"},
}, func(ctx SpecContext, t *framework.Target) {
	s := newImageSet(t)
	// Names and sizes in different orders, so each sort key gives its own order.
	b := s.add(ctx, "b", nil, images.CreateOpts{}, t.Payload.Data[:3000])
	a := s.add(ctx, "a", nil, images.CreateOpts{}, t.Payload.Data[:1000])
	c := s.add(ctx, "c", nil, images.CreateOpts{}, t.Payload.Data[:2000])
	s.expect(ctx, t.Client, "admin", "sort_key=name&sort_dir=asc", true, a, b, c)
	s.expect(ctx, t.Client, "admin", "sort_key=name&sort_dir=desc", true, c, b, a)
	s.expect(ctx, t.Client, "admin", "sort_key=size&sort_dir=asc", true, a, c, b)
	s.expect(ctx, t.Client, "admin", "sort=size:desc", true, b, c, a)
	s.expect(ctx, t.Client, "admin", "sort=name:desc,size:asc", true, c, b, a)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "image.list-paging",
	Title:   "Image list paging",
	Proves:  "limit splits the listing into pages whose next links, followed by the client from the endpoint (path prefix included), return every image once and in order; marker resumes after the image it names",
	Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_limit"},
}, func(ctx SpecContext, t *framework.Target) {
	s := newImageSet(t)
	for i := range 5 {
		s.add(ctx, fmt.Sprint(i), nil, images.CreateOpts{}, nil)
	}
	all := t.ListIDs(ctx, t.Client, "tag="+url.QueryEscape(s.tag)+"&limit=1000")
	Expect(len(all) == 5).To(BeTrue(), "one page of up to 1000 listed %d images, want 5", len(all))

	// Pages of 2 through the client's pager, which follows each page's "next" link; under a
	// path prefix (/image) the link must still lead to the next page.
	var paged []string
	var nexts []string
	pages := 0
	err := images.List(t.Client, imageapi.ListQuery("tag="+url.QueryEscape(s.tag)+"&limit=2")).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		pages++
		listed, err := images.ExtractImages(p)
		for _, img := range listed {
			paged = append(paged, img.ID)
		}
		var body struct {
			Next string `json:"next"`
		}
		_ = p.(images.ImagePage).ExtractInto(&body)
		nexts = append(nexts, body.Next)
		return pages < 10, err
	})
	Expect(err).NotTo(HaveOccurred(), "paging through the images 2 at a time")
	framework.Note("next links as Glance sent them: %q", nexts)
	t.ExpectListed(paged, true, s.names, fmt.Sprintf("paging 2 at a time (%d pages)", pages), all...)
	Expect(pages == 3).To(BeTrue(), "paging 5 images 2 at a time took %d pages, want 3", pages)

	// A marker resumes after the image it names (ListIDs follows the remaining pages).
	s.expect(ctx, t.Client, "admin", "limit=2&marker="+all[1], true, imagesByID(all[2:])...)
})

// imagesByID wraps ids for imageSet.expect.
func imagesByID(ids []string) []*images.Image {
	out := make([]*images.Image, len(ids))
	for i, id := range ids {
		out[i] = &images.Image{ID: id}
	}
	return out
}

var _ = framework.Conformance(feature.Feature{
	ID:      "image.visibility",
	Title:   "Image visibility",
	Proves:  "public, private, shared and community images are listed and readable by the owner's project and by another project exactly as the visibility says, and only an admin may publish",
	Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_images_param_visibility"},
	Admin:   true,
	Parts:   []string{feature.PartMember, feature.PartOther},
}, func(ctx SpecContext, t *framework.Target) {
	s := newImageSet(t)
	pub := s.add(ctx, "public", nil, images.CreateOpts{Visibility: visibility(images.ImageVisibilityPublic)}, nil)
	priv := s.add(ctx, "private", nil, images.CreateOpts{Visibility: visibility(images.ImageVisibilityPrivate)}, nil)
	shared := s.add(ctx, "shared", nil, images.CreateOpts{Visibility: visibility(images.ImageVisibilityShared)}, nil)
	comm := s.add(ctx, "community", nil, images.CreateOpts{Visibility: visibility(images.ImageVisibilityCommunity)}, nil)
	memberA, memberB := t.As(imageapi.Member), t.As(imageapi.Other)

	s.expect(ctx, memberA, "member of the owning project", "", false, pub, priv, shared, comm)
	s.expect(ctx, memberB, "member of another project", "", false, pub)
	s.expect(ctx, memberB, "member of another project", "visibility=community", false, comm)
	for _, c := range []struct {
		img  *images.Image
		want int
	}{{pub, 200}, {comm, 200}, {priv, 404}, {shared, 404}} {
		_, err := images.Get(ctx, memberB, c.img.ID).Extract()
		if c.want == 200 {
			Expect(err).NotTo(HaveOccurred(), "%s", "another project reading the "+s.names[c.img.ID]+" image")
		} else {
			Expect(err).To(framework.HaveStatus(c.want), "%s", "another project reading the "+s.names[c.img.ID]+" image")
		}
	}
	// Publishing is an admin's decision (policy publicize_image).
	_, err := images.Create(ctx, memberA, images.CreateOpts{Name: t.Name(), Visibility: visibility(images.ImageVisibilityPublic), DiskFormat: "raw", ContainerFormat: "bare"}).Extract()
	Expect(err).To(framework.HaveStatus(403), "a member creating a public image")
})

var _ = framework.Conformance(feature.Feature{
	ID:      "image.hidden",
	Title:   "Hidden images (os_hidden)",
	Proves:  "an image with os_hidden is left out of the default listing, listed with os_hidden=true, and listed again once un-hidden",
	Tempest: []string{"tempest.api.image.v2.test_images.ListUserImagesTest.test_list_hidden_image", "tempest.api.image.v2.test_images.ListUserImagesTest.test_list_update_hidden_image"},
}, func(ctx SpecContext, t *framework.Target) {
	s := newImageSet(t)
	shown := s.add(ctx, "shown", nil, images.CreateOpts{}, nil)
	hidden := s.add(ctx, "hidden", nil, images.CreateOpts{Hidden: boolPtr(true)}, nil)
	s.expect(ctx, t.Client, "admin", "", false, shown)
	s.expect(ctx, t.Client, "admin", "os_hidden=true", false, hidden)
	got := t.GetImage(ctx, hidden.ID)
	Expect(got.Hidden).To(BeTrue(), "a hidden image reads os_hidden=%v", got.Hidden)
	_, err := images.Update(ctx, t.Client, hidden.ID, images.UpdateOpts{images.ReplaceImageHidden{NewHidden: false}}).Extract()
	Expect(err).NotTo(HaveOccurred(), "un-hiding the image")
	s.expect(ctx, t.Client, "admin", "", false, shown, hidden)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "image.members",
	Title:   "Image sharing with members",
	Proves:  "a shared image's member sees it only as pending until it accepts, stops listing it when it rejects, loses it when removed; the owner cannot accept for the member and an invalid status is refused",
	Tempest: []string{"tempest.api.image.v2.test_images_member.ImagesMemberTest.test_image_share_accept", "tempest.api.image.v2.test_images_member.ImagesMemberTest.test_image_share_reject", "tempest.api.image.v2.test_images_member.ImagesMemberTest.test_get_image_member", "tempest.api.image.v2.test_images_member.ImagesMemberTest.test_remove_image_member", "tempest.api.image.v2.test_images_member_negative.ImagesMemberNegativeTest.test_image_share_invalid_status", "tempest.api.image.v2.test_images_member_negative.ImagesMemberNegativeTest.test_image_share_owner_cannot_accept"},
	Parts:   []string{feature.PartMember, feature.PartOther},
}, func(ctx SpecContext, t *framework.Target) {
	s := newImageSet(t)
	img := s.add(ctx, "shared", nil, images.CreateOpts{Visibility: visibility(images.ImageVisibilityShared)}, nil)
	memberA, memberB := t.As(imageapi.Member), t.As(imageapi.Other)
	b := t.Identity(imageapi.Other).ProjectID

	m, err := members.Create(ctx, t.Client, img.ID, b).Extract()
	Expect(err).NotTo(HaveOccurred(), "adding the second project as a member")
	Expect(m.Status == "pending").To(BeTrue(), "a new member's status is %q, want pending", m.Status)
	s.expect(ctx, memberB, "the pending member", "", false)
	s.expect(ctx, memberB, "the pending member", "visibility=shared&member_status=pending", false, img)
	_, err = images.Get(ctx, memberB, img.ID).Extract()
	Expect(err).NotTo(HaveOccurred(), "the pending member reading the image")

	_, err = members.Update(ctx, memberA, img.ID, b, members.UpdateOpts{Status: "accepted"}).Extract()
	Expect(err).To(framework.HaveStatus(403), "the owner accepting on the member's behalf")
	_, err = members.Update(ctx, memberB, img.ID, b, members.UpdateOpts{Status: "gc-invalid"}).Extract()
	Expect(err).To(framework.HaveStatus(400), "the member setting an invalid status")

	_, err = members.Update(ctx, memberB, img.ID, b, members.UpdateOpts{Status: "accepted"}).Extract()
	Expect(err).NotTo(HaveOccurred(), "the member accepting")
	s.expect(ctx, memberB, "the accepting member", "", false, img)
	m, err = members.Get(ctx, memberB, img.ID, b).Extract()
	Expect(err).NotTo(HaveOccurred(), "the member reading its membership")
	Expect(m.Status == "accepted").To(BeTrue(), "after accepting, the membership reads %q", m.Status)

	_, err = members.Update(ctx, memberB, img.ID, b, members.UpdateOpts{Status: "rejected"}).Extract()
	Expect(err).NotTo(HaveOccurred(), "the member rejecting")
	s.expect(ctx, memberB, "the rejecting member", "", false)
	s.expect(ctx, memberB, "the rejecting member", "visibility=shared&member_status=rejected", false, img)

	pages, err := members.List(memberA, img.ID).AllPages(ctx)
	Expect(err).NotTo(HaveOccurred(), "the owner listing members")
	list, err := members.ExtractMembers(pages)
	Expect(err).NotTo(HaveOccurred(), "the owner listing members")
	Expect(len(list) == 1 && list[0].MemberID == b).To(BeTrue(), "the owner lists members %v, want only %s", list, b)

	Expect(members.Delete(ctx, memberA, img.ID, b).ExtractErr()).NotTo(HaveOccurred(), "the owner removing the member")
	_, err = images.Get(ctx, memberB, img.ID).Extract()
	Expect(err).To(framework.HaveStatus(404), "the removed member reading the image")
})

var _ = framework.Conformance(feature.Feature{
	ID:      "image.tags",
	Title:   "Image tags",
	Proves:  "PUT and DELETE on /v2/images/{id}/tags/{tag} add (idempotently) and remove a tag; a missing tag or image answers 404",
	Tempest: []string{"tempest.api.image.v2.test_images_tags.ImagesTagsTest.test_update_delete_tags_for_image", "tempest.api.image.v2.test_images_tags_negative.ImagesTagsNegativeTest.test_update_tags_for_non_existing_image", "tempest.api.image.v2.test_images_tags_negative.ImagesTagsNegativeTest.test_delete_non_existing_tag"},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imageapi.AddImageTag(ctx, t.Client, img.ID, "gc-tag").ExtractErr()).NotTo(HaveOccurred(), "adding a tag")
	Expect(imageapi.AddImageTag(ctx, t.Client, img.ID, "gc-tag").ExtractErr()).NotTo(HaveOccurred(), "adding the same tag again")
	got := t.GetImage(ctx, img.ID)
	Expect(len(got.Tags) == 1 && got.Tags[0] == "gc-tag").To(BeTrue(), "tags after adding one twice: %q, want [gc-tag]", got.Tags)
	Expect(imageapi.DeleteImageTag(ctx, t.Client, img.ID, "gc-tag").ExtractErr()).NotTo(HaveOccurred(), "deleting the tag")
	got = t.GetImage(ctx, img.ID)
	Expect(len(got.Tags) == 0).To(BeTrue(), "tags after deleting: %q, want none", got.Tags)
	Expect(imageapi.DeleteImageTag(ctx, t.Client, img.ID, "gc-tag").ExtractErr()).To(framework.HaveStatus(404), "deleting a tag the image does not have")
	Expect(imageapi.AddImageTag(ctx, t.Client, unknownImageID, "gc-tag").ExtractErr()).To(framework.HaveStatus(404), "tagging an image that does not exist")
})

// unknownImageID is a well-formed id no image has.
const unknownImageID = "00000000-0000-4000-8000-00000000dead"

var _ = framework.Conformance(feature.Feature{
	ID:      "image.deactivate",
	Title:   "Deactivate and reactivate",
	Proves:  "a deactivated image refuses a member's download with 403, and after reactivation the member downloads the right bytes",
	Tempest: []string{"tempest.api.image.v2.test_images.BasicOperationsImagesTest.test_deactivate_reactivate_image"},
	Admin:   true,
	Parts:   []string{feature.PartMember},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{})
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data)).ExtractErr()).NotTo(HaveOccurred(), "upload")
	memberA := t.As(imageapi.Member)

	Expect(imageapi.Deactivate(ctx, t.Client, img.ID).ExtractErr()).NotTo(HaveOccurred(), "deactivating")
	got := t.GetImage(ctx, img.ID)
	Expect(got.Status == images.ImageStatusDeactivated).To(BeTrue(), "after deactivating the image is %q", got.Status)
	_, err := imagedata.Download(ctx, memberA, img.ID).Extract()
	Expect(err).To(framework.HaveStatus(403), "a member downloading the deactivated image")

	Expect(imageapi.Reactivate(ctx, t.Client, img.ID).ExtractErr()).NotTo(HaveOccurred(), "reactivating")
	got = t.GetImage(ctx, img.ID)
	Expect(got.Status == images.ImageStatusActive).To(BeTrue(), "after reactivating the image is %q", got.Status)
	member := *t
	member.Client = memberA
	member.ExpectDownload(ctx, img.ID, t.Payload)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "image.protected",
	Title:   "Protected images and reserved properties",
	Proves:  "a protected image cannot be deleted until unprotected, and os_glance_* properties are refused (403) on create and update",
	Tempest: []string{"tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_delete_protected_image", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_create_image_reserved_property", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_update_image_reserved_property"},
}, func(ctx SpecContext, t *framework.Target) {
	img := t.CreateImage(ctx, images.CreateOpts{Protected: boolPtr(true)})
	Expect(images.Delete(ctx, t.Client, img.ID).ExtractErr()).To(framework.HaveStatus(403), "deleting a protected image")
	_, err := images.Update(ctx, t.Client, img.ID, images.UpdateOpts{images.ReplaceImageProtected{NewProtected: false}}).Extract()
	Expect(err).NotTo(HaveOccurred(), "unprotecting")
	Expect(images.Delete(ctx, t.Client, img.ID).ExtractErr()).NotTo(HaveOccurred(), "deleting the unprotected image")

	// os_glance_* is reserved for Glance itself, for everyone, admins included.
	_, err = images.Create(ctx, t.Client, images.CreateOpts{Name: t.Name(), DiskFormat: "raw", ContainerFormat: "bare",
		Properties: map[string]string{"os_glance_gc_reserved": "x"}}).Extract()
	Expect(err).To(framework.HaveStatus(403), "creating an image with a reserved os_glance_ property")
	other := t.CreateImage(ctx, images.CreateOpts{})
	_, err = images.Update(ctx, t.Client, other.ID, images.UpdateOpts{images.UpdateImageProperty{Op: images.AddOp, Name: "os_glance_gc_reserved", Value: "x"}}).Extract()
	Expect(err).To(framework.HaveStatus(403), "adding a reserved os_glance_ property")
})

var _ = framework.Conformance(feature.Feature{
	ID:      "image.negative",
	Title:   "Refusals for bad requests",
	Proves:  "invalid formats answer 400, unknown ids 404, a bad JSON patch 400, an upload to an active image 409, deleting or reading a deleted image 404",
	Tempest: []string{"tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_register_with_invalid_container_format", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_register_with_invalid_disk_format", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_get_non_existent_image", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_delete_non_existing_image", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_get_delete_deleted_image"},
}, func(ctx SpecContext, t *framework.Target) {
	for _, bad := range []images.CreateOpts{
		{Name: t.Name(), DiskFormat: "raw", ContainerFormat: "gc-invalid"},
		{Name: t.Name(), DiskFormat: "gc-invalid", ContainerFormat: "bare"},
	} {
		_, err := images.Create(ctx, t.Client, bad).Extract()
		Expect(err).To(framework.HaveStatus(400), "%s", fmt.Sprintf("creating an image with disk_format %q, container_format %q", bad.DiskFormat, bad.ContainerFormat))
	}
	_, err := images.Get(ctx, t.Client, unknownImageID).Extract()
	Expect(err).To(framework.HaveStatus(404), "reading an image that does not exist")
	Expect(images.Delete(ctx, t.Client, unknownImageID).ExtractErr()).To(framework.HaveStatus(404), "deleting an image that does not exist")

	img := t.CreateImage(ctx, images.CreateOpts{})
	r, err := imageapi.Do(ctx, t.Client, "PATCH", "v2/images/"+img.ID, strings.NewReader(`[{"op": "gc-bogus", "path": "/name", "value": "x"}]`),
		map[string]string{"Content-Type": "application/openstack-images-v2.1-json-patch"})
	Expect(err).NotTo(HaveOccurred(), "a JSON patch with an unknown op")
	Expect(r.Status == 400).To(BeTrue(), "a JSON patch with an unknown op answered %d, want 400: %s", r.Status, framework.BodySummary(r.Body))

	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data[:1024])).ExtractErr()).NotTo(HaveOccurred(), "upload")
	Expect(imagedata.Upload(ctx, t.Client, img.ID, imageapi.Sized(t.Payload.Data[:1024])).ExtractErr()).To(framework.HaveStatus(409), "uploading to an active image")

	Expect(images.Delete(ctx, t.Client, img.ID).ExtractErr()).NotTo(HaveOccurred(), "delete")
	Expect(images.Delete(ctx, t.Client, img.ID).ExtractErr()).To(framework.HaveStatus(404), "deleting a deleted image")
	_, err = images.Get(ctx, t.Client, img.ID).Extract()
	Expect(err).To(framework.HaveStatus(404), "reading a deleted image")
})

// protectedProperty matches the first rule of deployments/base/files/etc/glance/
// property-protections.conf: admins create, update and delete it; members only read it.
const protectedProperty = "x_gc_protected_level"

var _ = framework.Conformance(feature.Feature{
	ID:      "property-protections",
	Title:   "Property protections",
	Proves:  "with a roles-based property protection file, a member may read but not create, change or remove a protected property, while other properties and the admin are unaffected",
	Tempest: []string{"none"},
	Setup:   "the property protections file of deployments/base",
	Admin:   true,
	Parts:   []string{feature.PartMember},
}, func(ctx SpecContext, t *framework.Target) {
	memberA := t.As(imageapi.Member)
	img := t.CreateImage(ctx, images.CreateOpts{Properties: map[string]string{protectedProperty: "admin-set"}})
	got, err := images.Get(ctx, memberA, img.ID).Extract()
	Expect(err).NotTo(HaveOccurred(), "a member reading the image")
	Expect(got.Properties[protectedProperty] == "admin-set").To(BeTrue(), "a member reads %s=%v, want admin-set (read = admin,member)", protectedProperty, got.Properties[protectedProperty])

	_, err = images.Create(ctx, memberA, images.CreateOpts{Name: t.Name(), DiskFormat: "raw", ContainerFormat: "bare",
		Properties: map[string]string{protectedProperty: "member-set"}}).Extract()
	Expect(err).To(framework.HaveStatus(403), "a member creating an image with the protected property")
	_, err = images.Update(ctx, memberA, img.ID, images.UpdateOpts{images.UpdateImageProperty{Op: images.ReplaceOp, Name: protectedProperty, Value: "member-set"}}).Extract()
	Expect(err).To(framework.HaveStatus(403), "a member changing the protected property")
	_, err = images.Update(ctx, memberA, img.ID, images.UpdateOpts{images.UpdateImageProperty{Op: images.RemoveOp, Name: protectedProperty}}).Extract()
	Expect(err).To(framework.HaveStatus(403), "a member removing the protected property")

	// The rule is about that property, not the image: the member may set others, the admin this one.
	_, err = images.Update(ctx, memberA, img.ID, images.UpdateOpts{images.UpdateImageProperty{Op: images.AddOp, Name: "x_gc_free", Value: "member-set"}}).Extract()
	Expect(err).NotTo(HaveOccurred(), "a member adding an unprotected property")
	_, err = images.Update(ctx, t.Client, img.ID, images.UpdateOpts{images.UpdateImageProperty{Op: images.ReplaceOp, Name: protectedProperty, Value: "admin-changed"}}).Extract()
	Expect(err).NotTo(HaveOccurred(), "the admin changing the protected property")
})

var _ = framework.Conformance(feature.Feature{
	ID:      "image.owner",
	Title:   "Image owner given by an admin",
	Proves:  "an admin creates an image for another project (owner in the create body) and gives one of its own to that project (a JSON patch replacing /owner); each then reads as owned by that project",
	Tempest: []string{"tempest.api.image.v2.admin.test_images.BasicOperationsImagesAdminTest.test_create_image_owner_param", "tempest.api.image.v2.admin.test_images.BasicOperationsImagesAdminTest.test_update_image_owner_param"},
	Admin:   true,
	Parts:   []string{feature.PartOther},
}, func(ctx SpecContext, t *framework.Target) {
	other := t.Identity(imageapi.Other).ProjectID
	// Tempest's create_image(owner=...) puts owner in the body beside the image's other fields.
	given := t.CreateImage(ctx, images.CreateOpts{Properties: map[string]string{"owner": other}})
	Expect(given.Owner).To(Equal(other), "owner in the create answer")
	Expect(t.GetImage(ctx, given.ID).Owner).To(Equal(other), "owner of the image created for the other project")

	mine := t.CreateImage(ctx, images.CreateOpts{})
	Expect(mine.Owner).To(Equal(t.Identity(imageapi.Main).ProjectID), "owner of an image created without one")
	_, err := images.Update(ctx, t.Client, mine.ID, images.UpdateOpts{images.UpdateImageProperty{Op: images.ReplaceOp, Name: "owner", Value: other}}).Extract()
	Expect(err).NotTo(HaveOccurred(), "PATCH replace /owner")
	Expect(t.GetImage(ctx, mine.ID).Owner).To(Equal(other), "owner after the patch")
})

var _ = framework.Conformance(feature.Feature{
	ID:      "image.empty-id",
	Title:   "An empty image id",
	Proves:  "GET and DELETE /v2/images/ (an image id of \"\", as Tempest's null-id tests send it) answer 404",
	Tempest: []string{"tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_get_image_null_id", "tempest.api.image.v2.test_images_negative.ImagesNegativeTest.test_delete_image_null_id"},
}, func(ctx SpecContext, t *framework.Target) {
	for _, method := range []string{"GET", "DELETE"} {
		r, err := imageapi.Do(ctx, t.Client, method, "v2/images/", nil, nil)
		Expect(err).NotTo(HaveOccurred(), "%s /v2/images/", method)
		Expect(r.Status).To(Equal(404), "%s /v2/images/ (an empty image id)", method)
	}
})
