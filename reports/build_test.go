package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

func entryOf(name string, v any) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v)}
}

func specOf(feature, column string, state types.SpecState, msg string, more ...types.ReportEntry) types.SpecReport {
	sr := types.SpecReport{
		LeafNodeType: types.NodeTypeIt,
		State:        state,
		RunTime:      1500 * time.Millisecond,
		Failure:      types.Failure{Message: msg},
		ReportEntries: append([]types.ReportEntry{entryOf(CellEntryName, CellEntry{
			Feature: Feature{ID: feature, Title: "title of " + feature}, Column: column,
		})}, more...),
	}
	return sr
}

// roundTrip passes the report through JSON, as Build always reads it from Ginkgo's file.
func roundTrip(t *testing.T, r types.Report) []types.Report {
	t.Helper()
	b, err := json.Marshal([]types.Report{r})
	if err != nil {
		t.Fatal(err)
	}
	var out []types.Report
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func recorded(t *testing.T) *Matrix {
	cols := []Column{
		{ID: "bookworm/standalone", Topology: "standalone", Release: "bookworm", GlanceVersion: "25.1.0"},
		{ID: "bookworm/mod_wsgi", Topology: "mod_wsgi", Release: "bookworm", GlanceVersion: "25.1.0",
			Servers: map[string]string{"apache": "2.4.68-1~deb12u1", "mod_wsgi": "4.9.4-1+b2"}},
	}
	suite := types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed,
		ReportEntries: []types.ReportEntry{
			entryOf(ColumnsEntryName, cols),
			entryOf(FeaturesEntryName, []Feature{{ID: "api.versions"}, {ID: "upload.chunked"}, {ID: "import.web-download"}}),
		}}
	filteredOut := types.SpecReport{LeafNodeType: types.NodeTypeIt, State: types.SpecStateSkipped}
	r := types.Report{SpecReports: []types.SpecReport{
		suite,
		// Out of registry order on purpose: rows must follow the registry.
		specOf("upload.chunked", "bookworm/mod_wsgi", types.SpecStateFailed,
			"chunked upload: PUT /v2/images/x/file answered 411: <html>\nmore detail",
			entryOf(EvidenceEntryName, EvidenceEntry{Exchanges: []string{"PUT /v2/images/x/file -> 411"}, Logs: []string{"log glance: chunked not enabled"}})),
		specOf("upload.chunked", "bookworm/standalone", types.SpecStatePassed, "", entryOf(NoteEntryName, "one connection for all requests")),
		specOf("api.versions", "bookworm/standalone", types.SpecStatePassed, ""),
		specOf("api.versions", "bookworm/mod_wsgi", types.SpecStateFailed, "column bookworm/mod_wsgi did not start: exited",
			entryOf(HarnessErrorEntryName, "column did not start")),
		specOf("import.web-download", "bookworm/standalone", types.SpecStateTimedout, "A spec timeout occurred"),
		specOf("import.web-download", "bookworm/mod_wsgi", types.SpecStatePanicked, "nil pointer"),
		filteredOut,
	}}
	m, err := Build(roundTrip(t, r), time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestBuildClassifiesCells(t *testing.T) {
	m := recorded(t)
	if len(m.Cells) != 6 {
		t.Fatalf("%d cells, want 6 (the filtered-out spec is not a cell)", len(m.Cells))
	}
	want := map[[2]string]Result{
		{"upload.chunked", "bookworm/mod_wsgi"}:        Fail,
		{"upload.chunked", "bookworm/standalone"}:      Pass,
		{"api.versions", "bookworm/mod_wsgi"}:          Error,
		{"import.web-download", "bookworm/standalone"}: Fail,
		{"import.web-download", "bookworm/mod_wsgi"}:   Error,
	}
	for k, r := range want {
		c, ok := m.Cell(k[0], k[1])
		if !ok || c.Result != r {
			t.Errorf("%v: got %+v, want %s", k, c, r)
		}
	}
	c, _ := m.Cell("upload.chunked", "bookworm/mod_wsgi")
	if c.Reason != "chunked upload: PUT /v2/images/x/file answered 411: <html>" {
		t.Errorf("reason must be the first line of the failure: %q", c.Reason)
	}
	if len(c.Evidence) != 2 || c.Evidence[0] != "http: PUT /v2/images/x/file -> 411" || c.Evidence[1] != "log glance: chunked not enabled" {
		t.Errorf("evidence: %q", c.Evidence)
	}
	if c, _ := m.Cell("upload.chunked", "bookworm/standalone"); len(c.Notes) != 1 || c.Notes[0] != "one connection for all requests" {
		t.Errorf("notes: %q", c.Notes)
	}
	if c.DurationS != 1.5 {
		t.Errorf("duration %v", c.DurationS)
	}
	if c, _ := m.Cell("import.web-download", "bookworm/standalone"); !strings.HasPrefix(c.Reason, "timed out") {
		t.Errorf("timeout reason %q", c.Reason)
	}
	var ids []string
	for _, f := range m.Features {
		ids = append(ids, f.ID)
	}
	if strings.Join(ids, ",") != "api.versions,upload.chunked,import.web-download" {
		t.Errorf("rows %v must follow the registry order", ids)
	}
	if s := m.Summarize(); s != (Summary{Total: 6, Passed: 2, Failed: 2, Errors: 2}) {
		t.Errorf("summary %+v", s)
	}
}

func TestBuildNeedsColumns(t *testing.T) {
	r := types.Report{SpecReports: []types.SpecReport{specOf("api.versions", "x/y", types.SpecStatePassed, "")}}
	if _, err := Build(roundTrip(t, r), time.Now()); err == nil {
		t.Fatal("cells without a columns entry must be an error")
	}
}

func TestMatrixJSONRoundTripAndSchema(t *testing.T) {
	m := recorded(t)
	path := filepath.Join(t.TempDir(), "matrix.json")
	if err := m.WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Schema != Schema || len(back.Cells) != len(m.Cells) || back.Columns[1].Servers["mod_wsgi"] != "4.9.4-1+b2" {
		t.Fatalf("round trip lost data: %+v", back)
	}
	raw, _ := os.ReadFile(path)
	for _, key := range []string{`"schema"`, `"generated_at"`, `"columns"`, `"glance_version"`, `"servers"`, `"features"`, `"cells"`, `"result"`, `"reason"`, `"evidence"`, `"duration_s"`} {
		if !bytes.Contains(raw, []byte(key)) {
			t.Errorf("matrix.json lacks %s", key)
		}
	}
	os.WriteFile(path, bytes.Replace(raw, []byte(Schema), []byte("other/v9"), 1), 0o644)
	if _, err := ReadJSON(path); err == nil {
		t.Fatal("a foreign schema must be refused")
	}
}

func TestMarkdown(t *testing.T) {
	m := recorded(t)
	var b bytes.Buffer
	if err := m.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"| feature | bookworm/standalone | bookworm/mod_wsgi |",
		"| `upload.chunked` | pass | **FAIL** |",
		"| `api.versions` | pass | ERROR |",
		"- **upload.chunked** on bookworm/mod_wsgi (fail): chunked upload: PUT /v2/images/x/file answered 411: <html>",
		"6 cells: 2 passed, 2 failed, 0 skipped, 2 errors",
		"- upload.chunked on bookworm/standalone: one connection for all requests",
		"apache 2.4.68-1~deb12u1, mod_wsgi 4.9.4-1+b2 | 0.0s | 4.5s |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("matrix.md lacks %q:\n%s", want, md)
		}
	}
}

