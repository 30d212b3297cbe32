package reports

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

// ReadGinkgoReport reads the JSON report Ginkgo writes with --json-report.
func ReadGinkgoReport(path string) ([]types.Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var reports []types.Report
	if err := json.Unmarshal(b, &reports); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return reports, nil
}

// Build makes the matrix from Ginkgo's report: columns from the suite's column entry, one cell
// per spec that ran. Specs a label filter left out carry no cell entry and are not cells.
func Build(reports []types.Report, now time.Time) (*Matrix, error) {
	m := &Matrix{Schema: Schema, GeneratedAt: now.UTC()}
	features := map[string]Feature{}
	var featureOrder, registryOrder []string
	for _, r := range reports {
		for _, sr := range r.SpecReports {
			if e, ok := entry(sr, FeaturesEntryName); ok {
				var fs []Feature
				if err := json.Unmarshal([]byte(e), &fs); err != nil {
					return nil, fmt.Errorf("features entry: %w", err)
				}
				for _, f := range fs {
					registryOrder = append(registryOrder, f.ID)
				}
			}
			if e, ok := entry(sr, ColumnsEntryName); ok {
				var cols []Column
				if err := json.Unmarshal([]byte(e), &cols); err != nil {
					return nil, fmt.Errorf("columns entry: %w", err)
				}
				m.Columns = append(m.Columns, cols...)
			}
			if e, ok := entry(sr, ClientThroughputEntryName); ok {
				m.throughput().Client = Throughput{}
				if err := json.Unmarshal([]byte(e), &m.throughput().Client); err != nil {
					return nil, fmt.Errorf("client throughput entry: %w", err)
				}
			}
			if e, ok := entry(sr, ThroughputEntryName); ok {
				var t Throughput
				if err := json.Unmarshal([]byte(e), &t); err != nil {
					return nil, fmt.Errorf("throughput entry: %w", err)
				}
				m.throughput().Columns = append(m.throughput().Columns, t)
			}
			if e, ok := entry(sr, TempestEntryName); ok {
				var t TempestRun
				if err := json.Unmarshal([]byte(e), &t); err != nil {
					return nil, fmt.Errorf("tempest entry: %w", err)
				}
				m.Tempest = append(m.Tempest, t)
				continue
			}
			e, ok := entry(sr, CellEntryName)
			if !ok {
				if c, ok := cellWithoutEntry(sr); ok {
					m.Cells = append(m.Cells, c)
				}
				continue
			}
			var ce CellEntry
			if err := json.Unmarshal([]byte(e), &ce); err != nil {
				return nil, fmt.Errorf("cell entry: %w", err)
			}
			if _, seen := features[ce.Feature.ID]; !seen {
				features[ce.Feature.ID] = ce.Feature
				featureOrder = append(featureOrder, ce.Feature.ID)
			}
			m.Cells = append(m.Cells, cellOf(sr, ce))
		}
	}
	// A column's own entry (written once it started) replaces what the suite knew before.
	for _, r := range reports {
		for _, sr := range r.SpecReports {
			if e, ok := entry(sr, ColumnEntryName); ok {
				var col Column
				if err := json.Unmarshal([]byte(e), &col); err != nil {
					return nil, fmt.Errorf("column entry: %w", err)
				}
				replaced := false
				for i := range m.Columns {
					if m.Columns[i].ID == col.ID {
						m.Columns[i], replaced = col, true
					}
				}
				if !replaced {
					m.Columns = append(m.Columns, col)
				}
			}
		}
	}
	// A column none of whose specs ran (a focus or skip filter left them all out) is no column
	// of this matrix.
	ran := map[string]bool{}
	for _, c := range m.Cells {
		ran[c.Column] = true
	}
	if m.Throughput != nil {
		for _, t := range m.Throughput.Columns {
			ran[t.Column] = true
		}
	}
	if len(ran) > 0 {
		m.Columns = slices.DeleteFunc(m.Columns, func(c Column) bool { return !ran[c.ID] })
	}
	// Rows follow the registry's order; features the registry entry does not name come last.
	for _, id := range append(registryOrder, featureOrder...) {
		if f, ok := features[id]; ok {
			m.Features = append(m.Features, f)
			delete(features, id)
		}
	}
	if len(m.Columns) == 0 && len(m.Cells) > 0 {
		return nil, fmt.Errorf("the report has cells but no column entry: was the suite's BeforeSuite skipped?")
	}
	return m, nil
}

func (m *Matrix) throughput() *ThroughputReport {
	if m.Throughput == nil {
		m.Throughput = &ThroughputReport{}
	}
	return m.Throughput
}

