package engine

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// Published ports are where clients reach a column, so they depend on where the engine runs.
// A local engine (a unix socket, or TCP on this machine) publishes on 127.0.0.1 only: nothing
// of a test run is reachable from outside the machine. A remote engine (DOCKER_HOST=tcp://host:port)
// publishes on all of that host's interfaces (the address this machine knows it by may be a
// NAT's, not the host's own) and clients here name it as DOCKER_HOST does; its columns are then
// reachable by anyone who can reach that host (the README says so).

// PublishAddress is where the engine's published ports are bound and how clients name them.
type PublishAddress struct {
	BindIP netip.Addr // the host interface the ports are bound to (unspecified: all of them)
	Host   string     // the host part of the endpoints clients use
	Local  bool       // the engine runs on this machine
}

// PublishAddress returns where this engine publishes ports.
func (e *Engine) PublishAddress() (PublishAddress, error) {
	return publishAddress(e.cli.DaemonHost(), net.LookupIP)
}

var loopback = netip.MustParseAddr("127.0.0.1")

// publishAddress derives the publish address from the engine's address (client.DaemonHost's
// form: unix:///var/run/docker.sock, tcp://10.0.0.5:2376, ssh://ci@builder). lookup resolves a
// host name (net.LookupIP; tests give their own).
func publishAddress(daemonHost string, lookup func(string) ([]net.IP, error)) (PublishAddress, error) {
	local := PublishAddress{BindIP: loopback, Host: loopback.String(), Local: true}
	u, err := url.Parse(daemonHost)
	if err != nil {
		return PublishAddress{}, fmt.Errorf("the Docker engine's address %q: %v", daemonHost, err)
	}
	switch u.Scheme {
	case "", "unix", "npipe":
		return local, nil
	case "tcp", "http", "https":
	default:
		return PublishAddress{}, fmt.Errorf("the Docker engine's address %q: unknown scheme %q", daemonHost, u.Scheme)
	}
	host := u.Hostname()
	if host == "" || strings.EqualFold(host, "localhost") {
		return local, nil
	}
	remote := func(a netip.Addr) PublishAddress {
		if a.Is4() {
			return PublishAddress{BindIP: netip.IPv4Unspecified(), Host: host}
		}
		return PublishAddress{BindIP: netip.IPv6Unspecified(), Host: host}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.IsLoopback() || ip.IsUnspecified() {
			return local, nil
		}
		return remote(ip.Unmap()), nil
	}
	ips, err := lookup(host)
	if err != nil || len(ips) == 0 {
		return PublishAddress{}, fmt.Errorf("the Docker engine's host %q does not resolve here (%v): its published ports could not be reached", host, err)
	}
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip); ok && a.Unmap().Is4() {
			if a.Unmap().IsLoopback() {
				return local, nil
			}
			return remote(a.Unmap()), nil
		}
	}
	a, _ := netip.AddrFromSlice(ips[0])
	if a.IsLoopback() {
		return local, nil
	}
	return remote(a), nil
}

// URLHost is host:port for an endpoint URL (an IPv6 literal in brackets).
func (p PublishAddress) URLHost(port int) string { return net.JoinHostPort(p.Host, fmt.Sprint(port)) }
