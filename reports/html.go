package reports

import (
	"encoding/json"
	"html/template"
	"io"
)

// WriteHTML renders matrix.html: one self-contained page (no network, no external assets) with
// a table per release, a colour per result, the columns' metadata, the document's claims, and
// a cell's reason, evidence and notes shown when the cell is clicked.
func (m *Matrix) WriteHTML(w io.Writer) error {
	type row struct {
		Feature Feature
		Cells   []Cell
	}
	type table struct {
		Release string
		Glance  string
		Columns []Column
		Rows    []row
	}
	var tables []table
	for _, rel := range m.releases() {
		cols := m.columnsOf(rel)
		t := table{Release: rel, Glance: cols[0].GlanceVersion, Columns: cols}
		for _, f := range m.Features {
			r := row{Feature: f}
			for _, c := range cols {
				cell, ok := m.Cell(f.ID, c.ID)
				if !ok {
					cell = Cell{Feature: f.ID, Column: c.ID, Result: "-"}
				}
				r.Cells = append(r.Cells, cell)
			}
			t.Rows = append(t.Rows, r)
		}
		tables = append(tables, t)
	}
	cells, err := json.Marshal(m.Cells)
	if err != nil {
		return err
	}
	return htmlPage.Execute(w, map[string]any{
		"M":       m,
		"Summary": m.Summarize().String(),
		"Tables":  tables,
		"Cells":   template.JS(cells),
	})
}