func TestThroughputTable(t *testing.T) {
	suite := types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed,
		ReportEntries: []types.ReportEntry{
			entryOf(ColumnsEntryName, []Column{{ID: "r/b"}, {ID: "r/a"}}),
			entryOf(ClientThroughputEntryName, Throughput{Column: "client", SizeBytes: 1126 << 20, UploadMiBs: []float64{900, 1000, 1100}, UploadMedian: 1000, DownloadMedian: 800}),
		}}
	bench := func(tp Throughput) types.SpecReport {
		return types.SpecReport{LeafNodeType: types.NodeTypeIt, State: types.SpecStatePassed, ReportEntries: []types.ReportEntry{entryOf(ThroughputEntryName, tp)}}
	}
	r := types.Report{SpecReports: []types.SpecReport{suite,
		specOf("api.versions", "r/a", types.SpecStatePassed, ""),
		bench(Throughput{Column: "r/a", UploadMedian: 250, DownloadMedian: 400}),
		bench(Throughput{Column: "r/b", Error: "upload: 413"}),
	}}
	m, err := Build(roundTrip(t, r), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if m.Throughput == nil || m.Throughput.Client.UploadMedian != 1000 || len(m.Throughput.Columns) != 2 {
		t.Fatalf("%+v", m.Throughput)
	}
	if len(m.Cells) != 1 {
		t.Fatalf("the benchmark must not be a cell: %d cells", len(m.Cells))
	}
	var b bytes.Buffer
	m.WriteMarkdown(&b)
	for _, want := range []string{"| r/a | 250.0 | 0.25 | 400.0 | 0.50 |  |", "| r/b | 0.0 | - | 0.0 | - | upload: 413 |", "upload 1000, download 800 MiB/s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("matrix.md lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Index(b.String(), "| r/b | 0.0") > strings.Index(b.String(), "| r/a | 250.0") {
		t.Errorf("throughput rows are not in the run's column order (r/b, r/a):\n%s", b.String())
	}
}

func TestTempestParity(t *testing.T) {
	m := &Matrix{
		Columns: []Column{{ID: "r/a"}, {ID: "r/b"}, {ID: "r/c"}},
		Features: []Feature{
			{ID: "api.versions", Tempest: []string{"tempest.api.image.v2.test_versions.VersionsTest.test_list_versions"}},
			{ID: "image.tags", Tempest: []string{"tempest.api.image.v2.test_images_tags.ImagesTagsTest.test_update_delete_tags_for_image"}},
			{ID: "http.keep-alive", Tempest: []string{"none"}},
		},
		Cells: []Cell{
			{Feature: "api.versions", Column: "r/a", Result: Pass}, {Feature: "api.versions", Column: "r/b", Result: Pass},
			{Feature: "image.tags", Column: "r/a", Result: Pass}, {Feature: "image.tags", Column: "r/b", Result: Fail},
			{Feature: "http.keep-alive", Column: "r/a", Result: Pass}, {Feature: "http.keep-alive", Column: "r/b", Result: Pass},
			// r/c passes both tests' features but drops kept-alive connections unannounced, which
			// Tempest's client lives through (the crosscheck saw it): both pass there too.
			{Feature: "api.versions", Column: "r/c", Result: Pass}, {Feature: "image.tags", Column: "r/c", Result: Pass},
			{Feature: "http.keep-alive", Column: "r/c", Result: Fail},
		},
	}
	var b bytes.Buffer
	if err := m.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"the features of this run cover 2 of them",
		"| `test_versions.VersionsTest.test_list_versions` | api.versions | every column |",
		"| `test_images_tags.ImagesTagsTest.test_update_delete_tags_for_image` | image.tags | r/a, r/c |",
		"- `test_images_negative.ImagesNegativeTest.test_get_image_null_id`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("matrix.md lacks %q:\n%s", want, md)
		}
	}

}

