package reports

import (
	"fmt"
	"sort"
	"strings"
)

// How to fix a failed cell: the nearest column of the same release where the feature passes,
// and how the two configurations differ. "Nearest" is the column whose configuration differs by
// the fewest lines: its topology folder's files and the Glance configuration rendered for it.
// Computed from the folders and this run's cells, never written by hand.

// ColumnFiles is a column's configuration by name ("glance-api-vhost.conf", "glance/glance-api.conf").
type ColumnFiles map[string]string

// NearestPass names, for a failed cell, the nearest column where its feature passes.
type NearestPass struct {
	Column string `json:"column"`
	// Diff lists the configuration lines only the failing column has ("- file: line") and only
	// the passing one has ("+ file: line"), comments and blank lines left out; at most
	// nearestDiffLines of them, More counting the rest.
	Diff []string `json:"diff"`
	More int      `json:"more,omitempty"`
}

const nearestDiffLines = 12

// AddNearestPasses fills each failed cell's NearestPass from the columns' files; a column
// without files (a certified cloud) is never compared.
func (m *Matrix) AddNearestPasses(files map[string]ColumnFiles) {
	release := map[string]string{}
	for _, c := range m.Columns {
		release[c.ID] = c.Release
	}
	for i, c := range m.Cells {
		if c.Result != Fail || files[c.Column] == nil {
			continue
		}
		var best *NearestPass
		bestSize := 0
		for _, other := range m.Cells {
			if other.Feature != c.Feature || other.Result != Pass || other.Column == c.Column ||
				release[other.Column] != release[c.Column] || files[other.Column] == nil {
				continue
			}
			diff := configDiff(files[c.Column], files[other.Column])
			if best == nil || len(diff) < bestSize || len(diff) == bestSize && other.Column < best.Column {
				best, bestSize = &NearestPass{Column: other.Column, Diff: diff}, len(diff)
			}
		}
		if best != nil && len(best.Diff) > nearestDiffLines {
			best.More, best.Diff = len(best.Diff)-nearestDiffLines, best.Diff[:nearestDiffLines]
		}
		m.Cells[i].NearestPass = best
	}
}

// renderedPrefix starts the names of the Glance configuration rendered for a column.
const renderedPrefix = "glance/"

// configDiff lists the significant lines of each file that only one side has. The rendered
// Glance configuration is compared only when both sides have it (a rerun has it only for the
// columns it started again), and then stands for the topology folder's overrides of the same
// files, which it contains.
func configDiff(failing, passing ColumnFiles) []string {
	rendered := hasRendered(failing) && hasRendered(passing)
	names := map[string]bool{}
	for _, side := range []ColumnFiles{failing, passing} {
		for n := range side {
			switch {
			case strings.HasPrefix(n, renderedPrefix) && !rendered:
			case !strings.HasPrefix(n, renderedPrefix) && rendered && (failing[renderedPrefix+n] != "" || passing[renderedPrefix+n] != ""):
			default:
				names[n] = true
			}
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var out []string
	for _, n := range sorted {
		a, b := significant(failing[n]), significant(passing[n])
		for _, l := range a.lines {
			if !b.has[l] {
				out = append(out, "- "+n+": "+l)
			}
		}
		for _, l := range b.lines {
			if !a.has[l] {
				out = append(out, "+ "+n+": "+l)
			}
		}
	}
	return out
}

func hasRendered(files ColumnFiles) bool {
	for n := range files {
		if strings.HasPrefix(n, renderedPrefix) {
			return true
		}
	}
	return false
}

type lineSet struct {
	lines []string
	has   map[string]bool
}

// significant are a file's lines that configure something: not blank, not a comment, not the
// topology's description; whitespace collapsed; an INI option with its [section] before it.
func significant(content string) lineSet {
	s := lineSet{has: map[string]bool{}}
	section := ""
	for _, l := range strings.Split(content, "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";") || strings.HasPrefix(l, "description:") {
			continue
		}
		if strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]") {
			section = l
			continue
		}
		if section != "" {
			l = section + " " + l
		}
		if s.has[l] {
			continue
		}
		s.has[l] = true
		s.lines = append(s.lines, l)
	}
	return s
}

// Line is the nearest pass in one line, for matrix.md.
func (n *NearestPass) Line() string {
	if len(n.Diff) == 0 {
		return fmt.Sprintf("passes under %s, whose configuration does not differ (the difference is not in the configuration)", n.Column)
	}
	if n.More > 0 {
		// Another way of deploying altogether: a list of its lines would not read as a fix.
		return fmt.Sprintf("passes under %s, whose configuration differs in %d lines (the first %d in matrix.json)", n.Column, len(n.Diff)+n.More, len(n.Diff))
	}
	return fmt.Sprintf("passes under %s; the difference: `%s`", n.Column, strings.Join(n.Diff, "`; `"))
}
