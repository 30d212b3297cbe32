// Package deploy starts a topology as containers on a private network and gives back what the
// specs need: the endpoint, each container's logs, and a way to stop it all. Nothing here names a
// topology; everything comes from the descriptor.
package deploy

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
	tcnetwork "github.com/testcontainers/testcontainers-go/network"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/pki"
	"github.com/glance-conformance/glance-conformance/harness/topology"
)

// Deployment is a running Glance the specs talk to. Containers started by the harness are one
// kind; an existing cloud is another. The specs never know which.
type Deployment interface {
	// Endpoint is the image service's base URL, ending in "/" (the path prefix included).
	Endpoint() string
	// PeerEndpoint is a second Glance node's own endpoint (same database, same stores), ending
	// in "/"; "" when the deployment offers none.
	PeerEndpoint() string
	// LogsSince returns each component's log output since t, by component name.
	LogsSince(ctx context.Context, t time.Time) map[string]string
	// Exec runs a command in a named component and returns its exit code and output.
	Exec(ctx context.Context, component string, cmd ...string) (int, string, error)
	// GlanceComponents names the components that run Glance (and hold its data directories).
	GlanceComponents() []string
	// SaveLogs writes each component's log into dir; Stop ends what the harness started.
	SaveLogs(ctx context.Context, dir string) error
	Stop(ctx context.Context) error
	// Restart restarts the servers of the topology (not the services it uses: the database
	// keeps its data) and waits until they are ready again; ErrCannotRestart when the harness
	// did not start them.
	Restart(ctx context.Context) error
}

// ErrCannotRestart is Restart's answer for a deployment the harness did not start.
var ErrCannotRestart = errors.New("the harness did not start this deployment and cannot restart it")

// Extra is a container that is not part of the topology but that the specs need on the same
// network, such as the web-download source. Files maps container paths to contents.
type Extra struct {
	Container topology.Container
	Files     map[string][]byte
}

// Options say what to start besides the topology itself.
type Options struct {
	ColumnID string // e.g. "bookworm/standalone"
	RunID    string
	Image    string // image reference every container runs
	// Images overrides Image by container name: a container with packages of its own runs
	// the image extended with them (see image.Extend).
	Images map[string]string
	// GlanceFiles are copied into every container that runs Glance (path -> content).
	GlanceFiles map[string][]byte
	// Placeholders are replaced as @NAME@ in every container's files (the release's, see
	// topology.Release), besides @PUBLIC_ENDPOINT@.
	Placeholders map[string]string
	Extras       []Extra
	// Join are networks of another deployment that the column's Glance containers join, from
	// their creation, besides the column's own: the run's shared Keystone's, where it answers as
	// "keystone". The other deployment's containers never change networks: Docker re-programs a
	// container's published ports when it joins or leaves one, and refuses connections to them
	// meanwhile (11 of 400 requests, measured, while a network came and went four times), which
	// broke Tempest's sign-ins to Keystone while a column started or stopped beside it.
	Join []string
	// Secrets are blotted out (Redacted) of every log this Column returns or saves.
	Secrets []string
	// Progress, if set, receives one line per step.
	Progress func(format string, args ...any)
}

// Column is one started topology: its network and containers.
type Column struct {
	ID        string
	Topology  *topology.Topology
	endpoint  string
	network   *testcontainers.DockerNetwork
	mu        sync.Mutex
	started   []*started
	eng       *engine.Engine
	StartedIn time.Duration
	// Published maps each published container's name to its URL (on 127.0.0.1 on a local engine).
	Published map[string]string
	secrets   []string
	publish   engine.PublishAddress
	internal  string // the endpoint as the column's own containers reach it (no trailing slash)
	// authority signs the entrypoint's certificate when the topology speaks HTTPS (nil: HTTP).
	authority *pki.Authority
}

// Redacted replaces a secret wherever the harness writes what could hold one.
const Redacted = "<redacted>"

type started struct {
	name string
	c    *testcontainers.DockerContainer
}