func TestResentPerColumn(t *testing.T) {
	m := &Matrix{
		Columns:  []Column{{ID: "r/a"}, {ID: "r/b"}},
		Features: []Feature{{ID: "image.tags"}, {ID: "image.lifecycle"}},
		Cells: []Cell{
			{Feature: "image.tags", Column: "r/a", Result: Pass},
			{Feature: "image.tags", Column: "r/b", Result: Pass, Resent: 2},
			{Feature: "image.lifecycle", Column: "r/b", Result: Pass, Resent: 1},
		},
	}
	var b bytes.Buffer
	m.WriteMarkdown(&b)
	md := b.String()
	if !strings.Contains(md, "| r/b | 3 | 2 |") || strings.Contains(md, "| r/a | 0") {
		t.Errorf("resent table:\n%s", md)
	}
	m.Cells[1].Resent, m.Cells[2].Resent = 0, 0
	b.Reset()
	m.WriteMarkdown(&b)
	if strings.Contains(b.String(), "Requests resent") {
		t.Errorf("a run without resent requests has no resent section:\n%s", b.String())
	}
}

func TestNotApplicableCells(t *testing.T) {
	suite := types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed,
		ReportEntries: []types.ReportEntry{entryOf(ColumnsEntryName, []Column{{ID: "sid/standalone", NotApplicable: "sid has no /usr/bin/glance-api"}})}}
	r := types.Report{SpecReports: []types.SpecReport{suite,
		specOf("api.versions", "sid/standalone", types.SpecStateSkipped, "sid has no /usr/bin/glance-api", entryOf(NotApplicableEntryName, "sid has no /usr/bin/glance-api")),
		specOf("upload.chunked", "sid/standalone", types.SpecStateSkipped, "chunked is broken here"),
	}}
	m, err := Build(roundTrip(t, r), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := m.Cell("api.versions", "sid/standalone"); c.Result != NA || c.Reason != "sid has no /usr/bin/glance-api" {
		t.Errorf("n/a cell: %+v", c)
	}
	if c, _ := m.Cell("upload.chunked", "sid/standalone"); c.Result != Skip {
		t.Errorf("a plain skip must stay a skip: %+v", c)
	}
	if s := m.Summarize(); s.NotApplicable != 1 || s.Skipped != 1 || !strings.HasSuffix(s.String(), ", 1 n/a") {
		t.Errorf("summary %+v %q", s, s)
	}
	// The column its release does not provide is one line of matrix.md, not one per feature.
	var b bytes.Buffer
	if err := m.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if !strings.Contains(md, "- every cell of **sid/standalone** (n/a): sid has no /usr/bin/glance-api") || strings.Contains(md, "**api.versions** on sid/standalone") {
		t.Errorf("matrix.md does not fold the absent column's cells into one line:\n%s", md)
	}
	if !strings.Contains(md, "**upload.chunked** on sid/standalone (skip)") {
		t.Errorf("matrix.md lost the skipped cell:\n%s", md)
	}
}

