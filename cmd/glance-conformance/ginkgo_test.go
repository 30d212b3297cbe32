package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/glance-conformance/glance-conformance/suites/runconfig"
)

// The progress file is read while processes append to it: a line is shown once it is whole,
// numbered against the total the first process wrote.
func TestProgressTailNumbersWholeLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "progress.log")
	var shown bytes.Buffer
	tail := newProgressTail(path, (&lineWriter{mu: &sync.Mutex{}, w: &shown}).source())
	tail.read() // no file yet
	appendTo := func(s string) {
		f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		f.WriteString(s)
		f.Close()
	}
	appendTo(runconfig.ProgressTotal + "3\n  bookworm/standalone: ready at http://127.0.0.1:1/ in 9s\nbookworm/standalone api.versions: pass (0.1s)\nbookworm/mod_wsgi api.ver")
	tail.read()
	appendTo("sions: FAIL: GET /versions answered 500 (0.2s)\n")
	tail.read()
	lines := strings.Split(strings.TrimRight(shown.String(), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "  bookworm/standalone: ready at http://127.0.0.1:1/ in 9s" ||
		!strings.HasPrefix(lines[1], "[1/3 ") || !strings.HasSuffix(lines[1], "] bookworm/standalone api.versions: pass (0.1s)") ||
		!strings.HasPrefix(lines[2], "[2/3 ") || !strings.HasSuffix(lines[2], "] bookworm/mod_wsgi api.versions: FAIL: GET /versions answered 500 (0.2s)") {
		t.Errorf("shown:\n%s", shown.String())
	}
}
