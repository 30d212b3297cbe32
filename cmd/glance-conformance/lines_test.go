package main

import (
	"strings"
	"sync"
	"testing"
)

// Two processes writing at once never cut each other's lines.
func TestLineWriterKeepsLinesWhole(t *testing.T) {
	var b strings.Builder
	l := &lineWriter{mu: &sync.Mutex{}, w: &b}
	var wg sync.WaitGroup
	for _, name := range []string{"aaaa", "bbbb"} {
		w := l.source()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				w.Write([]byte(name[:2]))
				w.Write([]byte(name[2:] + "\n" + name[:1]))
				w.Write([]byte(name[1:] + "\n"))
			}
			w.Write([]byte("tail-" + name))
			w.Flush()
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 802 {
		t.Fatalf("%d lines, want 802", len(lines))
	}
	for _, line := range lines {
		if line != "aaaa" && line != "bbbb" && line != "tail-aaaa" && line != "tail-bbbb" {
			t.Fatalf("a cut line: %q", line)
		}
	}
}
