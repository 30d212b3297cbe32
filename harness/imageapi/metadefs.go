package imageapi

import (
	"context"

	"github.com/gophercloud/gophercloud/v2"
)

// Metadata definitions (/v2/metadefs), which Gophercloud does not cover.

// Namespace is a metadefs namespace.
type Namespace struct {
	Namespace   string `json:"namespace"`
	DisplayName string `json:"display_name,omitempty"`
	Description string `json:"description,omitempty"`
	Visibility  string `json:"visibility,omitempty"`
	Protected   *bool  `json:"protected,omitempty"`
	Owner       string `json:"owner,omitempty"`
}

// Namespaces is a namespace listing.
type Namespaces struct {
	Namespaces []Namespace `json:"namespaces"`
}

func nsURL(c *gophercloud.ServiceClient, parts ...string) string {
	return c.ServiceURL(append([]string{"metadefs", "namespaces"}, parts...)...)
}

// CreateNamespace creates a namespace (201).
func CreateNamespace(ctx context.Context, c *gophercloud.ServiceClient, ns Namespace) Result[Namespace] {
	return send[Namespace](ctx, c, "POST", nsURL(c), ns, 201)
}

// GetNamespace reads a namespace.
func GetNamespace(ctx context.Context, c *gophercloud.ServiceClient, name string) Result[Namespace] {
	return get[Namespace](ctx, c, nsURL(c, name), nil)
}

// UpdateNamespace replaces a namespace's fields (PUT, 200).
func UpdateNamespace(ctx context.Context, c *gophercloud.ServiceClient, name string, ns Namespace) Result[Namespace] {
	return send[Namespace](ctx, c, "PUT", nsURL(c, name), ns, 200)
}

// DeleteNamespace deletes a namespace and everything in it (204).
func DeleteNamespace(ctx context.Context, c *gophercloud.ServiceClient, name string) gophercloud.ErrResult {
	return noBody(ctx, c, "DELETE", nsURL(c, name), nil, 204)
}

// ListNamespaces lists the namespaces (first page, up to limit).
func ListNamespaces(ctx context.Context, c *gophercloud.ServiceClient) Result[Namespaces] {
	return get[Namespaces](ctx, c, nsURL(c)+"?limit=1000", nil)
}

// Object is a metadefs object: a named group of properties.
type Object struct {
	Name        string              `json:"name"`
	Description string              `json:"description,omitempty"`
	Required    []string            `json:"required,omitempty"`
	Properties  map[string]Property `json:"properties,omitempty"`
}

// Objects is an object listing.
type Objects struct {
	Objects []Object `json:"objects"`
}