// Start starts the extras and then the topology's containers in order, each ready before the
// next. It always returns the Column, also on error, so the caller can save logs and Stop it.
func Start(ctx context.Context, eng *engine.Engine, top *topology.Topology, opts Options) (*Column, error) {
	began := time.Now()
	col := &Column{ID: opts.ColumnID, Topology: top, eng: eng, Published: map[string]string{}, secrets: opts.Secrets}
	progress := opts.Progress
	if progress == nil {
		progress = func(string, ...any) {}
	}
	labels := map[string]string{
		engine.ProjectLabel:               "true",
		engine.RunLabel:                   opts.RunID,
		"org.glance-conformance.column":   opts.ColumnID,
		"org.glance-conformance.topology": top.Name,
	}
	// The endpoint is known before anything starts, so config files can name it: the address
	// the engine publishes on, and a port free there.
	pub, err := eng.PublishAddress()
	if err != nil {
		return col, err
	}
	col.publish = pub
	hostPort, err := freePort(pub)
	if err != nil {
		return col, err
	}
	scheme := "http"
	if top.TLS != nil {
		scheme = "https"
		if col.authority, err = pki.NewAuthority(opts.ColumnID); err != nil {
			return col, err
		}
	}
	col.endpoint = (&url.URL{Scheme: scheme, Host: pub.URLHost(hostPort), Path: top.EndpointPath}).String()
	hostPorts := map[string]int{top.Entrypoint().Name: hostPort}
	for _, c := range top.Containers {
		if c.Publish {
			p, err := freePort(pub)
			if err != nil {
				return col, err
			}
			hostPorts[c.Name] = p
			col.Published[c.Name] = "http://" + pub.URLHost(p)
		}
	}
	colNet, err := tcnetwork.New(ctx, tcnetwork.WithLabels(labels))
	if err != nil {
		return col, fmt.Errorf("creating the column's network: %w", err)
	}
	col.network = colNet
	type unit struct {
		spec  topology.Container
		files map[string][]byte
	}
	var units []unit
	for _, x := range opts.Extras {
		units = append(units, unit{x.Container, x.Files})
	}
	entry := top.Entrypoint()
	for _, c := range top.Containers {
		files, err := c.ReadFiles(top.Dir)
		if err != nil {
			return col, err
		}
		if c.Glance {
			for p, b := range opts.GlanceFiles {
				files[p] = b
			}
		}
		if col.authority != nil {
			if err := col.addTLSFiles(files, c.Name == entry.Name, pub.Host, entry.Name); err != nil {
				return col, err
			}
		}
		units = append(units, unit{c, files})
	}
	publicEndpoint := strings.TrimSuffix(col.endpoint, "/")
	col.internal = strings.TrimSuffix((&url.URL{Scheme: scheme, Host: fmt.Sprintf("%s:%d", entry.Name, entry.Port), Path: top.EndpointPath}).String(), "/")
	for _, u := range units {
		for path, b := range u.files {
			b = bytes.ReplaceAll(b, []byte(PublicEndpointPlaceholder), []byte(publicEndpoint))
			b = bytes.ReplaceAll(b, []byte(InternalEndpointPlaceholder), []byte(col.internal))
			b = bytes.ReplaceAll(b, []byte(ContainerPlaceholder), []byte(u.spec.Name))
			for name, u := range col.Published {
				b = bytes.ReplaceAll(b, []byte("@PUBLISHED_"+name+"@"), []byte(u))
			}
			for name, v := range opts.Placeholders {
				b = bytes.ReplaceAll(b, []byte("@"+name+"@"), []byte(v))
			}
			u.files[path] = b
		}
	}
	seen := map[string]bool{}
	for _, u := range units {
		if seen[u.spec.Name] {
			return col, fmt.Errorf("two containers named %q in the column (a topology container may not reuse a service's name)", u.spec.Name)
		}
		seen[u.spec.Name] = true
	}
	for _, u := range units {
		progress("%s: starting %s", opts.ColumnID, u.spec.Name)
		s, err := col.startContainer(ctx, opts, labels, u.spec, u.files, hostPorts[u.spec.Name])
		if s != nil {
			col.mu.Lock()
			col.started = append(col.started, s)
			col.mu.Unlock()
		}
		if err != nil {
			return col, fmt.Errorf("container %s: %w", u.spec.Name, err)
		}
	}
	col.StartedIn = time.Since(began)
	progress("%s: ready at %s in %s", opts.ColumnID, col.endpoint, col.StartedIn.Round(100*time.Millisecond))
	return col, nil
}

