// Package imageapi is the Image API v2 client of the specs: Gophercloud's ServiceClient with the
// test identity headers, plus the calls Gophercloud lacks (import with stores, info endpoints,
// ranged downloads), all through the same ServiceClient so there is one HTTP client only.
package imageapi

import (
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/glance-conformance/glance-conformance/harness/evidence"
)

// Identity is who the requests are made as. Against the harness's own deployments the trusted
// paste flavor turns its headers into Glance's request context (no Keystone involved); against
// a Keystone-authenticated Glance it carries a token instead.
type Identity struct {
	// Part is the part the identity plays in the specs: PartMain, PartMember or PartOther.
	Part      string
	ProjectID string
	UserID    string
	Roles     []string
	// Token, when set, is sent as X-Auth-Token instead of the identity headers. A secret: it
	// goes into requests and nowhere else.
	Token string
}

// The parts identities play, one vocabulary from the command line (--cloud, --cloud-member,
// --cloud-other) to the features' declarations: the admin of the project the specs work in
// (owner of what they create), a member of that project without admin, and a member of
// another project.
const (
	PartMain   = "main"
	PartMember = "member"
	PartOther  = "other"
)

// Main is the identity most specs use: the admin of the conformance project.
var Main = Identity{Part: PartMain, ProjectID: "conformance-project-main", UserID: "conformance-main", Roles: []string{"admin", "member", "reader"}}

// Headers are what a request made as id carries: its token, or the identity headers Glance's
// context middleware reads.
func (id Identity) Headers() map[string]string {
	if id.Token != "" {
		return map[string]string{"X-Auth-Token": id.Token}
	}
	return map[string]string{
		"X-Identity-Status": "Confirmed",
		"X-Project-Id":      id.ProjectID,
		"X-Tenant-Id":       id.ProjectID,
		"X-User-Id":         id.UserID,
		"X-Roles":           strings.Join(id.Roles, ","),
	}
}

// AnswerTimeout bounds the wait for an answer's head once the whole request is written, so that
// a server that never answers gives a failed cell with evidence instead of a hung run. Bodies
// are bounded by their progress instead (StallTimeout).
const AnswerTimeout = 90 * time.Second

// IdleTimeout is how long an idle kept-alive connection stays in the pool: under Apache's
// KeepAliveTimeout (5 s by default, announced in every answer's Keep-Alive header). A client
// that reuses a connection past the timeout its server announced races the server's close, and
// that race is the client's mistake, not the server's (RFC 9112 9.3; Go's transport does not
// read the Keep-Alive header, so the pool's own limit stands in for it).
const IdleTimeout = 4 * time.Second

// Option changes how New's client connects.
type Option func(*http.Transport)

// WithTLS uses the TLS settings of a cloud (its CA, or insecure) for the image endpoint too.
func WithTLS(c *tls.Config) Option {
	return func(t *http.Transport) { t.TLSClientConfig = c }
}

// New returns a ServiceClient for the image service at endpoint (ending in "/"), recording every
// exchange in rec. It talks as a keystoneauth session or Gophercloud's default client does:
// connections kept alive and reused from a small pool, requests back to back, no
// "Connection: close". A request that meets a connection the server dropped without announcing
// it is recorded in rec and resent once (connections.go); nothing else is resent. Close its idle
// connections with CloseIdle when done.
func New(endpoint string, id Identity, rec *evidence.Recorder, opts ...Option) *gophercloud.ServiceClient {
	transport := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          100, // net/http's DefaultTransport, which Gophercloud uses by default
		MaxIdleConnsPerHost:   http.DefaultMaxIdleConnsPerHost,
		IdleConnTimeout:       IdleTimeout,
		ResponseHeaderTimeout: AnswerTimeout,
		// Only requests that carry "Expect: 100-continue" wait for the interim answer; like curl
		// (CURLOPT_EXPECT_100_TIMEOUT_MS, 1 s by default), a server that never sends one gets
		// the body after a second.
		ExpectContinueTimeout: time.Second,
	}
	for _, o := range opts {
		o(transport)
	}
	rec.Next = newKeptAlive(transport, rec.Dropped)
	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Transport: bodySetter{rec}}}
	return &gophercloud.ServiceClient{
		ProviderClient: pc,
		Endpoint:       endpoint,
		ResourceBase:   endpoint + "v2/",
		MoreHeaders:    id.Headers(),
	}
}

// CloseIdle closes a client's idle kept-alive connections (a spec's clients, when it ends).
func CloseIdle(sc *gophercloud.ServiceClient) { sc.ProviderClient.HTTPClient.CloseIdleConnections() }

// Member is a member (not an admin) of Main's project; Other a member of a second project.
// Together with Main they exercise ownership, sharing and role checks.
var (
	Member = Identity{Part: PartMember, ProjectID: Main.ProjectID, UserID: "conformance-member", Roles: []string{"member", "reader"}}
	Other  = Identity{Part: PartOther, ProjectID: "conformance-project-other", UserID: "conformance-other", Roles: []string{"member", "reader"}}
)

// ListQuery is a raw image-list query ("tag=x&limit=2"), for the filters and sort forms
// images.ListOpts does not have (size, repeated tags, sort=key:dir).
type ListQuery string

// ToImageListQuery implements images.ListOptsBuilder.
func (q ListQuery) ToImageListQuery() (string, error) { return "?" + string(q), nil }
