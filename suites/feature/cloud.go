package feature

import "github.com/glance-conformance/glance-conformance/harness/imageapi"

// What a feature needs of an existing cloud (a certification run) beyond the account of one
// project member. The harness's own deployments provide all of it; a vendor's cloud may not.
//
// Setup names server-side configuration of ours that the feature's verdict depends on (two
// stores, a size cap, a protections file): a cloud we did not configure cannot be judged on it,
// so certification skips it with this reason. Admin says the main account (imageapi.PartMain,
// the one every spec acts as) must hold the admin role; Parts names the accounts beyond it:
// PartMember (a second user of the main project, without admin), PartOther (a user of another
// project).
const (
	PartMember = imageapi.PartMember
	PartOther  = imageapi.PartOther
)

var cloudNeeds = map[string]struct {
	setup string
	admin bool
	parts []string
}{
	"import.discovery":                {setup: "the import methods glance-direct, web-download and copy-image enabled and the two stores of deployments/base"},
	"import.web-download":             {setup: "a web server that Glance can reach, serving the payload (the harness starts one beside each of its deployments)"},
	"import.copy-image":               {setup: "the two stores of deployments/base", admin: true},
	"upload.abort":                    {setup: "read access to Glance's store and staging directories, to look for partial data"},
	"upload.size-cap":                 {setup: "image_size_cap of deployments/base (1.25 GiB), and read access to the stores"},
	"upload.size-cap-chunked":         {setup: "image_size_cap of deployments/base (1.25 GiB), and read access to the stores"},
	"image.list-filters":              {admin: true, parts: []string{PartMember, PartOther}},
	"image.visibility":                {admin: true, parts: []string{PartMember, PartOther}},
	"image.members":                   {parts: []string{PartMember, PartOther}},
	"image.deactivate":                {admin: true, parts: []string{PartMember}},
	"tasks":                           {admin: true},
	"stores.info":                     {setup: "the two stores of deployments/base", admin: true, parts: []string{PartMember}},
	"cache":                           {setup: "the cache management middleware (paste flavor cachemanagement) and a cache directory", admin: true, parts: []string{PartMember}},
	"property-protections":            {setup: "the property protections file of deployments/base", admin: true, parts: []string{PartMember}},
	"property-protections.concurrent": {setup: "a property protections file (of 42 rules, as in deployments/base), and the server's log"},
	"metadefs.namespaces":             {admin: true},
	"metadefs.objects":                {admin: true},
	"metadefs.properties":             {admin: true},
	"metadefs.tags":                   {admin: true},
	"metadefs.resource-types":         {admin: true},
}

func init() {
	for i := range registry {
		if n, ok := cloudNeeds[registry[i].ID]; ok {
			registry[i].Setup, registry[i].Admin, registry[i].Parts = n.setup, n.admin, n.parts
		}
	}
}
