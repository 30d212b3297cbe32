package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// A selection is checked, and can be listed, before any image is built: the same labels the
// suite puts on its specs (a column's topology: and release: labels, a feature's feature: label)
// through Ginkgo's own label filter parser.

// cell is one cell a selection picks.
type cell struct{ column, feature string }

// selectedCells lists the cells the label filter picks among the releases and topologies, in
// the order the suite runs them (release by release, then the matrix's row order).
func selectedCells(releases []string, tops []*topology.Topology, filter string, tempest bool) ([]cell, error) {
	match := func([]string) bool { return true }
	if strings.TrimSpace(filter) != "" {
		f, err := types.ParseLabelFilter(filter)
		if err != nil {
			return nil, fmt.Errorf("label filter %q: %s", filter, oneLineError(err))
		}
		match = f
	}
	var cells []cell
	for _, rel := range releases {
		for _, top := range tops {
			for _, f := range feature.All() {
				if match([]string{feature.TopologyLabelPrefix + top.Name, feature.ReleaseLabelPrefix + rel, f.Label()}) {
					cells = append(cells, cell{reports.ColumnID(rel, top.Name), f.ID})
				}
			}
			// The column's throughput benchmark and Tempest run, listed as such (no cells of the matrix).
			for _, spec := range []string{feature.BenchmarkLabel, feature.TempestLabel} {
				if (spec != feature.TempestLabel || tempest) && match([]string{feature.TopologyLabelPrefix + top.Name, feature.ReleaseLabelPrefix + rel, spec}) {
					cells = append(cells, cell{reports.ColumnID(rel, top.Name), spec})
				}
			}
		}
	}
	return cells, nil
}

// oneLineError makes Ginkgo's parse error (a heading, the filter with the position marked in
// terminal colours, then the reason) one plain line: the heading and the reason.
func oneLineError(err error) string {
	var ge types.GinkgoError
	if !errors.As(err, &ge) {
		return strings.Join(strings.Fields(err.Error()), " ")
	}
	lines := strings.Split(strings.TrimSpace(ge.Message), "\n")
	return ge.Heading + ": " + strings.TrimSpace(lines[len(lines)-1])
}

// printCells writes the selection as the --list option shows it: one line per column with its
// features, then the count.
func printCells(cells []cell) {
	var order []string
	byColumn := map[string][]string{}
	for _, c := range cells {
		if byColumn[c.column] == nil {
			order = append(order, c.column)
		}
		byColumn[c.column] = append(byColumn[c.column], c.feature)
	}
	for _, col := range order {
		fmt.Printf("%s: %s\n", col, strings.Join(byColumn[col], " "))
	}
	fmt.Printf("%d cells in %d columns\n", len(cells), len(order))
}
