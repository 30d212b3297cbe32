package reports

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// CellChange is one cell whose result differs from the baseline's.
type CellChange struct {
	Feature string `json:"feature"`
	Column  string `json:"column"`
	Was     Result `json:"was"`
	Now     Result `json:"now"`
	Reason  string `json:"reason,omitempty"`
	// Packages are the package changes of the cell's column since the baseline
	// ("glance 2:25.1.0-2+deb12u3 -> 2:25.1.0-2+deb12u5"): the likely cause of the flip.
	Packages []string `json:"packages,omitempty"`
}

// PackageChange is one package whose version differs from the baseline's in some columns.
type PackageChange struct {
	Change  string   `json:"change"` // "glance 2:25.1.0-2+deb12u3 -> 2:25.1.0-2+deb12u5"
	Columns []string `json:"columns"`
}

// Comparison is a run against a baseline matrix (a nightly's last good run, say).
type Comparison struct {
	Baseline        string       `json:"baseline"` // where it came from
	NewFailures     []CellChange `json:"new_failures,omitempty"`
	NewPasses       []CellChange `json:"new_passes,omitempty"`
	OtherChanges    []CellChange `json:"other_changes,omitempty"`
	NewFeatures     []string     `json:"new_features,omitempty"`
	MissingFeatures []string     `json:"missing_features,omitempty"`
	NewColumns      []string     `json:"new_columns,omitempty"`
	MissingColumns  []string     `json:"missing_columns,omitempty"`
	// Packages lists the package versions that changed, with the columns they changed in.
	Packages []PackageChange `json:"packages,omitempty"`
}

// Regressed tells whether anything that passed in the baseline does not pass now.
func (c *Comparison) Regressed() bool { return len(c.NewFailures) > 0 }

// Compare diffs the matrix against a baseline. A new failure is a cell that passed in the
// baseline and now fails or errors; cells of features or columns only one side has are
// reported as new or missing, not as changes.
func (m *Matrix) Compare(base *Matrix, source string) *Comparison {
	c := &Comparison{Baseline: source}
	c.NewFeatures, c.MissingFeatures = diffIDs(featureIDs(m), featureIDs(base))
	c.NewColumns, c.MissingColumns = diffIDs(columnIDs(m), columnIDs(base))
	byColumn := packageChanges(m, base)
	byChange := map[string][]string{}
	for _, col := range m.Columns {
		for _, ch := range byColumn[col.ID] {
			byChange[ch] = append(byChange[ch], col.ID)
		}
	}
	for _, ch := range slices.Sorted(maps.Keys(byChange)) {
		c.Packages = append(c.Packages, PackageChange{Change: ch, Columns: byChange[ch]})
	}
	for _, now := range m.Cells {
		was, ok := base.Cell(now.Feature, now.Column)
		if !ok || was.Result == now.Result {
			continue
		}
		ch := CellChange{Feature: now.Feature, Column: now.Column, Was: was.Result, Now: now.Result, Reason: now.Reason, Packages: byColumn[now.Column]}
		switch {
		case was.Result == Pass && (now.Result == Fail || now.Result == Error):
			c.NewFailures = append(c.NewFailures, ch)
		case now.Result == Pass:
			c.NewPasses = append(c.NewPasses, ch)
		default:
			c.OtherChanges = append(c.OtherChanges, ch)
		}
	}
	return c
}

// packageChanges lists, by column, the packages whose full Debian version differs between the
// two matrices ("glance a -> b", "keystone (new) b"), sorted; columns either side lacks, or whose
// versions either side did not record (an older baseline), have none.
func packageChanges(m, base *Matrix) map[string][]string {
	out := map[string][]string{}
	for _, now := range m.Columns {
		was := base.column(now.ID)
		if was == nil || len(was.Packages) == 0 || len(now.Packages) == 0 {
			continue
		}
		names := map[string]bool{}
		for _, side := range []map[string]string{was.Packages, now.Packages} {
			for name := range side {
				names[name] = true
			}
		}
		var changes []string
		for _, name := range slices.Sorted(maps.Keys(names)) {
			a, inWas := was.Packages[name]
			b, inNow := now.Packages[name]
			switch {
			case !inWas:
				changes = append(changes, fmt.Sprintf("%s (new) %s", name, b))
			case !inNow:
				changes = append(changes, fmt.Sprintf("%s %s (gone)", name, a))
			case a != b:
				changes = append(changes, fmt.Sprintf("%s %s -> %s", name, a, b))
			}
		}
		if len(changes) > 0 {
			out[now.ID] = changes
		}
	}
	return out
}

// column returns the column with that id, or nil.
func (m *Matrix) column(id string) *Column {
	for i := range m.Columns {
		if m.Columns[i].ID == id {
			return &m.Columns[i]
		}
	}
	return nil
}

func featureIDs(m *Matrix) []string {
	var ids []string
	for _, f := range m.Features {
		ids = append(ids, f.ID)
	}
	return ids
}

func columnIDs(m *Matrix) []string {
	var ids []string
	for _, c := range m.Columns {
		ids = append(ids, c.ID)
	}
	return ids
}

