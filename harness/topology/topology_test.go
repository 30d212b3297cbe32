package topology

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The shipped deployments must all load: a broken descriptor fails here, without Docker.
func TestShippedTopologiesLoad(t *testing.T) {
	root := filepath.Join("..", "..", "deployments")
	names, err := Names(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"standalone", "mod_wsgi", "uwsgi-http"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("topology %s missing from %v", want, names)
		}
	}
	all, err := Select(root, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, top := range all {
		if top.Entrypoint().Port == 0 || !strings.HasSuffix(top.EndpointPath, "/") {
			t.Errorf("%s: entrypoint port %d, path %q", top.Name, top.Entrypoint().Port, top.EndpointPath)
		}
		if _, err := os.Stat(filepath.Join(top.Dir, "README.md")); err != nil {
			t.Errorf("%s: every topology folder says where its configuration comes from in a README.md", top.Name)
		}
	}
	if _, err := BaseGlanceConf(root); err != nil {
		t.Fatal(err)
	}
	services, err := LoadServices(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(services.Containers) == 0 || services.Containers[0].Name != "db" {
		t.Fatalf("base services: %+v", services.Containers)
	}
	if files, err := services.Containers[0].ReadFiles(services.Dir); err != nil || len(files) == 0 {
		t.Fatalf("db files: %v %v", files, err)
	}
}

func TestServicesMayNotBeEntrypoints(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, BaseDir), 0o755)
	os.WriteFile(filepath.Join(root, BaseDir, ServicesFile), []byte(`apiVersion: glance-conformance/topology/v1
containers:
  - name: db
    entrypoint: true
    port: 3306
    command: exec db
    ready: {logRegexp: ready}
`), 0o644)
	if _, err := LoadServices(root); err == nil || !strings.Contains(err.Error(), "neither an entrypoint nor Glance") {
		t.Fatalf("got %v", err)
	}
}

func TestSelectUnknownTopologyNamesTheKnownOnes(t *testing.T) {
	root := filepath.Join("..", "..", "deployments")
	_, err := Select(root, "standalone,nginx")
	if err == nil || !strings.Contains(err.Error(), `unknown topology "nginx"`) || !strings.Contains(err.Error(), "standalone") {
		t.Fatalf("got %v", err)
	}
}

func writeTopology(t *testing.T, yaml string, files ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, DescriptorFile), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const valid = `apiVersion: glance-conformance/topology/v1
description: demo
endpointPath: /image
servers: [apache, uwsgi]
containers:
  - name: front
    entrypoint: true
    port: 80
    files: [{source: a.conf, target: /etc/a.conf}]
    command: exec server
    ready: {httpPath: /image/versions}
  - name: app
    glance: true
    command: exec app
    ready: {logRegexp: "spawned"}
`

