package cloud

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
)

const (
	password = "known-password-7d1f"
	token    = "known-token-91ac"
)

// fakeKeystone answers a password sign-in as Keystone v3 does: the token in X-Subject-Token,
// the user, project, roles and catalog in the body.
func fakeKeystone(t *testing.T) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v3/auth/tokens" {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Auth struct {
				Identity struct {
					Password struct {
						User struct{ Password string } `json:"user"`
					} `json:"password"`
				} `json:"identity"`
			} `json:"auth"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if req.Auth.Identity.Password.User.Password != password {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error": {"code": 401, "message": "The request you have made requires authentication."}}`)
			return
		}
		w.Header().Set("X-Subject-Token", token)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"token": {"expires_at": "2099-01-01T00:00:00.000000Z",
			"user": {"id": "u1", "name": "alice", "domain": {"id": "default", "name": "Default"}},
			"project": {"id": "p1", "name": "proj", "domain": {"id": "default", "name": "Default"}},
			"roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}],
			"catalog": [{"type": "image", "name": "glance", "id": "s1", "endpoints": [
				{"id": "e1", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": "http://image.example:9292"}]}]}}`)
	}))
}

func writeClouds(t *testing.T, authURL string) {
	dir := t.TempDir()
	path := filepath.Join(dir, "clouds.yaml")
	entry := func(name, url, pw string) string {
		return fmt.Sprintf("  %s:\n    auth:\n      auth_url: %s\n      username: alice\n      password: %s\n      project_name: proj\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n", name, url, pw)
	}
	doc := "clouds:\n" + entry("good", authURL+"/v3", password) + entry("wrong", authURL+"/v3", password+"-not") +
		entry("down", "http://127.0.0.1:1/v3", password)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OS_CLIENT_CONFIG_FILE", path)
}

func TestOpenSignsInThroughCloudsYAML(t *testing.T) {
	ks := fakeKeystone(t)
	defer ks.Close()
	writeClouds(t, ks.URL)
	a, err := Open(context.Background(), "good")
	if err != nil {
		t.Fatal(err)
	}
	if a.Token != token || a.UserID != "u1" || a.ProjectID != "p1" || !a.HasRole("member") || a.HasRole("admin") {
		t.Errorf("account %+v", a)
	}
	if a.ImageEndpoint != "http://image.example:9292/" {
		t.Errorf("image endpoint %q, want the catalog's public one with a trailing slash", a.ImageEndpoint)
	}
	if s := a.String(); strings.Contains(s, token) || strings.Contains(s, password) {
		t.Errorf("the account's description holds a secret: %s", s)
	}
}

// Every way a sign-in fails is one line naming the cloud, without the password, and quick.
func TestOpenFailsInOneLineWithoutSecrets(t *testing.T) {
	ks := fakeKeystone(t)
	defer ks.Close()
	writeClouds(t, ks.URL)
	for _, name := range []string{"wrong", "down", "absent"} {
		began := time.Now()
		_, err := Open(context.Background(), name)
		if err == nil {
			t.Errorf("%s: signed in", name)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") || !strings.Contains(msg, "cloud "+name) || strings.Contains(msg, password) {
			t.Errorf("%s: error %q: want one line naming the cloud, without the password", name, msg)
		}
		if d := time.Since(began); d > 30*time.Second {
			t.Errorf("%s: took %s to fail", name, d)
		}
	}
}

func TestTheEnvironmentsInterfaceAndCAAreRead(t *testing.T) {
	// A CA of its own, as a cloud with a private CA hands out.
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	t.Setenv("OS_CACERT", ca)
	t.Setenv("OS_INTERFACE", "internalURL")
	eo, tc, err := envEndpointAndTLS()
	if err != nil {
		t.Fatal(err)
	}
	if eo.Availability != gophercloud.AvailabilityInternal {
		t.Errorf("interface %q, want internal", eo.Availability)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}
	if _, err := client.Get(srv.URL); err != nil {
		t.Errorf("the CA from OS_CACERT is not trusted: %v", err)
	}
	t.Setenv("OS_INTERFACE", "sideways")
	if _, _, err := envEndpointAndTLS(); err == nil {
		t.Error("an unknown interface was accepted")
	}
}
