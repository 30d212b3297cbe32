package pki

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A client that trusts the column's authority reaches a server with the certificate it issued,
// and one that trusts another authority (or the system's) does not.
func TestClientTrustsItsColumnsAuthorityOnly(t *testing.T) {
	ca, err := NewAuthority("bookworm/haproxy-tls")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.Issue("127.0.0.1", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	srv.StartTLS()
	defer srv.Close()

	get := func(cfg *tls.Config) error {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
		resp, err := c.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(ca.ClientConfig()); err != nil {
		t.Fatalf("the column's own authority: %v", err)
	}
	other, _ := NewAuthority("other")
	if err := get(other.ClientConfig()); err == nil {
		t.Fatal("a client trusting another authority accepted the certificate")
	}
	if err := get(nil); err == nil {
		t.Fatal("the system's authorities accepted a per-column certificate")
	}
	if _, port, _ := net.SplitHostPort(srv.Listener.Addr().String()); port == "" {
		t.Fatal("no port")
	}
	if _, _, err := ca.Issue(); err == nil {
		t.Fatal("a certificate for no host was issued")
	}
}
