package runconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrittenConfigurationReadsBackTheSame(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	in := Run{ID: "abc123", Deployments: "/d", Out: "/o", Releases: []Release{{"bookworm", "img:1"}, {"trixie", "img:2"}},
		Topologies: []string{"standalone", "mod_wsgi"}, HostLock: "/o/lock", Progress: "/o/progress"}
	if err := in.Write(path); err != nil {
		t.Fatal(err)
	}
	out, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.Schema != Schema || out.ID != in.ID || len(out.Releases) != 2 || out.Releases[1] != in.Releases[1] ||
		strings.Join(out.Topologies, ",") != "standalone,mod_wsgi" || out.Progress != in.Progress || out.ExistingCloud() {
		t.Errorf("read back %+v, wrote %+v", out, in)
	}
}

func TestReadRefusesWhatTheSuiteCannotRun(t *testing.T) {
	for name, body := range map[string]string{
		"other schema":       `{"schema":"glance-conformance/run/v0","id":"x","deployments":"/d","out":"/o","releases":[{"name":"b","image":"i"}]}`,
		"no release":         `{"schema":"glance-conformance/run/v1","id":"x","deployments":"/d","out":"/o"}`,
		"relative out":       `{"schema":"glance-conformance/run/v1","id":"x","deployments":"/d","out":"o","releases":[{"name":"b","image":"i"}]}`,
		"cloud without main": `{"schema":"glance-conformance/run/v1","id":"x","out":"/o","certify":{"accounts":{"member":"m"}}}`,
		"not json":           `schema: v1`,
	} {
		path := filepath.Join(t.TempDir(), FileName)
		os.WriteFile(path, []byte(body), 0o644)
		if _, err := Read(path); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error of several lines: %q", name, err)
		}
	}
	if _, err := Read(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("a missing file accepted")
	}
}

func TestAnExistingCloudNeedsNoRelease(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	r := Run{ID: "x", Out: "/o", Certify: &Certify{Accounts: Accounts{Main: "mycloud"}}}
	if err := r.Write(path); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(path); err != nil || !got.ExistingCloud() {
		t.Errorf("%+v, %v", got, err)
	}
}
