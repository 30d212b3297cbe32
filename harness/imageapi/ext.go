package imageapi

// The Image API v2 calls Gophercloud (v2.15) does not have, in Gophercloud's own style: a
// function per call on a ServiceClient, the expected statuses as OkCodes, a Result whose Err is
// Gophercloud's ErrUnexpectedResponseCode otherwise (test it with gophercloud.ResponseCodeIs).

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
)

// Result is a JSON answer extracted into T.
type Result[T any] struct{ gophercloud.Result }

// Extract decodes the answer's body.
func (r Result[T]) Extract() (T, error) {
	var v T
	if r.Err != nil {
		return v, r.Err
	}
	err := r.ExtractInto(&v)
	return v, err
}

func get[T any](ctx context.Context, c *gophercloud.ServiceClient, url string, opts *gophercloud.RequestOpts) (r Result[T]) {
	resp, err := c.Get(ctx, url, &r.Body, opts)
	_, r.Header, r.Err = gophercloud.ParseResponse(resp, err)
	return
}

func send[T any](ctx context.Context, c *gophercloud.ServiceClient, method, url string, body any, ok ...int) (r Result[T]) {
	resp, err := c.Request(ctx, method, url, &gophercloud.RequestOpts{JSONBody: body, JSONResponse: &r.Body, OkCodes: ok})
	_, r.Header, r.Err = gophercloud.ParseResponse(resp, err)
	return
}

func noBody(ctx context.Context, c *gophercloud.ServiceClient, method, url string, headers map[string]string, ok ...int) (r gophercloud.ErrResult) {
	resp, err := c.Request(ctx, method, url, &gophercloud.RequestOpts{OkCodes: ok, MoreHeaders: headers})
	_, r.Header, r.Err = gophercloud.ParseResponse(resp, err)
	return
}

// AddImageTag puts a tag on an image (PUT /v2/images/{id}/tags/{tag}).
func AddImageTag(ctx context.Context, c *gophercloud.ServiceClient, imageID, tag string) gophercloud.ErrResult {
	return noBody(ctx, c, "PUT", c.ServiceURL("images", imageID, "tags", tag), nil, 204)
}

// DeleteImageTag removes a tag from an image.
func DeleteImageTag(ctx context.Context, c *gophercloud.ServiceClient, imageID, tag string) gophercloud.ErrResult {
	return noBody(ctx, c, "DELETE", c.ServiceURL("images", imageID, "tags", tag), nil, 204)
}

// Deactivate makes an image's data unavailable to non-admins (POST .../actions/deactivate).
func Deactivate(ctx context.Context, c *gophercloud.ServiceClient, imageID string) gophercloud.ErrResult {
	return noBody(ctx, c, "POST", c.ServiceURL("images", imageID, "actions", "deactivate"), nil, 204)
}

// Reactivate undoes Deactivate.
func Reactivate(ctx context.Context, c *gophercloud.ServiceClient, imageID string) gophercloud.ErrResult {
	return noBody(ctx, c, "POST", c.ServiceURL("images", imageID, "actions", "reactivate"), nil, 204)
}

// Schema is a JSON schema document as Glance serves it.
type Schema struct {
	Name       string         `json:"name"`
	Properties map[string]any `json:"properties"`
	Links      []any          `json:"links"`
}

// GetSchema reads /v2/schemas/{name}, e.g. "image", "members" or "metadefs/namespace".
func GetSchema(ctx context.Context, c *gophercloud.ServiceClient, name string) Result[Schema] {
	return get[Schema](ctx, c, c.ServiceURL("schemas", name), nil)
}

// Store is one entry of /v2/info/stores (the detail listing fills Type and Properties).
type Store struct {
	ID          string         `json:"id"`
	Description string         `json:"description"`
	Default     FlexBool       `json:"default"`
	ReadOnly    FlexBool       `json:"read-only"` // a store images cannot be written to (http)
	Type        string         `json:"type"`
	Properties  map[string]any `json:"properties"`
}

// FlexBool reads a JSON boolean that Glance may send as a string: /v2/info/stores marks the
// default store with "default": "true" (a string, not a boolean).
type FlexBool bool

