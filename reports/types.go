// Package reports turns result files into the matrix and its renderings. It reads only files
// (Ginkgo's JSON report, matrix.json): no Docker, no Glance, so shards from other machines can be
// merged and everything here is unit-tested on recorded results.
package reports

import "strings"

import "time"

// Schema names the matrix.json format.
const Schema = "glance-conformance/matrix/v1"

// Result is a cell's verdict.
type Result string

const (
	Pass  Result = "pass"  // the feature works under this deployment
	Fail  Result = "fail"  // Glance or the server did the wrong thing: a finding, with evidence
	Skip  Result = "skip"  // the spec decided it cannot be checked here, with the reason
	Error Result = "error" // the harness broke (a column did not start, a bug of ours)
	NA    Result = "n/a"   // the release does not provide this topology (its server is gone), with the reason
)

// Matrix is matrix.json.
type Matrix struct {
	Schema      string    `json:"schema"`
	GeneratedAt time.Time `json:"generated_at"`
	// RunID is the label on every container, network and volume the run started.
	RunID string `json:"run_id,omitempty"`
	// Tool is the version of glance-conformance that produced the matrix: its module version,
	// or the commit it was built from ("+ uncommitted changes" when the tree had some).
	Tool string `json:"tool,omitempty"`
	// RerunOf is the run whose failed cells this matrix ran again (run --rerun-failed).
	RerunOf  string    `json:"rerun_of,omitempty"`
	Columns  []Column  `json:"columns"`
	Features []Feature `json:"features"`
	Cells    []Cell    `json:"cells"`
	// Throughput is a benchmark beside the matrix, never a cell: no result depends on it.
	Throughput *ThroughputReport `json:"throughput,omitempty"`
	// Claims are the document's statements with the verdict this run's cells give them.
	Claims []ClaimVerdict `json:"claims,omitempty"`
	// Comparison is the diff against a baseline matrix, when one was given.
	Comparison *Comparison `json:"comparison,omitempty"`
	// Tempest is Tempest's own run against each column (make crosscheck), and Crosscheck its
	// verdicts set beside the matrix's claims.
	Tempest    []TempestRun        `json:"tempest,omitempty"`
	Crosscheck []TempestComparison `json:"crosscheck,omitempty"`
}

// Identity is the run's identity: "keystone" when its columns authenticated through the run's
// Keystone, "" for the trusted headers.
func (m *Matrix) Identity() string {
	for _, c := range m.Columns {
		if c.Identity != "" {
			return "keystone"
		}
	}
	return ""
}

// ColumnID is the one place a column's id is formed: release/topology.
func ColumnID(release, topology string) string { return release + "/" + topology }

// ThroughputReport holds the client's own limit and each column's figures.
type ThroughputReport struct {
	Client  Throughput   `json:"client"`
	Columns []Throughput `json:"columns"`
}

// Throughput is one set of measurements of the benchmark's image, in MiB/s.
type Throughput struct {
	Column         string    `json:"column"`
	SizeBytes      int64     `json:"size_bytes"`
	UploadMiBs     []float64 `json:"upload_mibs,omitempty"`
	DownloadMiBs   []float64 `json:"download_mibs,omitempty"`
	UploadMedian   float64   `json:"upload_median_mibs"`
	DownloadMedian float64   `json:"download_median_mibs"`
	Error          string    `json:"error,omitempty"` // why it could not be measured
}

// Column is one deployment: a topology on a release.
type Column struct {
	ID            string            `json:"id"` // "<release>/<topology>"
	Topology      string            `json:"topology"`
	Release       string            `json:"release"`
	Description   string            `json:"description,omitempty"`
	GlanceVersion string            `json:"glance_version"`
	Servers       map[string]string `json:"servers"` // apache, mod_wsgi, uwsgi, python: Debian versions
	// Packages are the full Debian versions of the packages that decide the cells (glance,
	// glance_store, oslo.log, the servers, ...): a Debian revision of the same upstream version
	// ("2:25.1.0-2+deb12u5") can change a cell, and a baseline comparison names it.
	Packages map[string]string `json:"packages,omitempty"`
	// Archive is when each Debian suite the image installs from was published.
	Archive map[string]string `json:"archive,omitempty"`
	Image   string            `json:"image,omitempty"`
	// Source, when set, is the Glance source tree that ran over the release's packaged Glance
	// (GLANCE_SRC), instead of the package.
	Source       *SourceTree `json:"source,omitempty"`
	Endpoint     string      `json:"endpoint,omitempty"`
	StartSeconds float64     `json:"start_s"`
	// APIVersions are the image API versions the endpoint listed when the column began
	// ("v2.16 CURRENT"), as GET /versions answered them.
	APIVersions []string `json:"api_versions,omitempty"`
	// Restarted says why the column was restarted before its first spec (it did not answer
	// the liveness probe just after it started).
	Restarted string `json:"restarted,omitempty"`
	// Unprobed says why no spec of the column was followed by the liveness probe: the probe
	// already failed on the column just started, and after a restart, so no spec caused it.
	Unprobed      string `json:"unprobed,omitempty"`
	NotApplicable string `json:"not_applicable,omitempty"` // why the release does not provide this topology
	Error         string `json:"error,omitempty"`          // why it did not start
	// Identity says which Keystone the column authenticated through ("" : the trusted headers).
	Identity string `json:"identity,omitempty"`
	// Accounts, with Keystone or on a certified cloud, describe the account playing each part
	// (never a secret).
	Accounts []string `json:"accounts,omitempty"`
}