// Property is a metadefs property.
type Property struct {
	Name        string `json:"name,omitempty"`
	Title       string `json:"title"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

// Properties is a property listing, by name.
type Properties struct {
	Properties map[string]Property `json:"properties"`
}

// Tag is a metadefs tag.
type Tag struct {
	Name string `json:"name"`
}

// Tags is a tag listing, and the body of a bulk creation.
type Tags struct {
	Tags []Tag `json:"tags"`
}

// ResourceTypeAssociation ties a namespace to a resource type such as OS::Glance::Image.
type ResourceTypeAssociation struct {
	Name   string `json:"name"`
	Prefix string `json:"prefix,omitempty"`
}

// ResourceTypes is a resource type listing (of all types, or of a namespace's associations).
type ResourceTypes struct {
	ResourceTypes []ResourceTypeAssociation `json:"resource_types"`
	Associations  []ResourceTypeAssociation `json:"resource_type_associations"`
}

// CreateObject, GetObject, UpdateObject, DeleteObject and ListObjects work on a namespace's objects.
func CreateObject(ctx context.Context, c *gophercloud.ServiceClient, ns string, o Object) Result[Object] {
	return send[Object](ctx, c, "POST", nsURL(c, ns, "objects"), o, 201)
}

func GetObject(ctx context.Context, c *gophercloud.ServiceClient, ns, name string) Result[Object] {
	return get[Object](ctx, c, nsURL(c, ns, "objects", name), nil)
}

func UpdateObject(ctx context.Context, c *gophercloud.ServiceClient, ns, name string, o Object) Result[Object] {
	return send[Object](ctx, c, "PUT", nsURL(c, ns, "objects", name), o, 200)
}

func DeleteObject(ctx context.Context, c *gophercloud.ServiceClient, ns, name string) gophercloud.ErrResult {
	return noBody(ctx, c, "DELETE", nsURL(c, ns, "objects", name), nil, 204)
}

func ListObjects(ctx context.Context, c *gophercloud.ServiceClient, ns string) Result[Objects] {
	return get[Objects](ctx, c, nsURL(c, ns, "objects"), nil)
}

// CreateProperty, GetProperty, UpdateProperty, DeleteProperty and ListProperties work on a
// namespace's properties.
func CreateProperty(ctx context.Context, c *gophercloud.ServiceClient, ns string, p Property) Result[Property] {
	return send[Property](ctx, c, "POST", nsURL(c, ns, "properties"), p, 201)
}

func GetProperty(ctx context.Context, c *gophercloud.ServiceClient, ns, name string) Result[Property] {
	return get[Property](ctx, c, nsURL(c, ns, "properties", name), nil)
}

func UpdateProperty(ctx context.Context, c *gophercloud.ServiceClient, ns, name string, p Property) Result[Property] {
	return send[Property](ctx, c, "PUT", nsURL(c, ns, "properties", name), p, 200)
}

func DeleteProperty(ctx context.Context, c *gophercloud.ServiceClient, ns, name string) gophercloud.ErrResult {
	return noBody(ctx, c, "DELETE", nsURL(c, ns, "properties", name), nil, 204)
}

func ListProperties(ctx context.Context, c *gophercloud.ServiceClient, ns string) Result[Properties] {
	return get[Properties](ctx, c, nsURL(c, ns, "properties"), nil)
}

// CreateTags creates several tags at once; CreateTag, GetTag, UpdateTag (a rename), DeleteTag
// and ListTags work on one.
func CreateTags(ctx context.Context, c *gophercloud.ServiceClient, ns string, names ...string) Result[Tags] {
	body := Tags{}
	for _, n := range names {
		body.Tags = append(body.Tags, Tag{Name: n})
	}
	return send[Tags](ctx, c, "POST", nsURL(c, ns, "tags"), body, 201)
}

func CreateTag(ctx context.Context, c *gophercloud.ServiceClient, ns, name string) Result[Tag] {
	return send[Tag](ctx, c, "POST", nsURL(c, ns, "tags", name), nil, 201)
}

func GetTag(ctx context.Context, c *gophercloud.ServiceClient, ns, name string) Result[Tag] {
	return get[Tag](ctx, c, nsURL(c, ns, "tags", name), nil)
}

func UpdateTag(ctx context.Context, c *gophercloud.ServiceClient, ns, name, newName string) Result[Tag] {
	return send[Tag](ctx, c, "PUT", nsURL(c, ns, "tags", name), Tag{Name: newName}, 200)
}

func DeleteTag(ctx context.Context, c *gophercloud.ServiceClient, ns, name string) gophercloud.ErrResult {
	return noBody(ctx, c, "DELETE", nsURL(c, ns, "tags", name), nil, 204)
}

func ListTags(ctx context.Context, c *gophercloud.ServiceClient, ns string) Result[Tags] {
	return get[Tags](ctx, c, nsURL(c, ns, "tags"), nil)
}

// ListResourceTypes lists every resource type Glance knows.
func ListResourceTypes(ctx context.Context, c *gophercloud.ServiceClient) Result[ResourceTypes] {
	return get[ResourceTypes](ctx, c, c.ServiceURL("metadefs", "resource_types"), nil)
}

// Associate ties a namespace to a resource type (201); Associations lists a namespace's ties;
// Dissociate removes one (204).
func Associate(ctx context.Context, c *gophercloud.ServiceClient, ns string, a ResourceTypeAssociation) Result[ResourceTypeAssociation] {
	return send[ResourceTypeAssociation](ctx, c, "POST", nsURL(c, ns, "resource_types"), a, 201)
}

func Associations(ctx context.Context, c *gophercloud.ServiceClient, ns string) Result[ResourceTypes] {
	return get[ResourceTypes](ctx, c, nsURL(c, ns, "resource_types"), nil)
}

func Dissociate(ctx context.Context, c *gophercloud.ServiceClient, ns, resourceType string) gophercloud.ErrResult {
	return noBody(ctx, c, "DELETE", nsURL(c, ns, "resource_types", resourceType), nil, 204)
}