// GlanceDataDir holds Glance's stores, staging and tasks directories in every container that runs
// Glance; it is a volume of its own.
const GlanceDataDir = "/var/lib/glance"

// PublicEndpointPlaceholder, in a container's files, is replaced by the endpoint URL clients
// use, without its trailing slash.
const PublicEndpointPlaceholder = "@PUBLIC_ENDPOINT@"

// InternalEndpointPlaceholder is replaced by the endpoint as the column's own containers reach
// it (http://<entrypoint container>:<port><endpointPath>, no trailing slash): what Glance's
// worker_self_reference_url must name.
const InternalEndpointPlaceholder = "@INTERNAL_ENDPOINT@"

// ContainerPlaceholder, in a container's files (the shared glance-api.conf included), is replaced
// by that container's name: what keeps per-node settings apart when one configuration serves two
// Glance nodes (worker_self_reference_url, the staging and cache directories).
const ContainerPlaceholder = "@CONTAINER@"

// freePort picks the host port a container is published on. On a local engine the kernel
// names a free one on 127.0.0.1; a remote engine's host cannot be asked from here, so a port is
// drawn from the range below, which ephemeral ports (32768 and up on Linux) do not use. Another
// process could take it before the container binds it; then the start fails with a clear error
// ("port is already allocated"), never silently.
func freePort(pub engine.PublishAddress) (int, error) {
	if pub.Local {
		return freeLoopbackPort()
	}
	return remotePortLow + rand.IntN(remotePortHigh-remotePortLow), nil
}

const remotePortLow, remotePortHigh = 20000, 32000