func TestMarkdownAcrossReleases(t *testing.T) {
	m := &Matrix{
		Columns: []Column{{ID: "bookworm/standalone", Release: "bookworm", Topology: "standalone", GlanceVersion: "25.1.0"},
			{ID: "sid/standalone", Release: "sid", Topology: "standalone", GlanceVersion: "33.0.0"},
			{ID: "bookworm/uwsgi-http", Release: "bookworm", Topology: "uwsgi-http", GlanceVersion: "25.1.0"},
			{ID: "sid/uwsgi-http", Release: "sid", Topology: "uwsgi-http", GlanceVersion: "33.0.0"}},
		Features: []Feature{{ID: "cache"}},
		Cells: []Cell{
			{Feature: "cache", Column: "bookworm/standalone", Result: Pass}, {Feature: "cache", Column: "sid/standalone", Result: NA},
			{Feature: "cache", Column: "bookworm/uwsgi-http", Result: Pass}, {Feature: "cache", Column: "sid/uwsgi-http", Result: Fail},
		},
	}
	var b bytes.Buffer
	if err := m.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"| feature | standalone | uwsgi-http |",
		"| `cache` | bookworm; n/a sid | **bookworm** |",
		"## bookworm (Glance 25.1.0)",
		"## sid (Glance 33.0.0)",
		"| `cache` | n/a | **FAIL** |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("matrix.md lacks %q:\n%s", want, md)
		}
	}
}

func TestShippedClaimsLoad(t *testing.T) {
	claims, err := LoadClaims("../fixtures/claims.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) < 8 {
		t.Fatalf("%d claims", len(claims))
	}
}

