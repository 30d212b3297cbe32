package image

import (
	"os"
	"path/filepath"
	"testing"
)

func TestTagChangesWithSuiteAndIsStable(t *testing.T) {
	a, err := ForSuite("bookworm")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ForSuite("bookworm")
	c, _ := ForSuite("trixie")
	if a.Tag() != b.Tag() {
		t.Fatalf("same recipe, different tags: %s %s", a.Tag(), b.Tag())
	}
	if a.Tag() == c.Tag() {
		t.Fatalf("different suites share a tag: %s", a.Tag())
	}
	if len(a.files) < 2 {
		t.Fatalf("recipe files not embedded: %v", a.files)
	}
}

func TestTagChangesWithRecipeContent(t *testing.T) {
	a, _ := ForSuite("bookworm")
	before := a.Tag()
	changed := map[string][]byte{}
	for k, v := range a.files {
		changed[k] = v
	}
	changed["recipe/packages.txt"] = append(append([]byte{}, changed["recipe/packages.txt"]...), "vim\n"...)
	a.files = changed
	if a.Tag() == before {
		t.Fatal("tag did not change when the package list changed")
	}
}

func TestForSuiteRejectsBadNames(t *testing.T) {
	for _, s := range []string{"", "book worm", "a/b"} {
		if _, err := ForSuite(s); err == nil {
			t.Errorf("ForSuite(%q) accepted", s)
		}
	}
}

func TestMirrorIn(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"deb822.sources": "Types: deb\n# comment\nURIs: http://mirror.example/debian\nSuites: bookworm\n",
		"oneline.list":   "deb [signed-by=/k.gpg] http://other.example/debian/ bookworm main\n",
		"none.list":      "deb https://packages.example/apt cloud main\n",
	}
	want := map[string]string{
		"deb822.sources": "http://mirror.example/debian",
		"oneline.list":   "http://other.example/debian",
		"none.list":      "",
	}
	for name, content := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := mirrorIn(p); got != want[name] {
			t.Errorf("%s: got %q, want %q", name, got, want[name])
		}
	}
}

func TestInfoFromLabels(t *testing.T) {
	info := InfoFromLabels("t", map[string]string{
		LabelPrefix + "suite":            "bookworm",
		LabelPrefix + "version.glance":   "2:25.1.0-2+deb12u5",
		LabelPrefix + "version.mod_wsgi": "",
		"other":                          "x",
	})
	if info.Suite != "bookworm" || info.Versions["glance"] != "2:25.1.0-2+deb12u5" || len(info.Versions) != 1 {
		t.Fatalf("%+v", info)
	}
	for in, want := range map[string]string{"2:25.1.0-2+deb12u5": "25.1.0", "2.4.62-1~deb12u2": "2.4.62", "2.0.21": "2.0.21"} {
		if got := UpstreamVersion(in); got != want {
			t.Errorf("UpstreamVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
