package glanceconf

import (
	"fmt"
	"strings"
)

// TrustedFlavor is the paste flavor name the trusted identity uses; the base glance-api.conf
// selects it, or one of its variants such as "trusted+cachemanagement".
const TrustedFlavor = "trusted"

const keystoneFlavor = "keystone"

// AddTrustedFlavor adds test-only paste flavors to the release's own glance-api-paste.ini: each
// keystone flavor ("keystone", "keystone+caching", "keystone+cachemanagement") gets a "trusted"
// twin whose pipeline lacks the authtoken filter. Glance's context middleware then builds the
// request context from the X-Identity-Status, X-Project-Id, X-User-Id and X-Roles headers the
// client sends, so several projects and roles can be exercised without a Keystone.
//
// The twins are derived, not written out, so they follow whatever filters the release puts in
// its pipelines. Two shapes exist: up to 2024.x a [pipeline:glance-api-<flavor>] per flavor;
// from 2025.1 a [composite:glance-api-<flavor>] per flavor plus one [composite:api] using
// glance.api:pipeline_factory, whose keys are the flavors' pipelines.
func AddTrustedFlavor(pasteIni string) (string, error) {
	ini, err := ParseINI(pasteIni)
	if err != nil {
		return "", fmt.Errorf("paste file: %w", err)
	}
	derived := 0
	for _, s := range append([]*section(nil), ini.sections...) {
		kind, app, _ := strings.Cut(s.name, ":")
		if sfx, ok := strings.CutPrefix(app, "glance-api-"+keystoneFlavor); ok {
			twin := kind + ":glance-api-" + TrustedFlavor + sfx
			switch kind {
			case "pipeline":
				kept, err := withoutAuthtoken(s.vals["pipeline"])
				if err != nil {
					return "", fmt.Errorf("[%s]: %w", s.name, err)
				}
				ini.Set(twin, "pipeline", kept)
			case "composite":
				for _, k := range s.keys {
					ini.Set(twin, k, s.vals[k])
				}
			default:
				continue
			}
			derived++
		}
		if kind == "composite" && strings.HasSuffix(s.vals["paste.composite_factory"], ":pipeline_factory") {
			for _, k := range append([]string(nil), s.keys...) {
				if sfx, ok := strings.CutPrefix(k, keystoneFlavor); ok && (sfx == "" || strings.HasPrefix(sfx, "+")) {
					kept, err := withoutAuthtoken(s.vals[k])
					if err != nil {
						return "", fmt.Errorf("[%s] %s: %w", s.name, k, err)
					}
					s.set(TrustedFlavor+sfx, kept)
				}
			}
		}
	}
	if derived == 0 {
		return "", fmt.Errorf("paste file has no [pipeline:glance-api-keystone] nor [composite:glance-api-keystone] to derive the %q flavor from", TrustedFlavor)
	}
	return ini.String(), nil
}

func withoutAuthtoken(pipeline string) (string, error) {
	var kept []string
	for _, f := range strings.Fields(pipeline) {
		if f != "authtoken" {
			kept = append(kept, f)
		}
	}
	if len(kept) == len(strings.Fields(pipeline)) {
		return "", fmt.Errorf("the keystone pipeline has no authtoken filter: %q", pipeline)
	}
	return strings.Join(kept, " "), nil
}

// RenderAPIConf merges overrides (a release's, then a topology's; any may be empty) over the
// base glance-api.conf, later files winning.
func RenderAPIConf(base string, overrides ...string) (string, error) {
	ini, err := ParseINI(base)
	if err != nil {
		return "", fmt.Errorf("base glance-api.conf: %w", err)
	}
	for i, o := range overrides {
		over, err := ParseINI(o)
		if err != nil {
			return "", fmt.Errorf("glance-api.conf override %d: %w", i+1, err)
		}
		ini.Merge(over)
	}
	return ini.String(), nil
}

// WithKeystone turns a rendered glance-api.conf that uses the trusted identity into its Keystone
// twin: the paste flavor "trusted[+suffix]" becomes "keystone[+suffix]" (the same pipeline with
// authtoken), and authtoken (the [keystone_authtoken] section, which may be empty) is merged
// over it. A flavor that is not a trusted one is an error: that column's identity is its own.
func WithKeystone(conf, authtoken string) (string, error) {
	out, err := RenderAPIConf(conf, authtoken)
	if err != nil {
		return "", err
	}
	ini, _ := ParseINI(out) // rendered above
	flavor, _ := ini.Get("paste_deploy", "flavor")
	rest, ok := strings.CutPrefix(flavor, TrustedFlavor)
	if !ok || (rest != "" && !strings.HasPrefix(rest, "+")) {
		return "", fmt.Errorf("glance-api.conf's paste flavor is %q, not the %q flavor or one of its variants: cannot switch it to Keystone", flavor, TrustedFlavor)
	}
	ini.Set("paste_deploy", "flavor", "keystone"+rest)
	return ini.String(), nil
}