var htmlPage = template.Must(template.New("matrix").Funcs(template.FuncMap{
	"cellID": func(c Cell) string { return c.Feature + "|" + c.Column },
	"class": func(r Result) string {
		switch r {
		case Pass:
			return "pass"
		case Fail:
			return "fail"
		case Skip:
			return "skip"
		case Error:
			return "error"
		case NA:
			return "na"
		}
		return "none"
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Glance conformance matrix</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left}
th.col{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal}
td.cell{text-align:center;cursor:pointer;min-width:3.5em}
td.pass{background:#c8e6c9}td.fail{background:#ef9a9a;font-weight:bold}td.skip{background:#e0e0e0}
td.error{background:#ffcc80;font-weight:bold}td.na{background:#f5f5f5;color:#888}td.none{background:#fff}
td.cell.selected{outline:3px solid #1565c0}
#detail{position:sticky;bottom:0;background:#fffde7;border:1px solid #e0c000;padding:.6em 1em;display:none;max-height:40vh;overflow:auto}
#detail pre{white-space:pre-wrap;margin:.3em 0;font-size:12px}
.legend span{display:inline-block;padding:2px 8px;margin-right:4px;border:1px solid #ccc}
</style></head><body>
<h1>Glance conformance matrix</h1>
<p>Generated {{.M.GeneratedAt.Format "2006-01-02 15:04 MST"}}. {{.Summary}}.</p>
{{with .M.FromSource}}<p><strong>Glance from a source tree</strong>: {{.}}, installed over each release's packaged Glance and its packaged dependencies (GLANCE_SRC); not the Debian package.</p>{{end}}
<p class="legend"><span class="pass" style="background:#c8e6c9">pass</span><span style="background:#ef9a9a">fail: a finding about Glance or its server</span><span style="background:#e0e0e0">skip</span><span style="background:#ffcc80">error: the harness could not test it</span><span style="background:#f5f5f5">n/a: the release does not provide the topology</span> Click a cell for its reason and evidence.</p>
{{range .Tables}}
<h2>{{.Release}} (Glance {{.Glance}})</h2>
<table class="matrix" data-release="{{.Release}}">
<thead><tr><th>feature</th>{{range .Columns}}<th class="col" title="{{.Description}}">{{.Topology}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr><th title="{{.Feature.Proves}}">{{.Feature.ID}}</th>{{range .Cells}}<td class="cell {{class .Result}}" data-cell="{{cellID .}}">{{.Result}}</td>{{end}}</tr>
{{end}}</tbody></table>
{{end}}
{{if .M.Claims}}<h2>Documented vs observed</h2>
<table><thead><tr><th>claim</th><th>says</th><th>releases</th><th>verdict</th><th>for / against</th></tr></thead><tbody>
{{range .M.Claims}}<tr><td>{{.ID}}</td><td>{{.Quote}}<br><small>{{.Source.Document}}, {{.Source.Section}}, {{.Source.Revision}}</small></td><td>{{range .Releases}}{{.}} {{end}}</td><td><b>{{.Verdict}}</b></td><td>{{.Supporting}} / {{.Against}}</td></tr>
{{end}}</tbody></table>{{end}}
{{with .M.TempestSummaries}}<h2>Tempest's own verdict</h2>
<p>Tempest's image API tests, run by Tempest itself against each column after its features (make crosscheck), each verdict set beside the matrix's parity claim for the test. Skipped tests, and tests the matrix makes no claim on, are not compared.</p>
<table class="tempest"><thead><tr><th>column</th><th>Tempest</th><th>tests</th><th>passed</th><th>failed</th><th>skipped</th><th>agree</th><th>disagree (explained)</th><th>disagree (unexplained)</th><th>not compared</th><th>files</th></tr></thead><tbody>
{{range .}}<tr><td>{{.Run.Column}}</td><td>{{.Run.Version}}</td>{{if .Run.Error}}<td colspan="8" class="error">error: {{.Run.Error}}</td>{{else}}<td>{{len .Run.Results}}</td><td>{{.Passed}}</td><td>{{.Failed}}</td><td>{{.Skipped}}</td><td>{{.Agree}}</td><td>{{.Explained}}</td><td{{if .Unexplained}} class="fail"{{end}}>{{.Unexplained}}</td><td>{{.None}}</td>{{end}}<td>{{.Run.Files}}</td></tr>
{{end}}</tbody></table>{{end}}
{{with .M.Disagreements}}<h3>Disagreements</h3>
<table class="disagreements"><thead><tr><th>column</th><th>test</th><th>Tempest</th><th>matrix</th><th>whose</th><th>why</th></tr></thead><tbody>
{{range .}}<tr><td>{{.Column}}</td><td>{{.Test}}</td><td>{{.Tempest}}{{if .Detail}}: {{.Detail}}{{end}}</td><td>{{.Claim}}</td>{{with .Explanation}}<td>{{.Kind}}</td><td>{{.Why}}</td>{{else}}<td class="fail">unexplained</td><td></td>{{end}}</tr>
{{end}}</tbody></table>{{end}}
<h2>Columns</h2>
<table><thead><tr><th>column</th><th>Glance</th><th>servers</th><th>started in</th><th>note</th></tr></thead><tbody>
{{range .M.Columns}}<tr><td>{{.ID}}</td><td>{{.GlanceBuild}}</td><td>{{range $k, $v := .Servers}}{{$k}} {{$v}}<br>{{end}}</td><td>{{printf "%.1f" .StartSeconds}}s</td><td>{{.Description}}{{if .Restarted}}<br>{{.Restarted}}{{end}}{{if .Unprobed}}<br>{{.Unprobed}}{{end}}{{if .NotApplicable}}<br>not provided: {{.NotApplicable}}{{end}}{{if .Error}}<br>did not start: {{.Error}}{{end}}</td></tr>
{{end}}</tbody></table>
<div id="detail"><b id="detail-title"></b> <a href="#" id="detail-close">close</a><div id="detail-body"></div></div>
<script>
const cells = {{.Cells}};
const byId = {};
for (const c of cells) byId[c.feature + "|" + c.column] = c;
function esc(s) { const d = document.createElement("div"); d.textContent = s; return d.innerHTML; }
function show(id) {
  const c = byId[id];
  document.querySelectorAll("td.selected").forEach(td => td.classList.remove("selected"));
  const td = document.querySelector('td[data-cell="' + CSS.escape(id) + '"]');
  if (td) td.classList.add("selected");
  document.getElementById("detail-title").textContent = c ? c.feature + " on " + c.column + ": " + c.result : id + ": not run";
  let h = "";
  if (c && c.reason) h += "<p>" + esc(c.reason) + "</p>";
  if (c && c.evidence && c.evidence.length) h += "<pre>" + esc(c.evidence.join("\n")) + "</pre>";
  if (c && c.nearest_pass) h += "<p>How to fix: passes under " + esc(c.nearest_pass.column) + (c.nearest_pass.diff && c.nearest_pass.diff.length ? "; the difference:</p><pre>" + esc(c.nearest_pass.diff.join("\n")) + (c.nearest_pass.more ? "\n(" + c.nearest_pass.more + " more lines)" : "") + "</pre>" : ", whose configuration does not differ</p>");
  if (c && c.notes && c.notes.length) h += "<p>Notes: " + esc(c.notes.join("; ")) + "</p>";
  if (c) h += "<p><small>" + c.duration_s + " s</small></p>";
  document.getElementById("detail-body").innerHTML = h;
  document.getElementById("detail").style.display = "block";
}
document.querySelectorAll("td.cell").forEach(td => td.addEventListener("click", () => show(td.dataset.cell)));
document.getElementById("detail-close").addEventListener("click", e => { e.preventDefault(); document.getElementById("detail").style.display = "none"; });
</script>
</body></html>
`))
