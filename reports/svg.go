package reports

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// svgColours are the result colours of matrix.svg and matrix.html.
var svgColours = map[Result]string{Pass: "#66bb6a", Fail: "#e53935", Skip: "#bdbdbd", Error: "#fb8c00", NA: "#eeeeee"}

// WriteSVG renders matrix.svg: every feature x column as a coloured square, columns grouped by
// release, with a legend; small enough to embed in a README or a CI summary.
func (m *Matrix) WriteSVG(w io.Writer) error {
	const cell, gap, labelW, headerH, legendH = 12, 2, 190, 150, 30
	cols := m.Columns
	summary := m.Summarize().String()
	// Room for the last column's slanted label, and for the legend line.
	width := max(labelW+len(cols)*(cell+gap)+110, 10+5*70+len(summary)*6)
	height := headerH + len(m.Features)*(cell+gap) + legendH + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="10">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="#ffffff"/>`+"\n")
	for i, c := range cols {
		x := labelW + i*(cell+gap) + cell/2 + 3
		fmt.Fprintf(&b, `<text transform="translate(%d,%d) rotate(-60)">%s</text>`+"\n", x, headerH-4, html.EscapeString(c.ID))
	}
	for j, f := range m.Features {
		y := headerH + j*(cell+gap)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelW-6, y+cell-2, html.EscapeString(f.ID))
		for i, c := range cols {
			x := labelW + i*(cell+gap)
			colour, title := "#ffffff", "not run"
			if cl, ok := m.Cell(f.ID, c.ID); ok {
				colour, title = svgColours[cl.Result], string(cl.Result)
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#9e9e9e" stroke-width="0.5"><title>%s on %s: %s</title></rect>`+"\n",
				x, y, cell, cell, colour, html.EscapeString(f.ID), html.EscapeString(c.ID), title)
		}
	}
	y := headerH + len(m.Features)*(cell+gap) + 14
	x := 10
	for _, r := range []Result{Pass, Fail, Skip, Error, NA} {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#9e9e9e" stroke-width="0.5"/><text x="%d" y="%d">%s</text>`+"\n",
			x, y, cell, cell, svgColours[r], x+cell+4, y+cell-2, r)
		x += 70
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", x, y+cell-2, html.EscapeString(summary))
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
