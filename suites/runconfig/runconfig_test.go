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
		Topologies: []string{"standalone", "mod_wsgi"}, Shard: Shard{Index: 1, Count: 2}, HostLock: "/o/lock"}
	if err := in.Write(path); err != nil {
		t.Fatal(err)
	}
	out, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.Schema != Schema || out.ID != in.ID || len(out.Releases) != 2 || out.Releases[1] != in.Releases[1] ||
		strings.Join(out.Topologies, ",") != "standalone,mod_wsgi" || out.Shard != in.Shard || out.ExistingCloud() {
		t.Errorf("read back %+v, wrote %+v", out, in)
	}
}

func TestReadRefusesWhatTheSuiteCannotRun(t *testing.T) {
	for name, body := range map[string]string{
		"other schema":       `{"schema":"glance-conformance/run/v0","id":"x","deployments":"/d","out":"/o","releases":[{"name":"b","image":"i"}],"shard":{"count":1}}`,
		"no release":         `{"schema":"glance-conformance/run/v1","id":"x","deployments":"/d","out":"/o","shard":{"count":1}}`,
		"relative out":       `{"schema":"glance-conformance/run/v1","id":"x","deployments":"/d","out":"o","releases":[{"name":"b","image":"i"}],"shard":{"count":1}}`,
		"shard out of range": `{"schema":"glance-conformance/run/v1","id":"x","deployments":"/d","out":"/o","releases":[{"name":"b","image":"i"}],"shard":{"index":2,"count":2}}`,
		"cloud without main": `{"schema":"glance-conformance/run/v1","id":"x","out":"/o","shard":{"count":1},"certify":{"accounts":{"member":"m"}}}`,
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
	r := Run{ID: "x", Out: "/o", Shard: Shard{Count: 1}, Certify: &Certify{Accounts: Accounts{Main: "mycloud"}}}
	if err := r.Write(path); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(path); err != nil || !got.ExistingCloud() {
		t.Errorf("%+v, %v", got, err)
	}
}
