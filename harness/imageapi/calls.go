package imageapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
)

// Response is a raw answer: status, headers and the whole body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends one request to a URL under the endpoint (path relative to it, e.g. "versions" or
// "v2/info/import") and accepts any status: the spec decides what is right.
func Do(ctx context.Context, sc *gophercloud.ServiceClient, method, path string, body io.Reader, headers map[string]string) (*Response, error) {
	resp, err := sc.Request(ctx, method, sc.Endpoint+strings.TrimPrefix(path, "/"), &gophercloud.RequestOpts{
		RawBody:          body,
		MoreHeaders:      headers,
		KeepResponseBody: true,
		OkCodes:          anyStatus,
	})
	return readResponse(resp, err)
}

// anyStatus lets every status through Gophercloud, which otherwise turns non-2xx into errors.
var anyStatus = func() []int {
	codes := make([]int, 0, 500)
	for c := 100; c < 600; c++ {
		codes = append(codes, c)
	}
	return codes
}()

func readResponse(resp *http.Response, err error) (*Response, error) {
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

// ImportRequest is the body of POST /v2/images/{id}/import, with the fields Gophercloud lacks.
type ImportRequest struct {
	Method    string   // glance-direct, web-download, copy-image
	URI       string   // web-download only
	Stores    []string // target stores
	AllStores bool
	// glance-download only: the image in another Glance, found in the user's catalog by
	// region and interface (public, internal, admin).
	GlanceImageID, GlanceRegion, GlanceInterface string
}

// Import starts an import and returns the raw answer (202 when accepted).
func Import(ctx context.Context, sc *gophercloud.ServiceClient, imageID string, r ImportRequest) (*Response, error) {
	method := map[string]any{"name": r.Method}
	if r.URI != "" {
		method["uri"] = r.URI
	}
	for k, v := range map[string]string{"glance_image_id": r.GlanceImageID, "glance_region": r.GlanceRegion, "glance_service_interface": r.GlanceInterface} {
		if v != "" {
			method[k] = v
		}
	}
	body := map[string]any{"method": method}
	if len(r.Stores) > 0 {
		body["stores"] = r.Stores
	}
	if r.AllStores {
		body["all_stores"] = true
	}
	return readResponse(sc.Post(ctx, sc.ServiceURL("images", imageID, "import"), body, nil, &gophercloud.RequestOpts{
		OkCodes: anyStatus, KeepResponseBody: true,
	}))
}

// StatusError describes an unexpected status with the head of its body.
func StatusError(what string, r *Response, want int) error {
	head := string(r.Body)
	if len(head) > 300 {
		head = head[:300] + "..."
	}
	return fmt.Errorf("%s: status %d, want %d: %s", what, r.Status, want, strings.TrimSpace(head))
}
