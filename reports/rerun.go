package reports

import "fmt"

// A rerun (run --rerun-failed) runs again only the cells of an earlier matrix that did not pass
// (fail or error) and folds its cells into that matrix: every other cell stays as it was, and a
// rerun cell keeps the earlier result beside its new one.

// Earlier is the result a rerun cell had in the matrix the rerun replaced it in.
type Earlier struct {
	RunID    string   `json:"run_id,omitempty"`
	Result   Result   `json:"result"`
	Reason   string   `json:"reason,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
}

// Rerunnable lists the cells a rerun runs again: those that failed or errored.
func (m *Matrix) Rerunnable() []Cell {
	var out []Cell
	for _, c := range m.Cells {
		if c.Result == Fail || c.Result == Error {
			out = append(out, c)
		}
	}
	return out
}

// WithRerun returns the earlier matrix with the rerun's cells in place of its own, each with its
// earlier result, and the rerun's metadata for the columns it started again. A rerun cell the
// earlier matrix lacks, or a rerunnable cell the rerun did not produce, is an error: the two do
// not belong together.
func WithRerun(earlier, rerun *Matrix) (*Matrix, error) {
	out := *earlier
	out.Cells = append([]Cell(nil), earlier.Cells...)
	out.Columns = append([]Column(nil), earlier.Columns...)
	out.RunID, out.Tool, out.GeneratedAt = rerun.RunID, rerun.Tool, rerun.GeneratedAt
	out.RerunOf = earlier.RunID
	out.Comparison, out.Claims, out.Throughput = nil, nil, earlier.Throughput
	index := map[[2]string]int{}
	for i, c := range out.Cells {
		index[[2]string{c.Column, c.Feature}] = i
	}
	replaced := map[[2]string]bool{}
	for _, c := range rerun.Cells {
		k := [2]string{c.Column, c.Feature}
		i, ok := index[k]
		if !ok {
			return nil, fmt.Errorf("the rerun produced %s on %s, which the earlier matrix does not have", c.Feature, c.Column)
		}
		old := out.Cells[i]
		c.Earlier = &Earlier{RunID: earlier.RunID, Result: old.Result, Reason: old.Reason, Evidence: old.Evidence}
		out.Cells[i] = c
		replaced[k] = true
	}
	for _, c := range earlier.Rerunnable() {
		if !replaced[[2]string{c.Column, c.Feature}] {
			return nil, fmt.Errorf("the rerun did not produce %s on %s", c.Feature, c.Column)
		}
	}
	for _, col := range rerun.Columns {
		for i := range out.Columns {
			if out.Columns[i].ID == col.ID {
				out.Columns[i] = col
			}
		}
	}
	return &out, nil
}