func TestLoadAppliesDefaults(t *testing.T) {
	top, err := Load(writeTopology(t, valid, "a.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if top.Name != "demo" || top.EndpointPath != "/image/" || top.Entrypoint().Name != "front" {
		t.Fatalf("%+v", top)
	}
	r := top.Containers[0].Ready
	if r.Status != 200 || r.TimeoutSeconds != 300 {
		t.Fatalf("defaults not applied: %+v", r)
	}
}

func TestLoadRejects(t *testing.T) {
	cases := map[string]struct{ yaml, want string }{
		"unknown field":    {strings.Replace(valid, "description:", "descripton:", 1), "field descripton not found"},
		"missing file":     {strings.Replace(valid, "a.conf,", "b.conf,", 1), `file source "b.conf"`},
		"escaping file":    {strings.Replace(valid, "a.conf,", "../a.conf,", 1), "inside the folder"},
		"two entrypoints":  {strings.Replace(valid, "glance: true", "glance: true\n    entrypoint: true\n    port: 1", 1), "exactly one container"},
		"no glance":        {strings.Replace(valid, "glance: true", "glance: false", 1), "no container runs Glance"},
		"no readiness":     {strings.Replace(valid, `ready: {logRegexp: "spawned"}`, "ready: {}", 1), "ready needs"},
		"wrong version":    {strings.Replace(valid, "/v1", "/v9", 1), "apiVersion"},
		"relative target":  {strings.Replace(valid, "/etc/a.conf", "etc/a.conf", 1), "not absolute"},
		"bad regexp":       {strings.Replace(valid, `"spawned"`, `"(("`, 1), "logRegexp"},
		"bad notProvided":  {strings.Replace(valid, "containers:", "notProvided: [{logRegexp: \"((\", why: x}]\ncontainers:", 1), "notProvided[0]"},
		"need without why": {strings.Replace(valid, "containers:", "needs: [{path: /usr/bin/glance-api}]\ncontainers:", 1), "needs[0]"},
		"tls without file": {strings.Replace(valid, "containers:", "tls: {caFile: /etc/ca.pem}\ncontainers:", 1), "certFile (with keyFile) or pemFile"},
		"tls cert alone":   {strings.Replace(valid, "containers:", "tls: {certFile: /etc/c.pem}\ncontainers:", 1), "go together"},
		"tls relative":     {strings.Replace(valid, "containers:", "tls: {pemFile: etc/front.pem}\ncontainers:", 1), "not an absolute path"},
	}
	for name, c := range cases {
		_, err := Load(writeTopology(t, c.yaml, "a.conf"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, c.want)
		}
	}
}

func TestBaseGlanceFilesMirrorTheFolder(t *testing.T) {
	files, err := BaseGlanceFiles(filepath.Join("..", "..", "deployments"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files["/etc/glance/property-protections.conf"]) == 0 {
		t.Fatalf("property protections file not found among %d base files", len(files))
	}
	none, err := BaseGlanceFiles(t.TempDir())
	if err != nil || len(none) != 0 {
		t.Fatalf("a root without base files: %v, %d files", err, len(none))
	}
}

// Every @NAME@ a shipped topology's files use must be defined by every release, or that
// release's containers would receive the placeholder itself.
func TestEveryReleaseDefinesThePlaceholdersTopologiesUse(t *testing.T) {
	root := filepath.Join("..", "..", "deployments")
	rels, err := LoadReleases(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) < 3 {
		t.Fatalf("%d releases, want bookworm, trixie and sid at least", len(rels))
	}
	tops, err := Select(root, "")
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`@([A-Z][A-Z0-9_]*)@`)
	for _, top := range tops {
		for _, c := range top.Containers {
			files, err := c.ReadFiles(top.Dir)
			if err != nil {
				t.Fatal(err)
			}
			for path, b := range files {
				for _, m := range used.FindAllStringSubmatch(string(b), -1) {
					for _, r := range rels {
						if _, ok := r.Placeholders[m[1]]; !ok && m[1] != "PUBLIC_ENDPOINT" && m[1] != "INTERNAL_ENDPOINT" {
							t.Errorf("%s %s uses @%s@, which release %s does not define", top.Name, path, m[1], r.Suite)
						}
					}
				}
			}
		}
	}
	if _, err := SelectReleases(root, "bookworm,potato"); err == nil || !strings.Contains(err.Error(), "known: bookworm") {
		t.Errorf("an unknown release must be refused naming the known ones: %v", err)
	}
}

func TestRefusalFindsTheReleasesOwnMessage(t *testing.T) {
	top := &Topology{NotProvided: []NotProvided{{LogRegexp: "no longer supported", Why: "gone"}}}
	line, why, ok := top.Refusal(map[string]string{"db": "ready\n", "glance": "synced\nERROR: Standalone glance-api is no longer supported. Use WSGI.\n"})
	if !ok || why != "gone" || line != "ERROR: Standalone glance-api is no longer supported. Use WSGI." {
		t.Fatalf("got %q %q %v", line, why, ok)
	}
	if _, _, ok := top.Refusal(map[string]string{"glance": "Traceback: ImportError\n"}); ok {
		t.Fatal("an unrelated start-up failure must stay an error")
	}
}
