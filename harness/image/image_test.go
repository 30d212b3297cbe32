package image

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTagChangesWithSuiteAndIsStable(t *testing.T) {
	a, err := ForRelease("bookworm", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ForRelease("bookworm", nil)
	c, _ := ForRelease("trixie", nil)
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
	a, _ := ForRelease("bookworm", nil)
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

func TestTagChangesWithAptSourcesAndArchive(t *testing.T) {
	plain, _ := ForRelease("bookworm", nil)
	withSecurity, err := ForRelease("bookworm", []string{"deb MIRROR bookworm main", "deb SECURITY bookworm-security main"})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Tag() == withSecurity.Tag() {
		t.Fatal("adding the security archive kept the tag")
	}
	today := withSecurity
	today.Archive = Archive{Key: "0a1b2c3d"}
	tomorrow := withSecurity
	tomorrow.Archive = Archive{Key: "4e5f6a7b"}
	if today.Tag() == tomorrow.Tag() || !strings.HasSuffix(today.Tag(), "-0a1b2c3d") {
		t.Fatalf("archive state not in the tag: %s %s", today.Tag(), tomorrow.Tag())
	}
}

func TestForReleaseRejectsBadInput(t *testing.T) {
	for _, s := range []string{"", "book worm", "a/b"} {
		if _, err := ForRelease(s, nil); err == nil {
			t.Errorf("ForRelease(%q) accepted", s)
		}
	}
	for _, l := range []string{"deb MIRROR bookworm", "deb-src MIRROR bookworm main", "deb mirror.example bookworm main"} {
		if _, err := ForRelease("bookworm", []string{l}); err == nil {
			t.Errorf("apt source %q accepted", l)
		}
	}
}

func TestParseSourcePutsInTheMirrors(t *testing.T) {
	m := Mirrors{Main: "http://mirror.example/debian/", Security: "http://sec.example/debian-security"}
	for line, want := range map[string]string{
		"deb MIRROR bookworm-updates main":            "deb http://mirror.example/debian bookworm-updates main",
		"deb SECURITY bookworm-security main contrib": "deb http://sec.example/debian-security bookworm-security main contrib",
		"deb http://other.example/x sid main":         "deb http://other.example/x sid main",
	} {
		src, err := parseSource(line, m)
		if err != nil || src.line() != want {
			t.Errorf("%q: got %q, %v; want %q", line, src.line(), err, want)
		}
	}
}

func TestReleaseFileGivesDateAndPackageIndexSums(t *testing.T) {
	inRelease := "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nOrigin: Debian\nCodename: bookworm\n" +
		"Date: Sat, 11 Jul 2026 10:16:37 UTC\nAcquire-By-Hash: yes\nMD5Sum:\n aa11 12 main/binary-amd64/Packages\n" +
		"SHA256:\n bb22 12 main/binary-amd64/Packages\n cc33 5 main/binary-amd64/Packages.xz\n" +
		"-----BEGIN PGP SIGNATURE-----\n dd44 1 main/binary-amd64/Packages\n"
	rel, err := parseRelease(bufio.NewScanner(strings.NewReader(inRelease)))
	if err != nil || rel.date != "2026-07-11T10:16:37Z" {
		t.Fatalf("date %q, %v", rel.date, err)
	}
	if got := rel.sha256["main/binary-amd64/Packages"]; got != "bb22" {
		t.Fatalf("the Packages index's SHA256 is %q, want bb22 (not the MD5 section's, not the signature's)", got)
	}
	if _, err := parseRelease(bufio.NewScanner(strings.NewReader("Origin: Debian\nSHA256:\n bb22 1 x\n"))); err == nil {
		t.Fatal("a Release file without a Date was read")
	}
}

func TestRegistryRef(t *testing.T) {
	if got := RegistryRef("127.0.0.1:5000/ci/", "glance-conformance/glance:sid-abc"); got != "127.0.0.1:5000/ci/glance-conformance/glance:sid-abc" {
		t.Fatal(got)
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
		if got := mirrorIn(p, "/debian"); got != want[name] {
			t.Errorf("%s: got %q, want %q", name, got, want[name])
		}
	}
}

func TestInfoFromLabels(t *testing.T) {
	info := InfoFromLabels("t", map[string]string{
		LabelPrefix + "suite":                     "bookworm",
		LabelPrefix + "version.glance":            "2:25.1.0-2+deb12u5",
		LabelPrefix + "version.mod_wsgi":          "",
		LabelPrefix + "archive.bookworm-security": "2026-11-28T10:00:00Z",
		"other": "x",
	})
	if info.Suite != "bookworm" || info.Versions["glance"] != "2:25.1.0-2+deb12u5" || len(info.Versions) != 1 ||
		info.Archive["bookworm-security"] != "2026-11-28T10:00:00Z" {
		t.Fatalf("%+v", info)
	}
	for in, want := range map[string]string{"2:25.1.0-2+deb12u5": "25.1.0", "2.4.62-1~deb12u2": "2.4.62", "2.0.21": "2.0.21"} {
		if got := UpstreamVersion(in); got != want {
			t.Errorf("UpstreamVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
