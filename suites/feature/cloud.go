package feature

// What a feature needs of an existing cloud (a certification run) beyond the account of one
// project member. The harness's own deployments provide all of it; a vendor's cloud may not.
//
// Setup names server-side configuration of ours that the feature's verdict depends on (two
// stores, a size cap, a protections file): a cloud we did not configure cannot be judged on it,
// so certification skips it with this reason. Parts names the accounts beyond the main one:
// PartAdmin (the main account holds the admin role), PartMemberA (a second user of the main
// project, without admin), PartMemberB (a user of another project).
const (
	PartAdmin   = "admin"
	PartMemberA = "member-a"
	PartMemberB = "member-b"
)

var cloudNeeds = map[string]struct {
	setup string
	parts []string
}{
	"import.discovery":                {setup: "the import methods glance-direct, web-download and copy-image enabled and the two stores of deployments/base"},
	"import.web-download":             {setup: "a web server that Glance can reach, serving the payload (the harness starts one beside each of its deployments)"},
	"import.copy-image":               {setup: "the two stores of deployments/base", parts: []string{PartAdmin}},
	"upload.abort":                    {setup: "read access to Glance's store and staging directories, to look for partial data"},
	"upload.size-cap":                 {setup: "image_size_cap of deployments/base (1.25 GiB), and read access to the stores"},
	"upload.size-cap-chunked":         {setup: "image_size_cap of deployments/base (1.25 GiB), and read access to the stores"},
	"image.list-filters":              {parts: []string{PartAdmin, PartMemberA, PartMemberB}},
	"image.visibility":                {parts: []string{PartAdmin, PartMemberA, PartMemberB}},
	"image.members":                   {parts: []string{PartMemberA, PartMemberB}},
	"image.deactivate":                {parts: []string{PartAdmin, PartMemberA}},
	"tasks":                           {parts: []string{PartAdmin}},
	"stores.info":                     {setup: "the two stores of deployments/base", parts: []string{PartAdmin, PartMemberA}},
	"cache":                           {setup: "the cache management middleware (paste flavor cachemanagement) and a cache directory", parts: []string{PartAdmin, PartMemberA}},
	"property-protections":            {setup: "the property protections file of deployments/base", parts: []string{PartAdmin, PartMemberA}},
	"property-protections.concurrent": {setup: "a property protections file (of 42 rules, as in deployments/base), and the server's log"},
	"metadefs.namespaces":             {parts: []string{PartAdmin}},
	"metadefs.objects":                {parts: []string{PartAdmin}},
	"metadefs.properties":             {parts: []string{PartAdmin}},
	"metadefs.tags":                   {parts: []string{PartAdmin}},
	"metadefs.resource-types":         {parts: []string{PartAdmin}},
}

func init() {
	for i := range registry {
		if n, ok := cloudNeeds[registry[i].ID]; ok {
			registry[i].Setup, registry[i].Parts = n.setup, n.parts
		}
	}
}
