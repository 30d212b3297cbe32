package glanceconf

import (
	"strings"
	"testing"
)

// A trimmed copy of the shape Zed's glance-api-paste.ini has.
const zedPaste = `[pipeline:glance-api]
pipeline = cors healthcheck versionnegotiation osprofiler unauthenticated-context rootapp

[pipeline:glance-api-keystone]
pipeline = cors healthcheck http_proxy_to_wsgi versionnegotiation osprofiler authtoken context  rootapp

[pipeline:glance-api-keystone+cachemanagement]
pipeline = cors healthcheck versionnegotiation osprofiler authtoken context cache cachemanage rootapp

[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
delay_auth_decision = true
`

func TestAddTrustedFlavorDropsOnlyAuthtoken(t *testing.T) {
	out, err := AddTrustedFlavor(zedPaste)
	if err != nil {
		t.Fatal(err)
	}
	ini, err := ParseINI(out)
	if err != nil {
		t.Fatalf("rendered paste does not parse: %v\n%s", err, out)
	}
	got, _ := ini.Get("pipeline:glance-api-trusted", "pipeline")
	want := "cors healthcheck http_proxy_to_wsgi versionnegotiation osprofiler context rootapp"
	if got != want {
		t.Fatalf("trusted pipeline = %q, want %q", got, want)
	}
	if v, _ := ini.Get("composite:rootapp", "/v2"); v != "apiv2app" {
		t.Fatalf("path key lost: %q\n%s", v, out)
	}
	if !strings.Contains(out, "/v2: apiv2app") {
		t.Fatalf("path key not rendered in paste form:\n%s", out)
	}
	if v, _ := ini.Get("pipeline:glance-api-keystone", "pipeline"); !strings.Contains(v, "authtoken") {
		t.Fatal("the keystone pipeline itself must stay untouched")
	}
}

// The shape 2025.1 ships: one composite per flavor, and the pipelines as keys of [composite:api].
const epoxyPaste = `[composite:glance-api-keystone+cachemanagement]
paste.composite_factory = glance.api:root_app_factory
/: api
/healthcheck: healthcheck

[composite:api]
paste.composite_factory = glance.api:pipeline_factory
default = cors versionnegotiation unauthenticated-context rootapp
keystone = cors versionnegotiation authtoken context rootapp
keystone+cachemanagement = cors versionnegotiation authtoken context cache cachemanage rootapp
`

func TestAddTrustedFlavorCachemanagementTwin(t *testing.T) {
	for name, paste := range map[string]string{"zed": zedPaste, "2025.1": epoxyPaste} {
		out, err := AddTrustedFlavor(paste)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ini, _ := ParseINI(out)
		var got string
		if name == "zed" {
			got, _ = ini.Get("pipeline:glance-api-trusted+cachemanagement", "pipeline")
		} else {
			got, _ = ini.Get("composite:api", "trusted+cachemanagement")
			if v, _ := ini.Get("composite:glance-api-trusted+cachemanagement", "/"); v != "api" {
				t.Fatalf("%s: composite twin missing:\n%s", name, out)
			}
			if v, _ := ini.Get("composite:api", "trusted"); v != "cors versionnegotiation context rootapp" {
				t.Fatalf("%s: plain trusted key = %q", name, v)
			}
		}
		if !strings.HasSuffix(got, "context cache cachemanage rootapp") || strings.Contains(got, "authtoken") {
			t.Fatalf("%s: trusted+cachemanagement = %q\n%s", name, got, out)
		}
	}
}

func TestAddTrustedFlavorNeedsKeystonePipeline(t *testing.T) {
	if _, err := AddTrustedFlavor("[pipeline:glance-api]\npipeline = context rootapp\n"); err == nil {
		t.Fatal("expected an error when the release has no keystone pipeline")
	}
	if _, err := AddTrustedFlavor("[pipeline:glance-api-keystone]\npipeline = context rootapp\n"); err == nil {
		t.Fatal("expected an error when the keystone pipeline has no authtoken")
	}
}

func TestRenderAPIConfOverridesAndAdds(t *testing.T) {
	base := "[DEFAULT]\nbind_port = 9292\n# a comment\nworkers = 1\n\n[glance_store]\ndefault_backend = fast\n"
	over := "[DEFAULT]\nworkers = 2\n[fast]\nfilesystem_store_datadir = /x\n"
	out, err := RenderAPIConf(base, over)
	if err != nil {
		t.Fatal(err)
	}
	want := "[DEFAULT]\nbind_port = 9292\nworkers = 2\n\n[glance_store]\ndefault_backend = fast\n\n[fast]\nfilesystem_store_datadir = /x\n"
	if out != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestParseINIRejectsKeysOutsideSections(t *testing.T) {
	if _, err := ParseINI("workers = 2\n"); err == nil {
		t.Fatal("a key before any section must be an error")
	}
	if _, err := ParseINI("[DEFAULT]\njust words\n"); err == nil {
		t.Fatal("a line without = must be an error")
	}
}

func TestContinuationLines(t *testing.T) {
	ini, err := ParseINI("[a]\nk = one\n  two\n")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := ini.Get("a", "k"); v != "one\ntwo" {
		t.Fatalf("got %q", v)
	}
}

func TestWithKeystoneSwitchesTheTrustedFlavorAndAddsAuthtoken(t *testing.T) {
	conf := "[DEFAULT]\ndebug = true\n[paste_deploy]\nflavor = trusted+cachemanagement\n"
	out, err := WithKeystone(conf, "[keystone_authtoken]\nauth_url = http://keystone:5000/v3\n")
	if err != nil {
		t.Fatal(err)
	}
	ini, _ := ParseINI(out)
	if f, _ := ini.Get("paste_deploy", "flavor"); f != "keystone+cachemanagement" {
		t.Errorf("flavor %q, want keystone+cachemanagement", f)
	}
	if u, _ := ini.Get("keystone_authtoken", "auth_url"); u != "http://keystone:5000/v3" {
		t.Errorf("auth_url %q", u)
	}
	if d, _ := ini.Get("DEFAULT", "debug"); d != "true" {
		t.Errorf("the rest of the file was lost: %q", out)
	}
	for _, flavor := range []string{"keystone", "trustedfoo", ""} {
		if _, err := WithKeystone("[paste_deploy]\nflavor = "+flavor+"\n", ""); err == nil {
			t.Errorf("flavor %q: switched, want an error", flavor)
		}
	}
}