// diffIDs returns the ids only in now, and those only in base.
func diffIDs(now, base []string) (added, missing []string) {
	in := func(list []string, x string) bool {
		for _, y := range list {
			if y == x {
				return true
			}
		}
		return false
	}
	for _, x := range now {
		if !in(base, x) {
			added = append(added, x)
		}
	}
	for _, x := range base {
		if !in(now, x) {
			missing = append(missing, x)
		}
	}
	return added, missing
}

// Lines is the comparison for the terminal and matrix.md, one change a line.
func (c *Comparison) Lines() []string {
	var out []string
	for _, ch := range c.NewFailures {
		out = append(out, fmt.Sprintf("REGRESSION %s on %s: %s -> %s: %s%s", ch.Feature, ch.Column, ch.Was, ch.Now, truncate(oneLineText(ch.Reason), 140), ch.packagesNote()))
	}
	for _, ch := range c.NewPasses {
		out = append(out, fmt.Sprintf("new pass   %s on %s: %s -> %s%s", ch.Feature, ch.Column, ch.Was, ch.Now, ch.packagesNote()))
	}
	for _, ch := range c.OtherChanges {
		out = append(out, fmt.Sprintf("changed    %s on %s: %s -> %s%s", ch.Feature, ch.Column, ch.Was, ch.Now, ch.packagesNote()))
	}
	for _, p := range c.Packages {
		out = append(out, fmt.Sprintf("package    %s on %s", p.Change, strings.Join(p.Columns, ", ")))
	}
	for _, what := range []struct {
		label string
		ids   []string
	}{{"new feature", c.NewFeatures}, {"missing feature", c.MissingFeatures}, {"new column", c.NewColumns}, {"missing column", c.MissingColumns}} {
		// One line a kind: a run of one release against a full baseline misses 28 columns,
		// which are one fact, not 28 changes.
		switch n := len(what.ids); {
		case n == 1:
			out = append(out, fmt.Sprintf("%-10s %s", what.label, what.ids[0]))
		case n > 1:
			out = append(out, fmt.Sprintf("%ss (%d): %s", what.label, n, strings.Join(what.ids, ", ")))
		}
	}
	return out
}

// packagesNote names the column's package changes beside a flipped cell.
func (ch CellChange) packagesNote() string {
	if len(ch.Packages) == 0 {
		return ""
	}
	return " [packages changed: " + strings.Join(ch.Packages, "; ") + "]"
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }

func (m *Matrix) writeComparison(b *strings.Builder) {
	c := m.Comparison
	if c == nil {
		return
	}
	fmt.Fprintf(b, "\n## Compared with the baseline\n\nBaseline: `%s`. %d new failures, %d new passes, %d other changes.\n\n", c.Baseline, len(c.NewFailures), len(c.NewPasses), len(c.OtherChanges))
	for _, l := range c.Lines() {
		fmt.Fprintf(b, "- %s\n", escape(l))
	}
}

// Merge combines matrices run on different machines (shards of releases or topologies) into
// one. A cell present in two shards is an error: shards must not overlap.
func Merge(shards ...*Matrix) (*Matrix, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("nothing to merge")
	}
	out := &Matrix{Schema: Schema, GeneratedAt: shards[0].GeneratedAt}
	// The merged matrix is named by its shards' runs, so that a rerun of it can name it too.
	var runs []string
	for _, s := range shards {
		if s.RunID != "" {
			runs = append(runs, s.RunID)
		}
	}
	out.RunID = strings.Join(runs, "+")
	seenCol := map[string]bool{}
	seenFeature := map[string]bool{}
	for _, s := range shards {
		if s.GeneratedAt.After(out.GeneratedAt) {
			out.GeneratedAt = s.GeneratedAt
		}
		for _, c := range s.Columns {
			if seenCol[c.ID] {
				return nil, fmt.Errorf("column %s is in two shards", c.ID)
			}
			seenCol[c.ID] = true
			out.Columns = append(out.Columns, c)
		}
		for _, f := range s.Features {
			if !seenFeature[f.ID] {
				seenFeature[f.ID] = true
				out.Features = append(out.Features, f)
			}
		}
		out.Cells = append(out.Cells, s.Cells...)
		if s.Throughput != nil {
			tp := out.throughput()
			if tp.Client.UploadMedian == 0 {
				tp.Client = s.Throughput.Client
			}
			tp.Columns = append(tp.Columns, s.Throughput.Columns...)
		}
	}
	return out, nil
}

// OrderColumns puts the columns in the given order of ids (the order the run defined them in,
// which shards running side by side lose); columns not named keep their order, after the rest.
func (m *Matrix) OrderColumns(ids []string) {
	rank := map[string]int{}
	for i, id := range ids {
		rank[id] = i
	}
	pos := func(c Column) int {
		if r, ok := rank[c.ID]; ok {
			return r
		}
		return len(ids)
	}
	sort.SliceStable(m.Columns, func(i, j int) bool { return pos(m.Columns[i]) < pos(m.Columns[j]) })
}
