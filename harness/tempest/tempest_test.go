package tempest

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/reports"
)

// testdata/junit.xml is subunit2junitxml's file from Tempest 33.0.0 (bookworm) against our
// standalone column, cut to a few cases of each kind.
func TestParseJUnitOfARealRun(t *testing.T) {
	b, err := os.ReadFile("testdata/junit.xml")
	if err != nil {
		t.Fatal(err)
	}
	caching := "tempest.api.image.v2.admin.test_image_caching.ImageCachingTest."
	known := []string{caching + "test_image_caching_cycle", caching + "test_remote_and_self_cache", "tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_direct_import"}
	got, err := ParseJUnit(b, known)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]reports.TempestResult{}
	for _, r := range got {
		if strings.Contains(r.Test, "[") || !strings.HasPrefix(r.Test, "tempest.api.image.") {
			t.Errorf("name %q: want module.Class.test without tags", r.Test)
		}
		by[r.Test] = r
	}
	for test, want := range map[string]reports.TempestResult{
		// A class skipped whole stands for each of its known tests.
		caching + "test_image_caching_cycle":   {Status: reports.TempestSkip, Detail: "Target system is not configured with glance caching"},
		caching + "test_remote_and_self_cache": {Status: reports.TempestSkip, Detail: "Target system is not configured with glance caching"},
		"tempest.api.image.v2.admin.test_images.BasicOperationsImagesAdminTest.test_create_image_owner_param": {Status: reports.TempestPass},
		// The traceback's own exception, not testtools' wrapper; Tempest's Details line after it.
		"tempest.api.image.v2.admin.test_images_metadefs_namespace_properties.MetadataNamespacePropertiesTest.test_basic_meta_def_namespace_property": {Status: reports.TempestFail, Detail: "IndexError: list index out of range"},
		"tempest.api.image.v2.test_images.ImportImagesTest.test_image_glance_direct_import":                                                           {Status: reports.TempestFail, Detail: "tempest.lib.exceptions.TimeoutException: Request timed out Details: (ImportImagesTest:test_image_glance_direct_import)"},
	} {
		r, ok := by[test]
		if !ok {
			t.Errorf("%s: no result", test)
			continue
		}
		if r.Status != want.Status || !strings.HasPrefix(r.Detail, want.Detail) {
			t.Errorf("%s: %s %q, want %s %q", test, r.Status, r.Detail, want.Status, want.Detail)
		}
	}
	if _, ok := by[strings.TrimSuffix(caching, ".")]; ok {
		t.Error("the skipped class is listed besides its tests")
	}
}

func TestParseJUnitRefusesAnEmptyFile(t *testing.T) {
	if _, err := ParseJUnit([]byte(`<testsuite tests="0"></testsuite>`), nil); err == nil {
		t.Error("a run without tests parsed")
	}
}

// Every placeholder of the checked-in template is filled.
func TestRenderConfFillsEveryPlaceholder(t *testing.T) {
	tmpl, err := os.ReadFile("../../fixtures/tempest/tempest.conf")
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Conf: string(tmpl), IdentityURL: "http://127.0.0.1:5000", Region: "bookworm-standalone", HTTPImage: "http://websource/payload.bin", HTTPQCOW2Image: "http://websource/empty.qcow2", BuildTimeout: time.Minute}
	for _, ca := range [][]byte{nil, []byte("PEM")} {
		o.CACert = ca
		conf := RenderConf(o)
		if p := regexp.MustCompile(`@[A-Z_]+@`).FindString(conf); p != "" && p != "@NAME@" {
			t.Errorf("unfilled placeholder in:\n%s", conf)
		}
		for _, want := range []string{"uri_v3 = http://127.0.0.1:5000/v3", "region = bookworm-standalone", "build_timeout = 60",
			"http_image = http://websource/payload.bin", "http_qcow2_image = http://websource/empty.qcow2"} {
			if !strings.Contains(conf, want) {
				t.Errorf("no %q", want)
			}
		}
		if (ca != nil) != strings.Contains(conf, "ca_certificates_file = ") {
			t.Errorf("CA %q, conf:\n%s", ca, conf)
		}
	}
}

// Tempest 33 takes its primary and alt from the first free non-admin accounts; Tempest 47 also
// wants a reader in the primary's project. Members first, their reader twins, admins last.
func TestAccountsOrder(t *testing.T) {
	clouds := []topology.Cloud{
		{User: "main", Project: "p", Roles: []string{"admin"}},
		{User: "member", Project: "p", Roles: []string{"member"}},
		{User: "reader", Project: "p", Roles: []string{"reader"}},
		{User: "other", Project: "q", Roles: []string{"member"}},
	}
	var got []string
	for _, a := range AccountsOf(clouds, "pw") {
		got = append(got, a.Username+"/"+a.Project+"/"+strings.Join(a.Roles, ",")+"/"+a.Password)
	}
	want := []string{"member/p/member/pw", "other/q/member/pw", "reader/p/reader/pw", "main/p/admin/pw"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("accounts %v, want %v", got, want)
	}
}