func TestClaimVerdicts(t *testing.T) {
	m := &Matrix{
		Features: []Feature{{ID: "upload.chunked"}, {ID: "import.glance-direct"}},
		Cells: []Cell{
			{Feature: "upload.chunked", Column: "r/a", Result: Fail}, {Feature: "import.glance-direct", Column: "r/a", Result: Pass},
			{Feature: "upload.chunked", Column: "r/b", Result: Pass}, {Feature: "import.glance-direct", Column: "r/b", Result: Pass},
			{Feature: "upload.chunked", Column: "r/c", Result: NA}, {Feature: "import.glance-direct", Column: "r/c", Result: Skip},
		},
	}
	claim := func(predicts string, tops []string, features ...string) Claim {
		return Claim{ID: predicts, Releases: []string{"r"}, Topologies: tops, Features: features, Predicts: predicts}
	}
	cases := []struct {
		c    Claim
		want string
	}{
		{claim("fail", []string{"a"}, "upload.chunked"), Confirmed},
		{claim("fail", []string{"a", "b"}, "upload.chunked"), PartlyTrue},
		{claim("fail", []string{"a", "b"}, "import.glance-direct"), Contradicted},
		{claim("pass", []string{"b"}), Confirmed},
		{claim("pass", []string{"a"}), PartlyTrue},
		{claim("some-fail", []string{"a"}), Confirmed},
		{claim("some-fail", []string{"a", "b"}), PartlyTrue},
		{claim("some-fail", []string{"b"}), Contradicted},
		{claim("pass", []string{"c"}), Untested}, // n/a and skip say nothing
	}
	for _, tc := range cases {
		v := m.EvaluateClaims([]Claim{tc.c})[0]
		if v.Verdict != tc.want {
			t.Errorf("%s on %v %v: %s (%d for, %d against, %v), want %s", tc.c.Predicts, tc.c.Topologies, tc.c.Features, v.Verdict, v.Supporting, v.Against, v.Cells, tc.want)
		}
	}
}

func TestCompareAndMerge(t *testing.T) {
	base := &Matrix{Columns: []Column{{ID: "r/a"}, {ID: "r/old"}}, Features: []Feature{{ID: "f1"}, {ID: "gone"}},
		Cells: []Cell{{Feature: "f1", Column: "r/a", Result: Pass}, {Feature: "gone", Column: "r/a", Result: Pass}}}
	now := &Matrix{Columns: []Column{{ID: "r/a"}}, Features: []Feature{{ID: "f1"}, {ID: "f2"}},
		Cells: []Cell{{Feature: "f1", Column: "r/a", Result: Fail, Reason: "411"}, {Feature: "f2", Column: "r/a", Result: Pass}}}
	c := now.Compare(base, "base.json")
	if !c.Regressed() || len(c.NewFailures) != 1 || c.NewFailures[0].Was != Pass || c.NewFailures[0].Now != Fail {
		t.Fatalf("flipped cell not a regression: %+v", c)
	}
	if strings.Join(c.NewFeatures, ",") != "f2" || strings.Join(c.MissingFeatures, ",") != "gone" || strings.Join(c.MissingColumns, ",") != "r/old" {
		t.Fatalf("new/missing: %+v", c)
	}
	// Columns a run did not select are one line, not one each.
	wide := &Matrix{Columns: []Column{{ID: "r/a"}, {ID: "r/b"}, {ID: "r/c"}}, Features: now.Features, Cells: now.Cells}
	if lines := now.Compare(wide, "wide.json").Lines(); !slices.Contains(lines, "missing columns (2): r/b, r/c") {
		t.Errorf("missing columns: %q", lines)
	}
	if again := base.Compare(base, "base.json"); again.Regressed() || len(again.Lines()) != 0 {
		t.Fatalf("a matrix against itself: %+v", again)
	}

	shardA := &Matrix{Columns: []Column{{ID: "bookworm/a"}}, Features: []Feature{{ID: "f1"}}, Cells: []Cell{{Feature: "f1", Column: "bookworm/a", Result: Pass}}}
	shardB := &Matrix{Columns: []Column{{ID: "sid/a"}}, Features: []Feature{{ID: "f1"}}, Cells: []Cell{{Feature: "f1", Column: "sid/a", Result: Fail}}}
	m, err := Merge(shardA, shardB)
	if err != nil || len(m.Columns) != 2 || len(m.Features) != 1 || len(m.Cells) != 2 {
		t.Fatalf("merge: %v %+v", err, m)
	}
	if _, err := Merge(shardA, shardA); err == nil {
		t.Fatal("overlapping shards must be refused")
	}
}

