package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

func TestANewOrEmptyFolderBecomesAnOutputFolder(t *testing.T) {
	for _, dir := range []string{filepath.Join(t.TempDir(), "new", "out"), t.TempDir()} {
		if err := prepareOutput(dir); err != nil {
			t.Fatal(err)
		}
		if !exists(filepath.Join(dir, outputMarker)) {
			t.Errorf("%s: no marker", dir)
		}
	}
}

func TestAnOutputFolderOfOursIsEmptiedOfWhatWeWrite(t *testing.T) {
	dir := t.TempDir()
	if err := prepareOutput(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"matrix.json", "matrix.md", "logs/bookworm/standalone/glance.log", "host.lock.main", "tempest/sid/standalone/junit.xml", "certification/" + outputMarker, "certification/summary.md"} {
		write(t, filepath.Join(dir, f))
	}
	if err := prepareOutput(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != outputMarker+" certification" || !exists(filepath.Join(dir, "certification", "summary.md")) {
		t.Errorf("left: %v; want only the marker and the certification (another output, left alone)", names)
	}
}

func TestAParentOfACertificationIsOurs(t *testing.T) {
	// make certify writes out/certification first; make conformance then writes out.
	dir := t.TempDir()
	if err := prepareOutput(filepath.Join(dir, "certification")); err != nil {
		t.Fatal(err)
	}
	if err := prepareOutput(dir); err != nil {
		t.Fatalf("a folder holding only a certification of ours was refused: %v", err)
	}
	if !exists(filepath.Join(dir, "certification", outputMarker)) || !exists(filepath.Join(dir, outputMarker)) {
		t.Error("the certification was touched, or the folder not marked")
	}
}

func TestAFolderWithAForeignFileIsRefusedAndLeftIntact(t *testing.T) {
	cases := map[string][]string{
		"a checkout (no marker)":         {"go.mod", "README.md", "matrix.md"},
		"our folder with a foreign file": {outputMarker, "matrix.json", "notes.txt"},
		"a foreign folder inside ours":   {outputMarker, "logs/x.log", "mine/keep.txt"},
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range files {
				write(t, filepath.Join(dir, f))
			}
			err := prepareOutput(dir)
			var ue usageError
			if !errors.As(err, &ue) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("want a one-line usage error, got %v", err)
			}
			if !strings.Contains(err.Error(), "nothing was removed") {
				t.Errorf("the error does not say nothing was removed: %v", err)
			}
			for _, f := range files {
				if !exists(filepath.Join(dir, f)) {
					t.Errorf("%s was removed", f)
				}
			}
			if err := prepareRenderings(dir); err == nil {
				t.Error("renderings accepted into the same folder")
			}
		})
	}
}
