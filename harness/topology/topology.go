// Package topology reads the deployment descriptors under deployments/. Each topology is a
// folder holding a topology.yaml and the config files it names; the folder "base" holds what
// every topology shares. Adding a topology means adding a folder: nothing here names one.
package topology

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// APIVersion is the descriptor format this package reads.
const APIVersion = "glance-conformance/topology/v1"

// DescriptorFile is the descriptor's file name inside a topology folder.
const DescriptorFile = "topology.yaml"

// BaseDir is the folder (under the deployments root) with the shared glance-api.conf.
const BaseDir = "base"

// Topology is one way of deploying Glance: the containers to start and how to reach Glance.
type Topology struct {
	// APIVersion must equal APIVersion.
	APIVersion string `yaml:"apiVersion"`
	// Description says in one line what this topology is.
	Description string `yaml:"description"`
	// EndpointPath is the path prefix Glance is served under ("/" unless a proxy mounts it
	// elsewhere, as devstack does with "/image").
	EndpointPath string `yaml:"endpointPath"`
	// Servers names the server software this topology runs, as the image labels name it
	// (apache, mod_wsgi, uwsgi, eventlet); the matrix's column metadata gives their versions.
	Servers []string `yaml:"servers"`
	// Containers are started in this order; each waits until ready before the next starts.
	// Their files may contain @PUBLIC_ENDPOINT@, replaced by the endpoint URL clients use
	// (http://127.0.0.1:<port><endpointPath>, no trailing slash), as Glance's public_endpoint
	// must be under a path prefix.
	Containers []Container `yaml:"containers"`
	// Needs are files a release's image must have for the topology to exist in that release
	// (the eventlet server's glance-api, say). A release without one gets n/a cells, with Why.
	Needs []Need `yaml:"needs"`
	// NotProvided recognises a release whose Glance refuses this topology at start-up (the
	// eventlet server still installed but disabled, say): when the column fails to start and a
	// container's log matches LogRegexp, its cells are n/a with Why and that line, not errors.
	NotProvided []NotProvided `yaml:"notProvided"`
	// Matrix, when false, keeps the topology out of the matrix: it is a deployment for another
	// purpose (the keystone certification target), started only when named.
	Matrix *bool `yaml:"matrix"`
	// Identity "keystone" makes the topology authenticate through the run's shared Keystone
	// (base/identity.yaml) whatever the run's identity: a deployment that exists to be signed
	// in to, as the keystone certification target. "" follows the run (trusted headers unless
	// IDENTITY=keystone).
	Identity string `yaml:"identity"`
	// TLS, when set, makes the entrypoint speak HTTPS: a certificate authority and a server
	// certificate are made for each column, written where TLS names them in the entrypoint
	// container, and clients trust that authority only.
	TLS *TLS `yaml:"tls"`

	// Name is the folder's name; Dir its path. Neither is read from the YAML.
	Name string `yaml:"-"`
	Dir  string `yaml:"-"`
}

// Peer returns the deployment's second Glance node, a published Glance container that is not
// the entrypoint (clients reach it directly, as Tempest's alternate image endpoint), or nil.
func (t *Topology) Peer() *Container {
	for i, c := range t.Containers {
		if c.Glance && c.Publish && !c.Entrypoint {
			return &t.Containers[i]
		}
	}
	return nil
}

func (t *Topology) peers() []string {
	var names []string
	for _, c := range t.Containers {
		if c.Glance && c.Publish && !c.Entrypoint {
			names = append(names, c.Name)
		}
	}
	return names
}

// InMatrix tells whether the topology is a column of the matrix (the default).
func (t *Topology) InMatrix() bool { return t.Matrix == nil || *t.Matrix }

// TLS names where the entrypoint container's server reads its certificate and key (PEM), in
// the shapes servers want them: separate files (Apache mod_ssl, nginx), one file holding both
// (HAProxy's crt). At least one of CertFile and PEMFile is required.
type TLS struct {
	CertFile string `yaml:"certFile"` // the server certificate
	KeyFile  string `yaml:"keyFile"`  // its private key
	PEMFile  string `yaml:"pemFile"`  // certificate then key, in one file
	CAFile   string `yaml:"caFile"`   // the authority's certificate, in each of the topology's containers (optional)
}