func TestComparisonNamesThePackageChangesBesideTheFlippedCells(t *testing.T) {
	pkgs := func(glance string) map[string]string {
		return map[string]string{"glance": glance, "apache": "2.4.66-1~deb12u1"}
	}
	base := &Matrix{Columns: []Column{{ID: "bookworm/a", Packages: pkgs("2:25.1.0-2+deb12u3")}, {ID: "bookworm/b", Packages: pkgs("2:25.1.0-2+deb12u3")},
		{ID: "sid/a", Packages: pkgs("2:33.0.0-1")}, {ID: "trixie/a"}},
		Cells: []Cell{{Feature: "import.web-download", Column: "bookworm/a", Result: Pass}, {Feature: "import.web-download", Column: "sid/a", Result: Pass},
			{Feature: "import.web-download", Column: "trixie/a", Result: Pass}}}
	nowPkgs := pkgs("2:25.1.0-2+deb12u5")
	nowPkgs["keystone"] = "2:22.0.0-1"
	now := &Matrix{Columns: []Column{{ID: "bookworm/a", Packages: nowPkgs}, {ID: "bookworm/b", Packages: pkgs("2:25.1.0-2+deb12u5")},
		{ID: "sid/a", Packages: pkgs("2:33.0.0-1")}, {ID: "trixie/a", Packages: pkgs("2:30.0.0-1")}},
		Cells: []Cell{{Feature: "import.web-download", Column: "bookworm/a", Result: Fail}, {Feature: "import.web-download", Column: "sid/a", Result: Fail},
			{Feature: "import.web-download", Column: "trixie/a", Result: Fail}}}
	c := now.Compare(base, "base.json")
	if len(c.NewFailures) != 3 {
		t.Fatalf("%+v", c.NewFailures)
	}
	want := map[string]string{
		"bookworm/a": "glance 2:25.1.0-2+deb12u3 -> 2:25.1.0-2+deb12u5;keystone (new) 2:22.0.0-1",
		"sid/a":      "", // same packages: the flip is not theirs
		"trixie/a":   "", // the baseline recorded none: nothing can be said
	}
	for _, ch := range c.NewFailures {
		if got := strings.Join(ch.Packages, ";"); got != want[ch.Column] {
			t.Errorf("%s: packages %q, want %q", ch.Column, got, want[ch.Column])
		}
	}
	if len(c.Packages) != 2 || c.Packages[0].Change != "glance 2:25.1.0-2+deb12u3 -> 2:25.1.0-2+deb12u5" ||
		strings.Join(c.Packages[0].Columns, ",") != "bookworm/a,bookworm/b" {
		t.Fatalf("package changes: %+v", c.Packages)
	}
	lines := strings.Join(c.Lines(), "\n")
	if !strings.Contains(lines, "REGRESSION import.web-download on bookworm/a: pass -> fail:  [packages changed: glance 2:25.1.0-2+deb12u3 -> 2:25.1.0-2+deb12u5; keystone (new) 2:22.0.0-1]") ||
		!strings.Contains(lines, "package    glance 2:25.1.0-2+deb12u3 -> 2:25.1.0-2+deb12u5 on bookworm/a, bookworm/b") {
		t.Fatalf("lines:\n%s", lines)
	}
}

func TestOrderColumnsFollowsTheRunsOrder(t *testing.T) {
	m := &Matrix{Columns: []Column{{ID: "bookworm/b"}, {ID: "extra"}, {ID: "trixie/a"}, {ID: "bookworm/a"}}}
	m.OrderColumns([]string{"bookworm/a", "bookworm/b", "trixie/a"})
	var got []string
	for _, c := range m.Columns {
		got = append(got, c.ID)
	}
	if want := "bookworm/a bookworm/b trixie/a extra"; strings.Join(got, " ") != want {
		t.Fatalf("columns in order %v, want %s", got, want)
	}
}

