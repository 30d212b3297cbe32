package engine

import (
	"errors"
	"net"
	"testing"
)

func TestPublishAddressFollowsTheEngine(t *testing.T) {
	lookup := func(h string) ([]net.IP, error) {
		switch h {
		case "builder.example":
			return []net.IP{net.ParseIP("2001:db8::5"), net.ParseIP("192.0.2.7")}, nil
		case "self.example":
			return []net.IP{net.ParseIP("127.0.1.1")}, nil
		}
		return nil, errors.New("no such host")
	}
	cases := []struct {
		daemon, bind, host string
		local              bool
	}{
		{"unix:///var/run/docker.sock", "127.0.0.1", "127.0.0.1", true},
		{"tcp://127.0.0.1:2375", "127.0.0.1", "127.0.0.1", true},
		{"tcp://localhost:2375", "127.0.0.1", "127.0.0.1", true},
		{"tcp://0.0.0.0:2375", "127.0.0.1", "127.0.0.1", true},
		{"tcp://192.0.2.10:2376", "0.0.0.0", "192.0.2.10", false},
		{"tcp://builder.example:2376", "0.0.0.0", "builder.example", false},
		{"tcp://self.example:2376", "127.0.0.1", "127.0.0.1", true},
		{"tcp://[2001:db8::9]:2375", "::", "2001:db8::9", false},
	}
	for _, c := range cases {
		p, err := publishAddress(c.daemon, lookup)
		if err != nil || p.BindIP.String() != c.bind || p.Host != c.host || p.Local != c.local {
			t.Errorf("%s: %+v %v; want bind %s, host %s, local %v", c.daemon, p, err, c.bind, c.host, c.local)
		}
	}
	if p, _ := publishAddress("tcp://[2001:db8::9]:2375", lookup); p.URLHost(8080) != "[2001:db8::9]:8080" {
		t.Errorf("URL host %s", p.URLHost(8080))
	}
	for _, bad := range []string{"tcp://nowhere.example:2375", "fd://3", "ssh://ci@builder.example"} {
		if _, err := publishAddress(bad, lookup); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