func cellOf(sr types.SpecReport, ce CellEntry) Cell {
	c := Cell{Feature: ce.Feature.ID, Column: ce.Column, DurationS: roundS(CellTime(sr))}
	msg := firstLine(sr.Failure.Message)
	_, harness := entry(sr, HarnessErrorEntryName)
	_, na := entry(sr, NotApplicableEntryName)
	switch {
	case na && sr.State == types.SpecStateSkipped:
		c.Result, c.Reason = NA, msg
	case sr.State == types.SpecStatePassed:
		c.Result = Pass
	case sr.State == types.SpecStateSkipped:
		c.Result, c.Reason = Skip, msg
	case harness:
		c.Result, c.Reason = Error, msg
	case sr.State == types.SpecStateFailed:
		c.Result, c.Reason = Fail, msg
	case sr.State == types.SpecStateTimedout:
		c.Result, c.Reason = Fail, "timed out: "+msg
	case sr.State == types.SpecStatePanicked:
		c.Result, c.Reason = Error, "harness panic: "+msg
	default: // interrupted, aborted, pending
		c.Result, c.Reason = Error, fmt.Sprintf("spec %s: %s", sr.State, msg)
	}
	for _, e := range sr.ReportEntries {
		if e.Name == NoteEntryName {
			var note string
			if json.Unmarshal([]byte(e.Value.AsJSON), &note) == nil {
				c.Notes = append(c.Notes, note)
			}
		}
	}
	if e, ok := entry(sr, ResentEntryName); ok {
		_ = json.Unmarshal([]byte(e), &c.Resent)
	}
	if e, ok := entry(sr, EvidenceEntryName); ok {
		var ev EvidenceEntry
		if json.Unmarshal([]byte(e), &ev) == nil {
			for _, x := range ev.Exchanges {
				c.Evidence = append(c.Evidence, "http: "+x)
			}
			c.Evidence = append(c.Evidence, ev.Logs...)
		}
	}
	return c
}

// entry returns the JSON of the named report entry of a spec.
func entry(sr types.SpecReport, name string) (string, bool) {
	for _, e := range sr.ReportEntries {
		if e.Name == name {
			return e.Value.AsJSON, true
		}
	}
	return "", false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// FeatureLabelPrefix starts the label that names a spec's feature (suites/feature uses it).
const FeatureLabelPrefix = "feature:"

// cellWithoutEntry is the cell of a feature's spec that ended before its body could say which
// cell it is: its column's start (Ginkgo's BeforeAll, run with it) failed, timed out or was
// interrupted, and Ginkgo skipped the column's other specs for it. Such a cell is the harness's
// error, never a missing row.
func cellWithoutEntry(sr types.SpecReport) (Cell, bool) {
	if sr.LeafNodeType != types.NodeTypeIt || len(sr.ContainerHierarchyTexts) == 0 ||
		(sr.State.Is(types.SpecStateSkipped) && sr.Failure.Message == "") || sr.State.Is(types.SpecStatePassed|types.SpecStatePending) {
		return Cell{}, false // passed, or left out by a filter
	}
	for _, l := range sr.Labels() {
		if id, ok := strings.CutPrefix(l, FeatureLabelPrefix); ok {
			msg := firstLine(sr.Failure.Message)
			if msg == "" {
				msg = sr.State.String()
			}
			return Cell{Feature: id, Column: sr.ContainerHierarchyTexts[len(sr.ContainerHierarchyTexts)-1], Result: Error,
				Reason: "the column's start did not end: " + msg, DurationS: roundS(sr.RunTime)}, true
		}
	}
	return Cell{}, false
}

// CellTime is how long a spec took, less its column's start and stop (columnTime).
func CellTime(sr types.SpecReport) time.Duration { return sr.RunTime - columnTime(sr) }

// columnTime is the part of a spec's run time its column's start (BeforeAll, with the first
// spec) and stop (the cleanup BeforeAll registered, with the last) took: the column's, not the
// cell's.
func columnTime(sr types.SpecReport) time.Duration {
	var d time.Duration
	for _, e := range sr.SpecEvents {
		if e.SpecEventType == types.SpecEventNodeEnd && e.NodeType.Is(types.NodeTypeBeforeAll|types.NodeTypeCleanupAfterAll) {
			d += e.Duration
		}
	}
	return d
}

func roundS(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

// Summary counts results.
type Summary struct {
	Total, Passed, Failed, Skipped, Errors, NotApplicable int
}

// String is the summary in words: "6 cells: 2 passed, 2 failed, 0 skipped, 2 errors".
func (s Summary) String() string {
	out := fmt.Sprintf("%d cells: %d passed, %d failed, %d skipped, %d errors", s.Total, s.Passed, s.Failed, s.Skipped, s.Errors)
	if s.NotApplicable > 0 {
		out += fmt.Sprintf(", %d n/a", s.NotApplicable)
	}
	return out
}

// Summarize counts the cells' results.
func (m *Matrix) Summarize() Summary {
	var s Summary
	for _, c := range m.Cells {
		s.Total++
		switch c.Result {
		case Pass:
			s.Passed++
		case Fail:
			s.Failed++
		case Skip:
			s.Skipped++
		case Error:
			s.Errors++
		case NA:
			s.NotApplicable++
		}
	}
	return s
}

// Cell returns the cell of a feature in a column.
func (m *Matrix) Cell(feature, column string) (Cell, bool) {
	for _, c := range m.Cells {
		if c.Feature == feature && c.Column == column {
			return c, true
		}
	}
	return Cell{}, false
}

// WriteJSON writes matrix.json.
func (m *Matrix) WriteJSON(path string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ReadJSON reads a matrix.json.
func ReadJSON(path string) (*Matrix, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Matrix
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", path, m.Schema, Schema)
	}
	return &m, nil
}
