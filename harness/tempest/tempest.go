// Package tempest runs Tempest's own image API tests against a column, as a second opinion on
// the matrix: Debian's tempest package in the column's release image, configured from the
// column (its catalog region in the run's Keystone, the accounts, the web-download source), on
// the host's network so that it reaches the column exactly where the suite's own client does.
package tempest

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
	"gopkg.in/yaml.v3"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/reports"
)

// Packages are what Tempest's image adds to a release's image: Tempest, and subunit's tools,
// whose subunit2junitxml turns Tempest's stream into a JUnit file the harness reads.
var Packages = []string{"tempest", "python3-subunit", "python3-junitxml"}

// Account is one of accounts.yaml's entries: a user of the run's Keystone and its roles.
type Account struct {
	Username string   `yaml:"username"`
	Project  string   `yaml:"project_name"`
	Password string   `yaml:"password"`
	Roles    []string `yaml:"roles"`
}

// AccountsOf lists the identity service's clouds as Tempest's pre-provisioned accounts, in the
// order Tempest needs them: the members first (Tempest 33 takes the first two free non-admin
// entries as its primary and alt, so a reader listed early would become alt), then the readers
// (Tempest 47's image classes take one of the primary's project), then the admins.
func AccountsOf(clouds []topology.Cloud, password string) []Account {
	var members, readers, admins []Account
	for _, cl := range clouds {
		a := Account{Username: cl.User, Project: cl.Project, Password: password, Roles: cl.Roles}
		switch {
		case slices.Contains(cl.Roles, "admin"):
			admins = append(admins, a)
		case slices.Contains(cl.Roles, "member"):
			members = append(members, a)
		default:
			readers = append(readers, a)
		}
	}
	return append(append(members, readers...), admins...)
}

// Options are what a run needs of the column.
type Options struct {
	RunID, ColumnID string
	Image           string // the release's image extended with Packages
	// Conf is the tempest.conf template (fixtures/tempest/tempest.conf); its placeholders are
	// filled from the fields below.
	Conf        string
	IdentityURL string // the run's Keystone, no trailing slash
	Region      string // the column's catalog region
	// Endpoint is the column's: Tempest must be seen requesting it (a region its catalog lookup
	// did not find falls back, silently, to another endpoint of the image service).
	Endpoint       string
	HTTPImage      string // a URL Glance inside the column can download (web-download): raw data
	HTTPQCOW2Image string // the same for a qcow2 image (Tempest 47 imports it declared qcow2)
	// ExtraHosts ("name:address") are names of the column's network Tempest must resolve from
	// the host's: it fetches http_image itself to compute the hashes it expects.
	ExtraHosts []string
	// What the column's configuration offers beyond the base, as Tempest's options name it:
	// the locations API (manage_locations), an http store (http_store_enabled), a second Glance
	// node registered as image_remote (alternate_image_endpoint).
	ManageLocations, HTTPStore, RemoteNode bool
	CACert                                 []byte // the column's authority, when it speaks HTTPS
	Accounts                               []Account
	Regex                                  string        // the tests to run
	Timeout                                time.Duration // the whole run's bound
	// BuildTimeout is Tempest's bound on each wait for an image (build_timeout).
	BuildTimeout time.Duration
	// Known are the reference lists' tests: a class skipped whole stands for each of its own.
	Known []string
	// Secrets are blotted out of every file saved.
	Secrets []string
}

// workDir is Tempest's workspace in its container; out/ holds what the harness copies back.
const workDir = "/tempest"

// Files are Tempest's outputs, copied into the column's folder.
var Files = []string{"results.subunit", "junit.xml", "tempest.log", "tempest.conf", "stderr.log"}

// script runs Tempest in a workspace of its own, serially (the column is one Glance, as the
// matrix's specs see it), its subunit stream then turned into JUnit. Tempest's exit status is
// not the harness's: failed tests are verdicts. Only a run that produced no stream is an error.
const script = `cd ` + workDir + `
tempest init ws >/dev/null 2>&1 || { echo "tempest init failed" >&2; exit 2; }
cp etc/tempest.conf ws/etc/tempest.conf
cd ws
tempest run --serial --regex "$1" --subunit > ../out/results.subunit 2> ../out/stderr.log || true
cd ..
[ -s out/results.subunit ] || { echo "Tempest produced no results:" >&2; tail -20 out/stderr.log >&2; exit 3; }
subunit2junitxml < out/results.subunit > out/junit.xml || true
cp etc/tempest.conf out/tempest.conf
cp ws/tempest.log out/tempest.log 2>/dev/null || true
echo "glance-conformance: tempest done"
`

