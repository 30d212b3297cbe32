package feature

import "github.com/glance-conformance/glance-conformance/harness/imageapi"

// The accounts a feature may need beyond the main one (Feature.Parts), named as everywhere else.
const (
	PartMember = imageapi.PartMember
	PartOther  = imageapi.PartOther
)