// A column starts in the BeforeAll Ginkgo runs with its first spec and stops in a cleanup run
// with its last: that time is the column's (Columns table), not the cell's.
func TestCellDurationLeavesOutTheColumnsStartAndStop(t *testing.T) {
	first := specOf("api.versions", "bookworm/standalone", types.SpecStatePassed, "")
	first.RunTime = 40 * time.Second
	first.SpecEvents = types.SpecEvents{
		{SpecEventType: types.SpecEventNodeEnd, NodeType: types.NodeTypeBeforeAll, Duration: 35 * time.Second},
		{SpecEventType: types.SpecEventNodeEnd, NodeType: types.NodeTypeIt, Duration: 4 * time.Second},
		{SpecEventType: types.SpecEventNodeEnd, NodeType: types.NodeTypeCleanupAfterAll, Duration: 500 * time.Millisecond},
	}
	// mod_wsgi was selected by the labels, but a focus filter ran none of its specs.
	cols := []Column{{ID: "bookworm/standalone", Topology: "standalone", Release: "bookworm"}, {ID: "bookworm/mod_wsgi", Topology: "mod_wsgi", Release: "bookworm"}}
	suite := types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed,
		ReportEntries: []types.ReportEntry{entryOf(ColumnsEntryName, cols), entryOf(FeaturesEntryName, []Feature{{ID: "api.versions"}})}}
	m, err := Build(roundTrip(t, types.Report{SpecReports: []types.SpecReport{suite, first}}), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := m.Cell("api.versions", "bookworm/standalone"); c.DurationS != 4.5 {
		t.Errorf("duration %vs, want 4.5s: 40s less the column's 35s start and 0.5s stop", c.DurationS)
	}
	if len(m.Columns) != 1 || m.Columns[0].ID != "bookworm/standalone" {
		t.Errorf("columns %+v, want only the one whose specs ran", m.Columns)
	}
}

// A spec that ended in its column's start (Ginkgo's BeforeAll, which runs with the first
// spec: failed or timed out) carries no cell entry; Ginkgo skips the column's other specs
// saying why. Each is an error cell of its row and column, never a missing one.
func TestSpecsOfAColumnThatDidNotStartAreErrorCells(t *testing.T) {
	cols := []Column{{ID: "bookworm/standalone"}}
	suite := types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStatePassed,
		ReportEntries: []types.ReportEntry{entryOf(ColumnsEntryName, cols), entryOf(FeaturesEntryName, []Feature{{ID: "api.versions"}, {ID: "image.tags"}})}}
	leaf := func(feature string, state types.SpecState, msg string) types.SpecReport {
		return types.SpecReport{LeafNodeType: types.NodeTypeIt, State: state, Failure: types.Failure{Message: msg},
			ContainerHierarchyTexts: []string{"matrix", "bookworm/standalone"}, LeafNodeLabels: []string{FeatureLabelPrefix + feature}}
	}
	r := types.Report{SpecReports: []types.SpecReport{suite,
		leaf("api.versions", types.SpecStateTimedout, "A node timeout occurred"),
		leaf("image.tags", types.SpecStateSkipped, "Spec skipped because a BeforeAll node failed"),
		leaf("image.lifecycle", types.SpecStateSkipped, ""), // left out by a filter
	}}
	m, err := Build(roundTrip(t, r), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Cells) != 2 || len(m.Columns) != 1 {
		t.Fatalf("%d cells in %d columns, want 2 in 1: %+v", len(m.Cells), len(m.Columns), m.Cells)
	}
	for _, c := range m.Cells {
		if c.Result != Error || !strings.Contains(c.Reason, "start did not end") {
			t.Errorf("%s: %s: %s, want an error saying the column's start did not end", c.Feature, c.Result, c.Reason)
		}
	}
}