// SourceTree names a Glance source tree: its version (git describe), commit and whether it had
// uncommitted changes.
type SourceTree struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Dirty   bool   `json:"dirty,omitempty"`
}

func (t SourceTree) String() string {
	s := "source " + t.Version
	if t.Commit != "" {
		s += " (commit " + t.Commit[:min(12, len(t.Commit))] + ")"
	}
	if t.Dirty || t.Commit == "" {
		s += " with uncommitted changes"
	}
	return s
}

// FromSource names the Glance source trees the matrix ran instead of packages ("" for none).
func (m *Matrix) FromSource() string {
	seen := map[string]bool{}
	var trees []string
	for _, c := range m.Columns {
		if c.Source != nil && !seen[c.Source.String()] {
			seen[c.Source.String()] = true
			trees = append(trees, c.Source.String())
		}
	}
	return strings.Join(trees, "; ")
}

// GlanceBuild is the Glance the column ran as its package names it ("2:25.1.0-2+deb12u5"), or
// the upstream version where the package version was not recorded.
func (c Column) GlanceBuild() string {
	if c.Source != nil {
		return c.Source.String()
	}
	if v := c.Packages["glance"]; v != "" {
		return v
	}
	return c.GlanceVersion
}

// Feature is one row.
type Feature struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Proves string `json:"proves,omitempty"`
	// Tempest lists the Tempest tests (at tempest.Tag) covering the same capability.
	Tempest []string `json:"tempest,omitempty"`
}

// Cell is one result.
type Cell struct {
	Feature  string   `json:"feature"`
	Column   string   `json:"column"`
	Result   Result   `json:"result"`
	Reason   string   `json:"reason,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
	// Notes say what a cell observed beyond its verdict (how the server handled connections, a
	// half of the feature left to another row).
	Notes []string `json:"notes,omitempty"`
	// Resent counts the cell's requests that met a kept-alive connection the server had closed
	// without announcing it, and were sent again on a new connection (http.keep-alive's finding).
	Resent    int     `json:"resent,omitempty"`
	DurationS float64 `json:"duration_s"`
	// Earlier is this cell's result in the matrix a rerun folded it into (run --rerun-failed).
	Earlier *Earlier `json:"earlier,omitempty"`
	// NearestPass, on a failed cell: the nearest column of its release where the feature
	// passes, and how their configurations differ (how to fix it).
	NearestPass *NearestPass `json:"nearest_pass,omitempty"`
}

// CellEntry is what every spec records about itself (Ginkgo report entry CellEntryName).
type CellEntry struct {
	Feature Feature `json:"feature"`
	Column  string  `json:"column"`
}

// EvidenceEntry is what a failed spec records (report entry EvidenceEntryName).
type EvidenceEntry struct {
	Exchanges []string `json:"exchanges"`
	Logs      []string `json:"logs"`
}

// Names of the Ginkgo report entries the suite writes and Build reads.
const (
	CellEntryName          = "glance-conformance/cell"
	EvidenceEntryName      = "glance-conformance/evidence"
	HarnessErrorEntryName  = "glance-conformance/harness-error"
	NotApplicableEntryName = "glance-conformance/not-applicable"
	// ColumnEntryName carries one column's metadata once it started (start time, endpoint,
	// error), replacing what the suite's column entry said of it before.
	ColumnEntryName           = "glance-conformance/column"
	ColumnsEntryName          = "glance-conformance/columns"
	FeaturesEntryName         = "glance-conformance/features"          // []Feature in registry (row) order
	ThroughputEntryName       = "glance-conformance/throughput"        // Throughput of a column
	ClientThroughputEntryName = "glance-conformance/client-throughput" // Throughput of the client alone
	NoteEntryName             = "glance-conformance/note"              // a string: one note of a cell
	ResentEntryName           = "glance-conformance/resent"            // an int: requests resent after a dropped connection
)