// Cloud is one clouds.yaml entry the shared Keystone offers: a user in a project.
type Cloud struct {
	Name    string `yaml:"name"`
	User    string `yaml:"user"`
	Project string `yaml:"project"`
	// Plays is the part the entry plays in a certification: main, member or other (imageapi.PartMain, ...).
	Plays string `yaml:"plays"`
	// Roles are the roles the user has in the project, as Tempest's accounts file lists them.
	Roles []string `yaml:"roles"`
}

// Need is a file the topology cannot run without, and what its absence means.
type Need struct {
	Path string `yaml:"path"`
	Why  string `yaml:"why"`
}

// NotProvided is a start-up refusal that means the release does not provide the topology.
type NotProvided struct {
	LogRegexp string `yaml:"logRegexp"`
	Why       string `yaml:"why"`
}

// Refusal returns the first log line (of any container) matching a NotProvided regexp, with
// its why; ok is false when none matches.
func (t *Topology) Refusal(logs map[string]string) (line, why string, ok bool) {
	for _, np := range t.NotProvided {
		re := regexp.MustCompile(np.LogRegexp) // checked by validate
		for _, l := range logs {
			for _, ln := range strings.Split(l, "\n") {
				if re.MatchString(ln) {
					return strings.TrimSpace(ln), np.Why, true
				}
			}
		}
	}
	return "", "", false
}

// Container is one container of a topology, run from the Glance image.
type Container struct {
	// Name is the container's host name on the column's private network and its log's name.
	Name string `yaml:"name"`
	// Entrypoint marks the one container whose Port is published (on 127.0.0.1) as the endpoint.
	Entrypoint bool `yaml:"entrypoint"`
	// Port is the TCP port the container serves on.
	Port int `yaml:"port"`
	// Glance says the container runs Glance code: it receives the rendered glance-api.conf and
	// glance-api-paste.ini in /etc/glance, where both glance-api and glance-wsgi-api look.
	Glance bool `yaml:"glance"`
	// Files are copied from the topology folder into the container before it starts.
	Files []File `yaml:"files"`
	// Packages are Debian packages this container needs beyond the release's image (keystone,
	// say): it runs from the image extended with them, built once and cached like the image.
	Packages []string `yaml:"packages"`
	// Publish publishes Port on 127.0.0.1 besides the entrypoint's, for clients that must reach
	// this container too (Keystone); its files may name it as @PUBLISHED_<name>@. A published
	// Glance container other than the entrypoint is the deployment's second Glance node (Peer).
	Publish bool `yaml:"publish"`
	// GlanceDataFrom names an earlier Glance container whose data volume (/var/lib/glance) this
	// one mounts instead of a volume of its own: the nodes of one deployment share their stores,
	// as nodes on NFS or Ceph do. What must stay per node (staging, cache) the configuration
	// keeps apart with @CONTAINER@, which every file of a container has replaced by its name.
	GlanceDataFrom string `yaml:"glanceDataFrom"`
	// Command is a shell script run by "/bin/sh -ec" as the container's main process. It must
	// end by exec'ing the server, so the server's output is the container's log.
	Command string `yaml:"command"`
	// Ready says when the container is up.
	Ready Ready `yaml:"ready"`
}

// File is one config file copied into a container.
type File struct {
	// Source is relative to the topology folder.
	Source string `yaml:"source"`
	// Target is an absolute path in the container.
	Target string `yaml:"target"`
}

