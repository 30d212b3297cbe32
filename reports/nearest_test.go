package reports

import (
	"strings"
	"testing"
)

func TestRenderedConfigIsComparedOnlyWhenBothSidesHaveIt(t *testing.T) {
	overrides := "[DEFAULT]\nworkers = 2\n"
	a := ColumnFiles{"glance-api.conf": overrides, "glance/glance-api.conf": "[DEFAULT]\nworkers = 2\n[oslo_policy]\nenforce_scope = false\n"}
	b := ColumnFiles{"glance-api.conf": "[DEFAULT]\nworkers = 4\n", "glance/glance-api.conf": "[DEFAULT]\nworkers = 4\n[oslo_policy]\nenforce_scope = false\n"}
	if d := strings.Join(configDiff(a, b), "|"); d != "- glance/glance-api.conf: [DEFAULT] workers = 2|+ glance/glance-api.conf: [DEFAULT] workers = 4" {
		t.Errorf("both rendered: %s (want the rendered difference once, with its section)", d)
	}
	delete(b, "glance/glance-api.conf") // a column of the earlier run, in a rerun
	if d := strings.Join(configDiff(a, b), "|"); d != "- glance-api.conf: [DEFAULT] workers = 2|+ glance-api.conf: [DEFAULT] workers = 4" {
		t.Errorf("one side rendered: %s (want the folders' difference only)", d)
	}
}

func TestAFailedCellNamesTheNearestPassingColumnAndTheDifference(t *testing.T) {
	vhost := "<VirtualHost *:9292>\n    # the app\n    WSGIDaemonProcess glance-api processes=2\n%s</VirtualHost>\n"
	files := map[string]ColumnFiles{
		"bookworm/mod_wsgi":       {"glance-api-vhost.conf": strings.Replace(vhost, "%s", "", 1), "topology.yaml": "description: plain\nservers: [apache, mod_wsgi]\n"},
		"bookworm/mod_wsgi-tuned": {"glance-api-vhost.conf": strings.Replace(vhost, "%s", "    WSGIChunkedRequest On\n", 1), "topology.yaml": "description: tuned\nservers: [apache, mod_wsgi]\n"},
		"bookworm/standalone":     {"topology.yaml": "description: eventlet\nservers: [eventlet]\n", "glance/glance-api.conf": "[DEFAULT]\nworkers = 2\n"},
		"trixie/mod_wsgi-tuned":   {"glance-api-vhost.conf": strings.Replace(vhost, "%s", "    WSGIChunkedRequest On\n", 1)},
	}
	m := &Matrix{Features: []Feature{{ID: "upload.chunked"}, {ID: "image.tags"}}, Columns: []Column{
		{ID: "bookworm/mod_wsgi", Release: "bookworm"}, {ID: "bookworm/mod_wsgi-tuned", Release: "bookworm"},
		{ID: "bookworm/standalone", Release: "bookworm"}, {ID: "trixie/mod_wsgi-tuned", Release: "trixie"},
	}, Cells: []Cell{
		{Feature: "upload.chunked", Column: "bookworm/mod_wsgi", Result: Fail, Reason: "answered 411"},
		{Feature: "upload.chunked", Column: "bookworm/mod_wsgi-tuned", Result: Pass},
		{Feature: "upload.chunked", Column: "bookworm/standalone", Result: Pass},
		{Feature: "upload.chunked", Column: "trixie/mod_wsgi-tuned", Result: Pass},
		{Feature: "image.tags", Column: "bookworm/mod_wsgi", Result: Fail},
		{Feature: "image.tags", Column: "trixie/mod_wsgi-tuned", Result: Pass},
	}}
	m.AddNearestPasses(files)
	n := m.Cells[0].NearestPass
	if n == nil || n.Column != "bookworm/mod_wsgi-tuned" || strings.Join(n.Diff, "|") != "+ glance-api-vhost.conf: WSGIChunkedRequest On" {
		t.Fatalf("nearest pass %+v, want mod_wsgi-tuned differing by WSGIChunkedRequest On", n)
	}
	if m.Cells[4].NearestPass != nil {
		t.Errorf("a column of another release was offered: %+v", m.Cells[4].NearestPass)
	}
	var md strings.Builder
	m.WriteMarkdown(&md)
	if !strings.Contains(md.String(), "How to fix: passes under bookworm/mod_wsgi-tuned; the difference: `+ glance-api-vhost.conf: WSGIChunkedRequest On`") {
		t.Errorf("matrix.md does not say how to fix it")
	}
}
