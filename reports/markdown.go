package reports

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/glance-conformance/glance-conformance/fixtures/tempest"
)

// symbols make the table readable at a glance; the word stays in the legend.
var symbols = map[Result]string{Pass: "pass", Fail: "**FAIL**", Skip: "skip", Error: "ERROR", NA: "n/a"}

// WriteMarkdown renders matrix.md: the summary, the table (features x columns), the columns'
// metadata, and one line per cell that did not pass saying why.
func (m *Matrix) WriteMarkdown(w io.Writer) error {
	s := m.Summarize()
	var b strings.Builder
	fmt.Fprintf(&b, "# Glance conformance matrix\n\n")
	fmt.Fprintf(&b, "Generated %s. %s.\n\n", m.GeneratedAt.Format("2006-01-02 15:04 MST"), s)
	if src := m.FromSource(); src != "" {
		fmt.Fprintf(&b, "**Glance from a source tree**: %s, installed over each release's packaged Glance and its packaged dependencies (GLANCE_SRC); not the Debian package.\n\n", escape(src))
	}
	fmt.Fprintf(&b, "`fail` is a finding about Glance or its server under that configuration; `ERROR` means the harness could not test it; `n/a` means the release does not provide that topology.\n\n")

	m.writeComparison(&b)
	releases := m.releases()
	if len(releases) > 1 {
		m.writeAcrossReleases(&b, releases)
	}
	for _, rel := range releases {
		cols := m.columnsOf(rel)
		if len(releases) > 1 {
			fmt.Fprintf(&b, "\n## %s (Glance %s)\n\n", rel, cols[0].GlanceVersion)
		}
		b.WriteString("| feature |")
		for _, c := range cols {
			fmt.Fprintf(&b, " %s |", c.ID)
		}
		b.WriteString("\n|---|")
		for range cols {
			b.WriteString("---|")
		}
		b.WriteString("\n")
		for _, f := range m.Features {
			fmt.Fprintf(&b, "| `%s` |", f.ID)
			for _, c := range cols {
				cell, ok := m.Cell(f.ID, c.ID)
				if !ok {
					b.WriteString(" - |")
					continue
				}
				fmt.Fprintf(&b, " %s |", symbols[cell.Result])
			}
			b.WriteString("\n")
		}
	}

	m.writeClaims(&b)

	b.WriteString("\n## Columns\n\n| column | Glance | servers | started in | specs took | note |\n|---|---|---|---|---|---|\n")
	for _, c := range m.Columns {
		var servers []string
		for _, k := range slices.Sorted(maps.Keys(c.Servers)) {
			servers = append(servers, k+" "+c.Servers[k])
		}
		note := c.Description
		for _, more := range []string{c.Restarted, c.Unprobed} {
			if more != "" {
				note += "; " + more
			}
		}
		if c.NotApplicable != "" {
			note = "not provided: " + c.NotApplicable
		}
		if c.Error != "" {
			note = "did not start: " + c.Error
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.1fs | %.1fs | %s |\n", c.ID, c.GlanceBuild(), strings.Join(servers, ", "), c.StartSeconds, m.specSeconds(c.ID), escape(note))
	}

	if tp := m.Throughput; tp != nil && len(tp.Columns) > 0 {
		c := tp.Client
		fmt.Fprintf(&b, "\n## Throughput\n\nAn image of %d MiB uploaded and downloaded, median of %d rounds, in MiB/s; each column measured alone on the machine (other shards wait). \"x client\" divides by the client's own limit, measured in the same run with the same code against a local sink (upload %.0f, download %.0f MiB/s%s). A benchmark, not a test: no cell depends on it.\n\n",
			c.SizeBytes>>20, len(c.UploadMiBs), c.UploadMedian, c.DownloadMedian, errNote(c.Error))
		b.WriteString("| column | upload | x client | download | x client | note |\n|---|---|---|---|---|---|\n")
		rows := append([]Throughput(nil), tp.Columns...)
		order := map[string]int{}
		for i, c := range m.Columns {
			order[c.ID] = i
		}
		sort.SliceStable(rows, func(i, j int) bool { return order[rows[i].Column] < order[rows[j].Column] })
		for _, t := range rows {
			fmt.Fprintf(&b, "| %s | %.1f | %s | %.1f | %s | %s |\n", t.Column, t.UploadMedian, ratio(t.UploadMedian, c.UploadMedian),
				t.DownloadMedian, ratio(t.DownloadMedian, c.DownloadMedian), escape(t.Error))
		}
	}

	// A column its release does not provide is one line, not one per feature.
	var absent []string
	for _, c := range m.Columns {
		if c.NotApplicable != "" {
			absent = append(absent, fmt.Sprintf("- every cell of **%s** (n/a): %s\n", c.ID, escape(c.NotApplicable)))
		}
	}
	var problems []Cell
	for _, f := range m.Features {
		for _, c := range m.Columns {
			if cell, ok := m.Cell(f.ID, c.ID); ok && cell.Result != Pass && !(cell.Result == NA && c.NotApplicable != "") {
				problems = append(problems, cell)
			}
		}
	}
	if len(problems)+len(absent) > 0 {
		b.WriteString("\n## Why cells did not pass\n\n" + strings.Join(absent, ""))
		for _, c := range problems {
			fix := ""
			if c.NearestPass != nil {
				fix = " How to fix: " + escape(c.NearestPass.Line())
			}
			fmt.Fprintf(&b, "- **%s** on %s (%s): %s%s\n", c.Feature, c.Column, c.Result, escape(c.Reason), fix)
		}
		b.WriteString("\nThe evidence of each (status codes, response heads, server log lines) is in matrix.json; full logs are in logs/<column>/.\n")
	}
	var notes []string
	for _, f := range m.Features {
		for _, col := range m.Columns {
			if cell, ok := m.Cell(f.ID, col.ID); ok {
				for _, n := range cell.Notes {
					notes = append(notes, fmt.Sprintf("- %s on %s: %s", cell.Feature, cell.Column, escape(n)))
				}
			}
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n## Notes\n\n" + strings.Join(notes, "\n") + "\n")
	}
	m.writeRerun(&b)
	m.writeResent(&b)
	m.writeTempestParity(&b)
	m.writeTempestVerdict(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func escape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// specSeconds is how long a column's specs ran, added up.
func (m *Matrix) specSeconds(column string) float64 {
	total := 0.0
	for _, c := range m.Cells {
		if c.Column == column {
			total += c.DurationS
		}
	}
	return total
}

func ratio(x, limit float64) string {
	if x == 0 || limit == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", x/limit)
}

func errNote(e string) string {
	if e == "" {
		return ""
	}
	return "; " + e
}

// writeRerun lists the cells a rerun ran again, with their earlier and new results.
func (m *Matrix) writeRerun(b *strings.Builder) {
	if m.RerunOf == "" {
		return
	}
	fmt.Fprintf(b, "\n## Rerun\n\nThis matrix is run %s's with the cells that did not pass there run again (run `%s`, `--rerun-failed`); every other cell is run %s's.\n\n| cell | earlier | now |\n|---|---|---|\n", m.RerunOf, m.RunID, m.RerunOf)
	for _, c := range m.Cells {
		if c.Earlier != nil {
			fmt.Fprintf(b, "| %s on %s | %s: %s | %s%s |\n", c.Feature, c.Column, c.Earlier.Result, escape(truncate(c.Earlier.Reason, 120)), c.Result, reasonSuffix(c.Reason))
		}
	}
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + escape(truncate(reason, 120))
}

// writeResent says, per column, how many requests met a kept-alive connection the server had
// dropped without announcing it and were sent again: what a client that neither resends nor
// checks a pooled connection before reuse would have met as errors.
func (m *Matrix) writeResent(b *strings.Builder) {
	var rows []string
	for _, col := range m.Columns {
		n, cells := 0, 0
		for _, c := range m.Cells {
			if c.Column == col.ID && c.Resent > 0 {
				n += c.Resent
				cells++
			}
		}
		if n > 0 {
			rows = append(rows, fmt.Sprintf("| %s | %d | %d |", col.ID, n, cells))
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("\n## Requests resent after a dropped connection\n\nRequests that met a kept-alive connection the server had closed after an answer without `Connection: close` (written on a reused connection, not one byte of answer) were sent once more on a new connection, so that this defect decides only its own row: `http.keep-alive`, or `upload.early-answer` when the answer before the drop came early, before its request's body was sent whole (each cell's note names which). A client that neither resends nor checks a pooled connection for the server's close before reusing it would have failed each of them; urllib3, under keystoneauth, the openstack CLI and Tempest, does check, and passes where the close arrived before its next request (the crosscheck saw Tempest reconnect on uwsgi-http), not where the two cross.\n\n| column | requests resent | cells |\n|---|---|---|\n")
	b.WriteString(strings.Join(rows, "\n") + "\n")
}

// writeTempestParity lists Tempest's image tests (the reference list in fixtures/tempest) with
// the features covering each and the columns where the matrix claims it passes (ParityClaim),
// then the tests no feature covers.
func (m *Matrix) writeTempestParity(b *strings.Builder) {
	covering := map[string][]string{}
	for _, f := range m.Features {
		for _, t := range f.Tempest {
			covering[t] = append(covering[t], f.ID)
		}
	}
	tests := tempest.Tests()
	var covered, missing []string
	for _, t := range tests {
		if len(covering[t]) > 0 {
			covered = append(covered, t)
		} else {
			missing = append(missing, t)
		}
	}
	fmt.Fprintf(b, "\n## Tempest parity\n\nTempest %s has %d image API tests; the features of this run cover %d of them. A test counts as passing in a column when every feature covering it passed there. (`http.keep-alive` is not required: Tempest's client checks a pooled connection for the server's close before reusing it, and a crosscheck on the column that drops kept-alive connections unannounced saw it pass every test whose features passed.)\n\n",
		tempest.Tag, len(tests), len(covered))
	b.WriteString("| Tempest test | covered by | passes in |\n|---|---|---|\n")
	for _, t := range covered {
		var passing []string
		for _, c := range m.Columns {
			if m.ParityClaim(t, c.ID) == ClaimPass {
				passing = append(passing, c.ID)
			}
		}
		where := strings.Join(passing, ", ")
		switch {
		case len(passing) == len(m.Columns):
			where = "every column"
		case len(passing) == 0:
			where = "none"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", strings.TrimPrefix(t, "tempest.api.image.v2."), strings.Join(covering[t], ", "), where)
	}
	why, _ := tempest.Uncovered() // embedded, and checked by a unit test
	if len(missing) > 0 {
		b.WriteString("\nNot covered by any feature, and why (fixtures/tempest/uncovered.yaml):\n\n")
		for _, t := range missing {
			fmt.Fprintf(b, "- `%s`: %s\n", strings.TrimPrefix(t, "tempest.api.image.v2."), why[t])
		}
	}
	// The newer lists: only what each adds.
	lists := tempest.Lists()
	seen := map[string]bool{}
	for _, t := range lists[0].Tests {
		seen[t] = true
	}
	for _, l := range lists[1:] {
		var added []string
		for _, t := range l.Tests {
			if !seen[t] {
				seen[t] = true
				added = append(added, t)
			}
		}
		fmt.Fprintf(b, "\nTempest %s has %d image API tests, %d more than %s:\n\n", l.Tag, len(l.Tests), len(added), lists[0].Tag)
		for _, t := range added {
			if len(covering[t]) > 0 {
				fmt.Fprintf(b, "- `%s`: %s\n", strings.TrimPrefix(t, "tempest.api.image.v2."), strings.Join(covering[t], ", "))
			} else {
				fmt.Fprintf(b, "- `%s`: no feature: %s\n", strings.TrimPrefix(t, "tempest.api.image.v2."), why[t])
			}
		}
	}
}

// releases lists the releases of the columns, in column order.
func (m *Matrix) releases() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range m.Columns {
		if !seen[c.Release] {
			seen[c.Release] = true
			out = append(out, c.Release)
		}
	}
	return out
}

func (m *Matrix) columnsOf(release string) []Column {
	var out []Column
	for _, c := range m.Columns {
		if c.Release == release {
			out = append(out, c)
		}
	}
	return out
}

// writeAcrossReleases is the summary table: feature x topology, each cell naming the releases
// where the feature passed, so that a change between releases stands out.
func (m *Matrix) writeAcrossReleases(b *strings.Builder, releases []string) {
	var topologies []string
	seen := map[string]bool{}
	for _, c := range m.Columns {
		if !seen[c.Topology] {
			seen[c.Topology] = true
			topologies = append(topologies, c.Topology)
		}
	}
	fmt.Fprintf(b, "## Across releases\n\nEach cell names the releases where the feature passed (of %s); `all` and `none` say so of the releases where it ran, `n/a` marks a release without that topology.\n\n| feature |", strings.Join(releases, ", "))
	for _, t := range topologies {
		fmt.Fprintf(b, " %s |", t)
	}
	b.WriteString("\n|---|")
	for range topologies {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, f := range m.Features {
		fmt.Fprintf(b, "| `%s` |", f.ID)
		for _, t := range topologies {
			var passed, na, missing []string
			tested := 0
			for _, rel := range releases {
				cell, ok := m.Cell(f.ID, ColumnID(rel, t))
				switch {
				case !ok:
					missing = append(missing, rel)
				case cell.Result == NA:
					na = append(na, rel)
				case cell.Result == Pass:
					passed = append(passed, rel)
					tested++
				default:
					tested++
				}
			}
			text := strings.Join(passed, ", ")
			switch {
			case tested == 0 && len(na) == 0:
				text = "-"
			case len(passed) == tested && tested > 0 && len(na) == 0:
				text = "all"
			case len(passed) == 0 && tested > 0:
				text = "**none**"
			case len(passed) < tested:
				text = "**" + text + "**"
			}
			if len(na) > 0 {
				if text == "" || text == "-" {
					text = ""
				} else {
					text += "; "
				}
				text += "n/a " + strings.Join(na, ", ")
			}
			if len(missing) > 0 && len(missing) < len(releases) {
				text += "; not run on " + strings.Join(missing, ", ")
			}
			fmt.Fprintf(b, " %s |", text)
		}
		b.WriteString("\n")
	}
}