// Ready is the readiness check of a container: an HTTP GET that must answer Status, and/or a log
// line matching LogRegexp.
type Ready struct {
	// HTTPPath is requested on Port; empty means no HTTP check.
	HTTPPath string `yaml:"httpPath"`
	// Status is the expected status code; 200 when zero.
	Status int `yaml:"status"`
	// AnyStatus makes any HTTP answer to HTTPPath mean ready: for a front end whose server
	// behind was ready before it started, so that what it answers is the specs' to judge (a
	// front end answering 502 to every request is a finding, not a column that did not start).
	AnyStatus bool `yaml:"anyStatus"`
	// LogRegexp, when set, must match a line of the container's output.
	LogRegexp string `yaml:"logRegexp"`
	// TimeoutSeconds bounds the wait; 300 when zero (a loaded 2-core machine took 100 s to load
	// Glance's app under uWSGI, where an idle one takes 15).
	TimeoutSeconds int `yaml:"timeoutSeconds"`
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Load reads and validates the topology in dir (a folder under the deployments root).
func Load(dir string) (*Topology, error) {
	name := filepath.Base(dir)
	raw, err := os.ReadFile(filepath.Join(dir, DescriptorFile))
	if err != nil {
		return nil, fmt.Errorf("topology %s: %w", name, err)
	}
	t := &Topology{}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(t); err != nil {
		return nil, fmt.Errorf("topology %s: %s: %w", name, DescriptorFile, err)
	}
	t.Name, t.Dir = name, dir
	if err := t.validate(); err != nil {
		return nil, fmt.Errorf("topology %s: %w", name, err)
	}
	return t, nil
}

func (t *Topology) validate() error {
	var errs []error
	if t.APIVersion != APIVersion {
		errs = append(errs, fmt.Errorf("apiVersion is %q, want %q", t.APIVersion, APIVersion))
	}
	if !nameRE.MatchString(t.Name) {
		errs = append(errs, fmt.Errorf("folder name %q is not a valid topology name (%s)", t.Name, nameRE))
	}
	if t.EndpointPath == "" {
		t.EndpointPath = "/"
	}
	if !strings.HasPrefix(t.EndpointPath, "/") {
		errs = append(errs, fmt.Errorf("endpointPath %q must start with /", t.EndpointPath))
	}
	if !strings.HasSuffix(t.EndpointPath, "/") {
		t.EndpointPath += "/"
	}
	for i, n := range t.Needs {
		if !strings.HasPrefix(n.Path, "/") || n.Why == "" {
			errs = append(errs, fmt.Errorf("needs[%d]: want an absolute path and a why, got %q / %q", i, n.Path, n.Why))
		}
	}
	for i, np := range t.NotProvided {
		if _, err := regexp.Compile(np.LogRegexp); err != nil || np.LogRegexp == "" || np.Why == "" {
			errs = append(errs, fmt.Errorf("notProvided[%d]: want a valid logRegexp and a why (%v)", i, err))
		}
	}
	entrypoints, glances := 0, 0
	seen := map[string]bool{}
	for i := range t.Containers {
		c := &t.Containers[i]
		if seen[c.Name] {
			errs = append(errs, fmt.Errorf("containers[%d]: name %q used twice", i, c.Name))
		}
		seen[c.Name] = true
		if c.Entrypoint {
			entrypoints++
		}
		if c.Glance {
			glances++
		}
		errs = append(errs, c.validate(fmt.Sprintf("containers[%d] (%s)", i, c.Name), t.Dir))
	}
	if len(t.Containers) == 0 {
		errs = append(errs, errors.New("no containers"))
	}
	if entrypoints != 1 {
		errs = append(errs, fmt.Errorf("exactly one container must be the entrypoint, found %d", entrypoints))
	}
	if glances == 0 {
		errs = append(errs, errors.New("no container runs Glance (glance: true)"))
	}
	glanceBefore := map[string]bool{}
	for i, c := range t.Containers {
		if c.GlanceDataFrom != "" && (!c.Glance || !glanceBefore[c.GlanceDataFrom]) {
			errs = append(errs, fmt.Errorf("containers[%d] (%s): glanceDataFrom %q must name an earlier Glance container, from a Glance container", i, c.Name, c.GlanceDataFrom))
		}
		if c.Glance {
			glanceBefore[c.Name] = true
		}
	}
	if peers := t.peers(); len(peers) > 1 {
		errs = append(errs, fmt.Errorf("containers %v: at most one published Glance container besides the entrypoint (the second node)", peers))
	}
	if t.Identity != "" && t.Identity != IdentityKeystone {
		errs = append(errs, fmt.Errorf("identity %q: want %q or nothing", t.Identity, IdentityKeystone))
	}
	if len(t.Servers) == 0 {
		errs = append(errs, errors.New("servers is empty: name the server software the topology runs"))
	}
	if t.TLS != nil {
		if t.TLS.CertFile == "" && t.TLS.PEMFile == "" {
			errs = append(errs, errors.New("tls: name certFile (with keyFile) or pemFile"))
		}
		if (t.TLS.CertFile == "") != (t.TLS.KeyFile == "") {
			errs = append(errs, errors.New("tls: certFile and keyFile go together"))
		}
		for _, p := range []string{t.TLS.CertFile, t.TLS.KeyFile, t.TLS.PEMFile, t.TLS.CAFile} {
			if p != "" && !strings.HasPrefix(p, "/") {
				errs = append(errs, fmt.Errorf("tls: %q is not an absolute path", p))
			}
		}
	}
	return errors.Join(errs...)
}

// validate checks one container and applies its defaults; dir holds its file sources.
func (c *Container) validate(where, dir string) error {
	var errs []error
	if !nameRE.MatchString(c.Name) {
		errs = append(errs, fmt.Errorf("%s: name must match %s", where, nameRE))
	}
	if (c.Entrypoint || c.Publish || c.Ready.HTTPPath != "") && (c.Port <= 0 || c.Port > 65535) {
		errs = append(errs, fmt.Errorf("%s: needs a port", where))
	}
	if strings.TrimSpace(c.Command) == "" {
		errs = append(errs, fmt.Errorf("%s: command is empty", where))
	}
	if c.Ready.HTTPPath == "" && c.Ready.LogRegexp == "" {
		errs = append(errs, fmt.Errorf("%s: ready needs httpPath or logRegexp", where))
	}
	if c.Ready.LogRegexp != "" {
		if _, err := regexp.Compile(c.Ready.LogRegexp); err != nil {
			errs = append(errs, fmt.Errorf("%s: ready.logRegexp: %w", where, err))
		}
	}
	if c.Ready.Status == 0 {
		c.Ready.Status = 200
	}
	if c.Ready.TimeoutSeconds == 0 {
		c.Ready.TimeoutSeconds = 300
	}
	for _, f := range c.Files {
		if !filepath.IsAbs(f.Target) {
			errs = append(errs, fmt.Errorf("%s: file target %q is not absolute", where, f.Target))
		}
		if filepath.IsAbs(f.Source) || strings.Contains(f.Source, "..") {
			errs = append(errs, fmt.Errorf("%s: file source %q must be inside the folder", where, f.Source))
		} else if _, err := os.Stat(filepath.Join(dir, f.Source)); err != nil {
			errs = append(errs, fmt.Errorf("%s: file source %q: %w", where, f.Source, err))
		}
	}
	return errors.Join(errs...)
}

// ReadFiles returns the container's files, read from dir, by target path.
func (c Container) ReadFiles(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, f := range c.Files {
		b, err := os.ReadFile(filepath.Join(dir, f.Source))
		if err != nil {
			return nil, err
		}
		files[f.Target] = b
	}
	return files, nil
}

// ServicesFile, in the base folder, lists the service containers every column gets (the
// database), started before the topology's own containers.
const ServicesFile = "services.yaml"

// Services is the base folder's services.yaml.
type Services struct {
	APIVersion string      `yaml:"apiVersion"`
	Containers []Container `yaml:"containers"`
	// Dir is the base folder, where the services' file sources are.
	Dir string `yaml:"-"`
}

// LoadServices reads and validates the base folder's services.yaml.
func LoadServices(root string) (*Services, error) {
	s := &Services{}
	if err := loadBase(root, ServicesFile, "base services", s, &s.APIVersion, &s.Containers); err != nil {
		return nil, err
	}
	s.Dir = filepath.Join(root, BaseDir)
	return s, nil
}

// IdentityFile, in the base folder, describes the Keystone a run's columns share.
const IdentityFile = "identity.yaml"

// IdentityKeystone is the identity that authenticates through the run's shared Keystone.
const IdentityKeystone = "keystone"

// IdentityService is the base folder's identity.yaml: the shared Keystone's containers (the one
// published is the identity endpoint) and the clouds.yaml entries it offers.
type IdentityService struct {
	APIVersion string      `yaml:"apiVersion"`
	Clouds     []Cloud     `yaml:"clouds"`
	Containers []Container `yaml:"containers"`
	Dir        string      `yaml:"-"`
}

// LoadIdentity reads and validates the base folder's identity.yaml.
func LoadIdentity(root string) (*IdentityService, error) {
	s := &IdentityService{}
	if err := loadBase(root, IdentityFile, "identity service", s, &s.APIVersion, &s.Containers); err != nil {
		return nil, err
	}
	s.Dir = filepath.Join(root, BaseDir)
	var errs []error
	if n := len(slices.DeleteFunc(slices.Clone(s.Containers), func(c Container) bool { return !c.Publish })); n != 1 {
		errs = append(errs, fmt.Errorf("exactly one container must be published (the identity endpoint), found %d", n))
	}
	for i, c := range s.Clouds {
		if !nameRE.MatchString(c.Name) || c.User == "" || c.Project == "" || !slices.Contains(CloudParts, c.Plays) {
			errs = append(errs, fmt.Errorf("clouds[%d]: want a name, user, project and plays (one of %v)", i, CloudParts))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("identity service: %w", err)
	}
	return s, nil
}

// Endpoint returns the published container: the identity endpoint.
func (s *IdentityService) Endpoint() Container {
	for _, c := range s.Containers {
		if c.Publish {
			return c
		}
	}
	return Container{}
}

// loadBase decodes a descriptor of the base folder into doc and validates its containers, which
// are services: neither an entrypoint nor Glance.
func loadBase(root, file, what string, doc any, apiVersion *string, containers *[]Container) error {
	dir := filepath.Join(root, BaseDir)
	raw, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(doc); err != nil {
		return fmt.Errorf("%s: %s: %w", what, file, err)
	}
	var errs []error
	if *apiVersion != APIVersion {
		errs = append(errs, fmt.Errorf("apiVersion is %q, want %q", *apiVersion, APIVersion))
	}
	for i := range *containers {
		c := &(*containers)[i]
		if c.Entrypoint || c.Glance {
			errs = append(errs, fmt.Errorf("service %s: a service is neither an entrypoint nor Glance", c.Name))
		}
		errs = append(errs, c.validate(fmt.Sprintf("containers[%d] (%s)", i, c.Name), dir))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Entrypoint returns the container whose port is the endpoint.
func (t *Topology) Entrypoint() Container {
	for _, c := range t.Containers {
		if c.Entrypoint {
			return c
		}
	}
	panic("validated topology without entrypoint")
}

// GlanceOverrides returns the topology's glance-api.conf overrides ("" when it has none).
func (t *Topology) GlanceOverrides() (string, error) {
	b, err := os.ReadFile(filepath.Join(t.Dir, "glance-api.conf"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return string(b), err
}

// Names lists the topologies under root, sorted.
func Names(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("deployments folder: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != BaseDir {
			if _, err := os.Stat(filepath.Join(root, e.Name(), DescriptorFile)); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	return names, nil
}

// CloudParts are the parts a cloud entry can play: the specs' three (imageapi.PartMain,
// PartMember, PartOther), and "reader", which only Tempest plays (its image classes ask for a
// reader of the primary's project from 47.0.0 on).
var CloudParts = []string{"main", "member", "other", "reader"}

// Select resolves a comma-separated selection ("" means every matrix topology) into loaded
// matrix topologies, in the order given. An unknown name, or one that is no matrix column, is
// an error that lists the known ones.
func Select(root, selection string) ([]*Topology, error) {
	all, err := Names(root)
	if err != nil {
		return nil, err
	}
	var known []string
	for _, n := range all {
		t, err := Load(filepath.Join(root, n))
		if err != nil {
			return nil, err
		}
		if t.InMatrix() {
			known = append(known, n)
		} else if slices.Contains(strings.Split(strings.ReplaceAll(selection, " ", ""), ","), n) {
			return nil, fmt.Errorf("topology %q is not a column of the matrix (matrix: false): it is started by `glance-conformance certify --start %s`", n, n)
		}
	}
	wanted := known
	if strings.TrimSpace(selection) != "" {
		wanted = nil
		for _, n := range strings.Split(selection, ",") {
			if n = strings.TrimSpace(n); n != "" {
				wanted = append(wanted, n)
			}
		}
	}
	var out []*Topology
	seen := map[string]bool{}
	for _, n := range wanted {
		if seen[n] {
			continue
		}
		seen[n] = true
		if !slices.Contains(known, n) {
			return nil, fmt.Errorf("unknown topology %q (known: %s)", n, strings.Join(known, ", "))
		}
		t, err := Load(filepath.Join(root, n))
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// BaseGlanceConf reads the glance-api.conf every topology starts from.
func BaseGlanceConf(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, BaseDir, "glance-api.conf"))
	return string(b), err
}

// BaseFilesDir (under the base folder) mirrors a container's file system: every file below it
// is copied into every Glance container at the same absolute path.
const BaseFilesDir = "files"

// BaseGlanceFiles reads the files every Glance container receives, by absolute target path.
func BaseGlanceFiles(root string) (map[string][]byte, error) {
	dir := filepath.Join(root, BaseDir, BaseFilesDir)
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		out["/"+filepath.ToSlash(rel)] = b
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	return out, err
}