// freeLoopbackPort asks the kernel for a free port on 127.0.0.1.
func freeLoopbackPort() (int, error) {
	l, err := net.Listen("tcp", loopback.String()+":0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port on %s: %w", loopback, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (col *Column) startContainer(ctx context.Context, opts Options, labels map[string]string, spec topology.Container, files map[string][]byte, hostPort int) (*started, error) {
	img := opts.Image
	if x, ok := opts.Images[spec.Name]; ok {
		img = x
	} else if len(spec.Packages) > 0 {
		return nil, fmt.Errorf("needs packages %v, but no extended image was given for it", spec.Packages)
	}
	req := testcontainers.ContainerRequest{
		Image:          img,
		Name:           containerName(opts.RunID, opts.ColumnID, spec.Name),
		Entrypoint:     []string{"/bin/sh", "-ec", spec.Command},
		Labels:         labels,
		Networks:       networksOf(spec, col.network.Name, opts.Join),
		NetworkAliases: map[string][]string{col.network.Name: {spec.Name}},
	}
	if len(req.Networks) == 1 {
		// Docker makes a container's hostname a DNS name on every network it is on. On the
		// column's own network that is its name anyway; a container that also joins a network
		// other columns' containers join (Options.Join) keeps Docker's default hostname, or every
		// column's "glance" would answer to that name there: a second node once proxied an
		// import to another column's Glance.
		req.ConfigModifier = func(cfg *container.Config) { cfg.Hostname = spec.Name }
	}
	var port network.Port
	publish := spec.Entrypoint || spec.Publish
	if publish {
		// Published where the engine publishes (engine.PublishAddress): loopback only on a local
		// engine, so nothing of a test run is reachable from outside the machine.
		port = network.MustParsePort(fmt.Sprintf("%d/tcp", spec.Port))
		req.ExposedPorts = []string{port.String()}
	}
	req.HostConfigModifier = func(hc *container.HostConfig) {
		if publish {
			hc.PortBindings = network.PortMap{port: {{HostIP: col.publish.BindIP, HostPort: fmt.Sprint(hostPort)}}}
		}
		if spec.GlanceDataFrom != "" {
			// A second node shares the first's volume (its stores), as nodes on shared storage do.
			hc.VolumesFrom = append(hc.VolumesFrom, containerName(opts.RunID, opts.ColumnID, spec.GlanceDataFrom))
		} else if spec.Glance {
			// Glance's stores and staging area on a volume, as on a real server, not on the
			// container's copy-on-write layer (which would measure the storage driver).
			// Anonymous: Docker fills it from the image and removes it with the container.
			hc.Mounts = append(hc.Mounts, mount.Mount{Type: mount.TypeVolume, Target: GlanceDataDir})
		}
	}
	for path, content := range files {
		req.Files = append(req.Files, testcontainers.ContainerFile{
			Reader: strings.NewReader(string(content)), ContainerFilePath: path, FileMode: 0o644,
		})
	}
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{ContainerRequest: req, Started: true})
	var s *started
	if dc, ok := c.(*testcontainers.DockerContainer); ok && dc != nil {
		s = &started{name: spec.Name, c: dc}
	}
	if err != nil {
		return s, err
	}
	return s, col.waitReady(ctx, s.c, spec, col.speaksTLS(spec))
}

// networksOf lists the networks a container is created on: the column's, and for a Glance
// container the other deployments' it must reach (Options.Join).
func networksOf(spec topology.Container, own string, join []string) []string {
	if !spec.Glance {
		return []string{own}
	}
	return append([]string{own}, join...)
}

// addTLSFiles writes the column's authority (where the topology names a file for it) into a
// container's files, and into the entrypoint's its server certificate, issued for the names
// clients use: the published host, loopback, and the container's own name on the network.
func (col *Column) addTLSFiles(files map[string][]byte, entrypoint bool, publishedHost, name string) error {
	t := col.Topology.TLS
	if t.CAFile != "" {
		files[t.CAFile] = col.authority.CertPEM
	}
	if !entrypoint {
		return nil
	}
	certPEM, keyPEM, err := col.authority.Issue(publishedHost, "127.0.0.1", "localhost", name)
	if err != nil {
		return err
	}
	if t.CertFile != "" {
		files[t.CertFile], files[t.KeyFile] = certPEM, keyPEM
	}
	if t.PEMFile != "" {
		files[t.PEMFile] = append(append([]byte{}, certPEM...), keyPEM...)
	}
	return nil
}

// speaksTLS tells whether a container's readiness is asked over HTTPS: the entrypoint of a
// topology with TLS.
func (col *Column) speaksTLS(spec topology.Container) bool {
	return col.authority != nil && spec.Entrypoint
}

// AuthorityPEM is the certificate of the column's authority, for clients outside this process
// (Tempest); nil over HTTP.
func (col *Column) AuthorityPEM() []byte {
	if col.authority == nil {
		return nil
	}
	return col.authority.CertPEM
}

// TLSConfig is what a client of the column trusts: its own authority only; nil over HTTP.
func (col *Column) TLSConfig() *tls.Config {
	if col.authority == nil {
		return nil
	}
	return col.authority.ClientConfig()
}

// waitReady polls the container's readiness from inside it (so back-end containers with no
// published port are checked the same way), and gives up at once if the container exits.
func (col *Column) waitReady(ctx context.Context, c *testcontainers.DockerContainer, spec topology.Container, https bool) error {
	scheme := "http"
	if https {
		// Asked from inside the container, where the certificate's names need not resolve.
		scheme = "https"
	}
	deadline := time.Now().Add(time.Duration(spec.Ready.TimeoutSeconds) * time.Second)
	var logRE *regexp.Regexp
	if spec.Ready.LogRegexp != "" {
		logRE = regexp.MustCompile(spec.Ready.LogRegexp)
	}
	last := "not checked yet"
	for {
		state, err := c.State(ctx)
		if err != nil {
			return err
		}
		if !state.Running {
			return fmt.Errorf("exited with status %d before it was ready%s", state.ExitCode, col.lastLogLines(ctx, c, 3))
		}
		ok := true
		if spec.Ready.HTTPPath != "" {
			code, out, err := c.Exec(ctx, []string{"curl", "-s", "--insecure", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
				fmt.Sprintf("%s://127.0.0.1:%d%s", scheme, spec.Port, spec.Ready.HTTPPath)}, tcexec.Multiplexed())
			status := ""
			if err == nil && code == 0 && out != nil {
				b := make([]byte, 16)
				n, _ := out.Read(b)
				status = strings.TrimSpace(string(b[:n]))
			}
			ok = status == fmt.Sprint(spec.Ready.Status) || spec.Ready.AnyStatus && status != "" && status != "000"
			last = fmt.Sprintf("GET %s answered %q, want %d", spec.Ready.HTTPPath, status, spec.Ready.Status)
		}
		if ok && logRE != nil {
			logs, err := c.Logs(ctx)
			if err == nil {
				b, _ := readAll(logs)
				ok = logRE.Match(b)
			}
			if !ok {
				last = fmt.Sprintf("no log line matches %q", spec.Ready.LogRegexp)
			}
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %ds: %s", spec.Ready.TimeoutSeconds, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// redact blots the column's secrets out of what the harness is about to write.
func (col *Column) redact(s string) string {
	for _, secret := range col.secrets {
		s = strings.ReplaceAll(s, secret, Redacted)
	}
	return s
}

// lastLogLines is the end of a container's log, for an error saying why it stopped.
func (col *Column) lastLogLines(ctx context.Context, c *testcontainers.DockerContainer, n int) string {
	logs, err := c.Logs(ctx)
	if err != nil {
		return ""
	}
	b, _ := readAll(logs)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 0 || lines[0] == "" {
		return ""
	}
	return "; its log ends: " + col.redact(strings.Join(lines, " | "))
}

// Endpoint implements Deployment.
func (col *Column) Endpoint() string { return col.endpoint }

// InternalEndpoint is the endpoint as the column's own containers reach it (Glance reaching
// itself: glance-download through a catalog's internal interface), ending in "/".
func (col *Column) InternalEndpoint() string { return col.internal + "/" }

// PeerEndpoint is the second Glance node's own endpoint, ending in "/" (the topology's Peer), or
// "" when the deployment has one node.
func (col *Column) PeerEndpoint() string {
	peer := col.Topology.Peer()
	if peer == nil || col.Published[peer.Name] == "" {
		return ""
	}
	return col.Published[peer.Name] + col.Topology.EndpointPath
}

// ContainerID returns the ID of the column's container with that name ("" when none started).
func (col *Column) ContainerID(name string) string {
	for _, s := range col.containers() {
		if s.name == name {
			return s.c.GetContainerID()
		}
	}
	return ""
}

// AddressOf is the address of the column's container with that name on the column's network,
// which the host can reach too (the network is a plain bridge): a program on the host's network
// that must use a name only the column's DNS knows (Tempest fetching the web source) gets it as
// an extra host.
func (col *Column) AddressOf(ctx context.Context, name string) (string, error) {
	network := col.NetworkName()
	for _, s := range col.containers() {
		if s.name != name {
			continue
		}
		ins, err := s.c.Inspect(ctx)
		if err != nil {
			return "", err
		}
		if ep, ok := ins.NetworkSettings.Networks[network]; ok && ep.IPAddress.IsValid() {
			return ep.IPAddress.String(), nil
		}
		return "", fmt.Errorf("%s has no address on the column's network %s", name, network)
	}
	return "", fmt.Errorf("no container %q in column %s", name, col.ID)
}

// NetworkName is the column's own network (another column's Glance containers may join it:
// Options.Join); "" once stopped.
func (col *Column) NetworkName() string {
	col.mu.Lock()
	defer col.mu.Unlock()
	if col.network == nil {
		return ""
	}
	return col.network.Name
}

// LogsSince implements Deployment.
func (col *Column) LogsSince(ctx context.Context, t time.Time) map[string]string {
	out := map[string]string{}
	for _, s := range col.containers() {
		logs, err := col.eng.Logs(ctx, s.c.GetContainerID(), t)
		if err != nil {
			logs += fmt.Sprintf("\n[harness: reading logs failed: %v]", err)
		}
		logs = col.redact(logs)
		out[s.name] = logs
	}
	return out
}

// Exec implements Deployment.
func (col *Column) Exec(ctx context.Context, component string, cmd ...string) (int, string, error) {
	for _, s := range col.containers() {
		if s.name == component {
			code, r, err := s.c.Exec(ctx, cmd, tcexec.Multiplexed())
			if err != nil {
				return code, "", err
			}
			b, _ := readAll(r)
			return code, string(b), nil
		}
	}
	return -1, "", fmt.Errorf("no component %q in column %s", component, col.ID)
}

// GlanceComponents implements Deployment.
func (col *Column) GlanceComponents() []string {
	var names []string
	for _, c := range col.Topology.Containers {
		if c.Glance {
			names = append(names, c.Name)
		}
	}
	return names
}

// SaveLogs writes each container's whole log to dir/<name>.log.
func (col *Column) SaveLogs(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var errs []error
	for name, logs := range col.LogsSince(ctx, time.Time{}) {
		errs = append(errs, os.WriteFile(filepath.Join(dir, name+".log"), []byte(logs), 0o644))
	}
	return errors.Join(errs...)
}

// Restart restarts the topology's containers in their order, each ready before the next, as
// Start started them (a proxy re-resolves the server behind it).
func (col *Column) Restart(ctx context.Context) error {
	byName := map[string]*started{}
	for _, s := range col.containers() {
		byName[s.name] = s
	}
	for _, spec := range col.Topology.Containers {
		s, ok := byName[spec.Name]
		if !ok {
			return fmt.Errorf("container %s was never started", spec.Name)
		}
		if err := col.eng.Restart(ctx, s.c.GetContainerID(), 5*time.Second); err != nil {
			return fmt.Errorf("restarting %s: %w", spec.Name, err)
		}
		if err := col.waitReady(ctx, s.c, spec, col.speaksTLS(spec)); err != nil {
			return fmt.Errorf("container %s after a restart: %w", spec.Name, err)
		}
	}
	return nil
}

// Freeze pauses the topology's containers, so that they accept connections and answer
// nothing: the harness's self-test of what it does when a server stops answering.
func (col *Column) Freeze(ctx context.Context) error {
	names := map[string]bool{}
	for _, spec := range col.Topology.Containers {
		names[spec.Name] = true
	}
	for _, s := range col.containers() {
		if !names[s.name] {
			continue
		}
		// runc gives up on a freeze whose processes do not all stop in time ("unable to
		// freeze"), which happens when two columns freeze at once on a busy host: try again.
		var err error
		for try := 0; try < 3; try++ {
			if err = col.eng.Pause(ctx, s.c.GetContainerID()); err == nil || !strings.Contains(err.Error(), "unable to freeze") {
				break
			}
			time.Sleep(time.Second)
		}
		if err != nil {
			return fmt.Errorf("pausing %s: %w", s.name, err)
		}
	}
	return nil
}

// Stop removes the column's containers and network. It is safe to call on a column that
// failed to start, and more than once.
func (col *Column) Stop(ctx context.Context) error {
	var errs []error
	started := col.containers()
	// Last started first: a container that mounts another's volume (glanceDataFrom) goes before
	// the volume's owner, whose removal then removes the volume too.
	for i := len(started) - 1; i >= 0; i-- {
		// The logs are saved by now; a server that ignores SIGTERM as PID 1 need not be waited for.
		errs = append(errs, started[i].c.Terminate(ctx, testcontainers.StopTimeout(2*time.Second)))
	}
	col.mu.Lock()
	col.started = nil
	net := col.network
	col.network = nil
	col.mu.Unlock()
	if net != nil {
		errs = append(errs, net.Remove(ctx))
	}
	return errors.Join(errs...)
}

func (col *Column) containers() []*started {
	col.mu.Lock()
	defer col.mu.Unlock()
	return append([]*started(nil), col.started...)
}

var loopback = netip.MustParseAddr("127.0.0.1")

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

func containerName(runID, column, name string) string {
	return unsafeName.ReplaceAllString(fmt.Sprintf("gc-%s-%s-%s", runID, column, name), "-")
}