// Run runs the tests and returns Tempest's verdict on each, having saved Tempest's own files
// into dir. An error means Tempest gave no verdicts at all (a harness error).
func Run(ctx context.Context, eng *engine.Engine, o Options, dir string) ([]reports.TempestResult, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	accounts, err := yaml.Marshal(o.Accounts)
	if err != nil {
		return nil, err
	}
	conf := RenderConf(o)
	req := testcontainers.ContainerRequest{
		Image:      o.Image,
		Name:       strings.ReplaceAll(fmt.Sprintf("gc-%s-%s-tempest", o.RunID, o.ColumnID), "/", "-"),
		Entrypoint: []string{"/bin/sh", "-c", script, "tempest", o.Regex},
		Labels:     map[string]string{engine.ProjectLabel: "true", engine.RunLabel: o.RunID, "org.glance-conformance.column": o.ColumnID},
		// The host's network: the column's endpoint and Keystone are where the suite reaches
		// them (published on loopback), and Tempest listens on nothing.
		HostConfigModifier: func(hc *container.HostConfig) {
			hc.NetworkMode = "host"
			hc.ExtraHosts = o.ExtraHosts
		},
		WaitingFor: wait.ForExit().WithExitTimeout(o.Timeout),
		Files: []testcontainers.ContainerFile{
			{Reader: strings.NewReader(conf), ContainerFilePath: workDir + "/etc/tempest.conf", FileMode: 0o644},
			{Reader: bytes.NewReader(accounts), ContainerFilePath: workDir + "/etc/accounts.yaml", FileMode: 0o600},
			{Reader: strings.NewReader(string(o.CACert)), ContainerFilePath: workDir + "/etc/ca.pem", FileMode: 0o644},
			{Reader: strings.NewReader(""), ContainerFilePath: workDir + "/out/.keep", FileMode: 0o644},
		},
	}
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{ContainerRequest: req, Started: true})
	if c != nil {
		defer c.Terminate(context.WithoutCancel(ctx), testcontainers.StopTimeout(time.Second))
	}
	if err != nil {
		return nil, fmt.Errorf("tempest: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, f := range Files {
		rc, err := c.CopyFileFromContainer(ctx, workDir+"/out/"+f)
		if err != nil {
			continue // a run that stopped early has fewer files; the JUnit file decides below
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		for _, s := range o.Secrets {
			b = bytes.ReplaceAll(b, []byte(s), []byte("<redacted>"))
		}
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	st, err := c.State(ctx)
	if err == nil && st.ExitCode != 0 {
		logs, _ := c.Logs(ctx)
		var out []byte
		if logs != nil {
			out, _ = io.ReadAll(logs)
		}
		return nil, fmt.Errorf("tempest exited with status %d: %s", st.ExitCode, lastLine(string(out)))
	}
	junit, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		return nil, fmt.Errorf("tempest: no JUnit file: %w", err)
	}
	results, err := ParseJUnit(junit, o.Known)
	if err != nil {
		// Tempest says why on its standard error ("The specified regex doesn't match with anything").
		stderr, _ := os.ReadFile(filepath.Join(dir, "stderr.log"))
		return nil, fmt.Errorf("%w (Tempest: %s)", err, lastLine(string(stderr)))
	}
	// Every request is in tempest.log (a passing test's are not in the subunit stream).
	requests, _ := os.ReadFile(filepath.Join(dir, "tempest.log"))
	if u, perr := url.Parse(o.Endpoint); perr == nil && !bytes.Contains(requests, []byte(u.Scheme+"://"+u.Host+"/")) {
		return nil, fmt.Errorf("tempest never requested the column's endpoint %s: its catalog lookup in region %s chose another", o.Endpoint, o.Region)
	}
	return results, nil
}

// RenderConf fills the tempest.conf template from the options.
func RenderConf(o Options) string {
	ca := "disable_ssl_certificate_validation = false"
	if len(o.CACert) > 0 {
		ca = "ca_certificates_file = " + workDir + "/etc/ca.pem"
	}
	r := strings.NewReplacer(
		"@ACCOUNTS@", workDir+"/etc/accounts.yaml",
		"@IDENTITY_URL@", o.IdentityURL,
		"@REGION@", o.Region,
		"@CA_LINE@", ca,
		"@HTTP_IMAGE@", o.HTTPImage,
		"@HTTP_QCOW2_IMAGE@", o.HTTPQCOW2Image,
		"@BUILD_TIMEOUT@", strconv.Itoa(int(o.BuildTimeout.Seconds())),
		"@MANAGE_LOCATIONS@", strconv.FormatBool(o.ManageLocations),
		"@HTTP_STORE@", strconv.FormatBool(o.HTTPStore),
		"@ALTERNATE_IMAGE_ENDPOINT@", map[bool]string{true: "image_remote"}[o.RemoteNode],
	)
	return r.Replace(o.Conf)
}

// idTags are the [id-...,smoke] tags subunit appends to a Tempest test's name.
var idTags = regexp.MustCompile(`\[.*\]$`)

// ParseJUnit reads subunit2junitxml's file into one result per test, in the file's order. A
// class Tempest skipped as a whole (its setUpClass) stands for each of its tests in known (the
// reference lists), each skipped with the class's reason; a class with none known stays one
// result under the class's name.
func ParseJUnit(b []byte, known []string) ([]reports.TempestResult, error) {
	var doc struct {
		Cases []struct {
			Class   string   `xml:"classname,attr"`
			Name    string   `xml:"name,attr"`
			Time    float64  `xml:"time,attr"`
			Failure *problem `xml:"failure"`
			Error   *problem `xml:"error"`
			Skipped *struct {
				Text string `xml:",chardata"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("tempest's JUnit file: %v", err)
	}
	var out []reports.TempestResult
	for _, c := range doc.Cases {
		name := idTags.ReplaceAllString(c.Name, "")
		class, wholeClass := strings.CutPrefix(name, "setUpClass (")
		if wholeClass {
			name = strings.TrimSuffix(class, ")")
		} else if c.Class != "" {
			name = c.Class + "." + name
		}
		r := reports.TempestResult{Test: name, Status: reports.TempestPass, Seconds: c.Time}
		switch {
		case c.Failure != nil:
			r.Status, r.Detail = reports.TempestFail, cause(c.Failure.Text)
		case c.Error != nil:
			r.Status, r.Detail = reports.TempestFail, cause(c.Error.Text)
		case c.Skipped != nil:
			r.Status, r.Detail = reports.TempestSkip, strings.TrimSpace(c.Skipped.Text)
		}
		var members []string
		if wholeClass {
			for _, t := range known {
				if strings.HasPrefix(t, name+".") && !slices.Contains(members, t) {
					members = append(members, t)
				}
			}
		}
		if len(members) == 0 {
			out = append(out, r)
		}
		for _, t := range members {
			r.Test = t
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("tempest's JUnit file holds no test")
	}
	return out, nil
}

type problem struct {
	Text string `xml:",chardata"`
}

// exceptionLine is a Python exception's line in a traceback ("IndexError: list index out of range").
var exceptionLine = regexp.MustCompile(`^[\w.]+(Error|Exception|Failure|Mismatch)\b`)

// cause is what names a failure in testtools' text: the last exception line of its traceback
// (testtools' own _StringException wraps the whole text), and Tempest's "Details:" line after it.
func cause(tb string) string {
	var exc, details string
	for _, l := range strings.Split(tb, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "testtools.testresult.real._StringException"):
		case exceptionLine.MatchString(l):
			exc, details = l, ""
		case strings.HasPrefix(l, "Details:") && exc != "" && details == "":
			details = l
		}
	}
	out := strings.TrimSpace(exc + " " + details)
	if out == "" {
		out = lastLine(tb)
	}
	if len(out) > 400 {
		out = out[:400] + "..."
	}
	return out
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