// UnmarshalJSON accepts true, false, "true" and "false".
func (b *FlexBool) UnmarshalJSON(data []byte) error {
	switch strings.Trim(string(data), `"`) {
	case "true":
		*b = true
	case "false", "null":
		*b = false
	default:
		return fmt.Errorf("not a boolean: %s", data)
	}
	return nil
}

// Stores is the answer of /v2/info/stores and /v2/info/stores/detail.
type Stores struct {
	Stores []Store `json:"stores"`
}

// ListStores lists the stores; detail needs an admin.
func ListStores(ctx context.Context, c *gophercloud.ServiceClient, detail bool) Result[Stores] {
	url := c.ServiceURL("info", "stores")
	if detail {
		url = c.ServiceURL("info", "stores", "detail")
	}
	return get[Stores](ctx, c, url, nil)
}

// DeleteFromStore removes an image's data from one store only (DELETE /v2/stores/{store}/{id}).
func DeleteFromStore(ctx context.Context, c *gophercloud.ServiceClient, store, imageID string) gophercloud.ErrResult {
	return noBody(ctx, c, "DELETE", c.ServiceURL("stores", store, imageID), nil, 204)
}

// Usage is /v2/info/usage: per quota resource, the project's usage and limit.
type Usage struct {
	Usage map[string]struct {
		Usage int64 `json:"usage"`
		Limit int64 `json:"limit"`
	} `json:"usage"`
}

// GetUsage reads the calling project's quota usage.
func GetUsage(ctx context.Context, c *gophercloud.ServiceClient) Result[Usage] {
	return get[Usage](ctx, c, c.ServiceURL("info", "usage"), nil)
}

// ImageTask is one task of GET /v2/images/{id}/tasks.
type ImageTask struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	ImageID   string `json:"image_id"`
	RequestID string `json:"request_id"`
	UserID    string `json:"user_id"`
	Message   string `json:"message"`
}

// ImageTasks is the answer of GET /v2/images/{id}/tasks.
type ImageTasks struct {
	Tasks []ImageTask `json:"tasks"`
}

// ListImageTasks lists the tasks that worked on an image (its imports).
func ListImageTasks(ctx context.Context, c *gophercloud.ServiceClient, imageID string) Result[ImageTasks] {
	return get[ImageTasks](ctx, c, c.ServiceURL("images", imageID, "tasks"), nil)
}

// CacheState is GET /v2/cache.
type CacheState struct {
	Cached []struct {
		ImageID string `json:"image_id"`
		Size    int64  `json:"size"`
		Hits    int    `json:"hits"`
	} `json:"cached_images"`
	Queued []string `json:"queued_images"`
}

// CachedIDs lists the ids of the cached images.
func (s CacheState) CachedIDs() []string {
	ids := make([]string, len(s.Cached))
	for i, c := range s.Cached {
		ids[i] = c.ImageID
	}
	return ids
}

// QueueForCache asks the cache to prefetch an image (PUT /v2/cache/{id}).
func QueueForCache(ctx context.Context, c *gophercloud.ServiceClient, imageID string) gophercloud.ErrResult {
	return noBody(ctx, c, "PUT", c.ServiceURL("cache", imageID), nil, 202)
}

// GetCacheState lists cached and queued images.
func GetCacheState(ctx context.Context, c *gophercloud.ServiceClient) Result[CacheState] {
	return get[CacheState](ctx, c, c.ServiceURL("cache"), nil)
}

// DeleteCached removes one image from the cache.
func DeleteCached(ctx context.Context, c *gophercloud.ServiceClient, imageID string) gophercloud.ErrResult {
	return noBody(ctx, c, "DELETE", c.ServiceURL("cache", imageID), nil, 204)
}

// ClearCache empties the cache, the queue or both ("cache", "queue", "" for both).
func ClearCache(ctx context.Context, c *gophercloud.ServiceClient, target string) gophercloud.ErrResult {
	var h map[string]string
	if target != "" {
		h = map[string]string{"x-image-cache-clear-target": target}
	}
	return noBody(ctx, c, "DELETE", c.ServiceURL("cache"), h, 204)
}
