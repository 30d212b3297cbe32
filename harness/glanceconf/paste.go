package glanceconf

import (
	"fmt"
	"strings"
)

// TrustedFlavor is the paste flavor name the base glance-api.conf selects
// ([paste_deploy] flavor = trusted).
const TrustedFlavor = "trusted"

// AddTrustedFlavor adds a test-only paste flavor to the release's own glance-api-paste.ini: the
// keystone flavor's pipeline without the authtoken filter. Glance's context middleware then builds
// the request context from the X-Identity-Status, X-Project-Id, X-User-Id and X-Roles headers the
// client sends, so several projects and roles can be exercised without a Keystone.
//
// Releases up to Zed ship [pipeline:glance-api-keystone]; the flavor is derived from it rather
// than written out, so it follows whatever filters that release puts in its pipeline.
func AddTrustedFlavor(pasteIni string) (string, error) {
	ini, err := ParseINI(pasteIni)
	if err != nil {
		return "", fmt.Errorf("paste file: %w", err)
	}
	pipeline, ok := ini.Get("pipeline:glance-api-keystone", "pipeline")
	if !ok {
		return "", fmt.Errorf("paste file has no [pipeline:glance-api-keystone] to derive the %q flavor from", TrustedFlavor)
	}
	var kept []string
	removed := false
	for _, f := range strings.Fields(pipeline) {
		if f == "authtoken" {
			removed = true
			continue
		}
		kept = append(kept, f)
	}
	if !removed {
		return "", fmt.Errorf("the keystone pipeline has no authtoken filter: %q", pipeline)
	}
	ini.Set("pipeline:glance-api-"+TrustedFlavor, "pipeline", strings.Join(kept, " "))
	return ini.String(), nil
}

// RenderAPIConf merges a topology's overrides (may be empty) over the base glance-api.conf.
func RenderAPIConf(base, overrides string) (string, error) {
	ini, err := ParseINI(base)
	if err != nil {
		return "", fmt.Errorf("base glance-api.conf: %w", err)
	}
	over, err := ParseINI(overrides)
	if err != nil {
		return "", fmt.Errorf("topology glance-api.conf: %w", err)
	}
	ini.Merge(over)
	return ini.String(), nil
}
