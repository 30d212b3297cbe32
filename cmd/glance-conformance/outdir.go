package main

import (
	"os"
	"path"
	"path/filepath"
	"strings"
)

// An output folder is emptied before each run, so a wrong OUT (".", "~") must never lead to
// removing what this tool did not write. A folder the tool writes into carries outputMarker; it
// empties only such a folder, and in it only the names it writes (outputNames). A folder inside
// that carries the marker itself (out/certification inside out) is another output, left alone.
// Anything else refuses the run.

// outputMarker marks a folder as this tool's output.
const outputMarker = ".glance-conformance-output"

// outputNames are the entries a run, a certification or a rendering writes (path.Match patterns).
var outputNames = []string{
	"matrix.json", "matrix.md", "matrix.html", "matrix.svg",
	"run.json", "run.log", "progress.log", "ginkgo-report.json", "junit.xml", "host.lock*",
	"logs", "summary.md", "product.yaml", "SHA256SUMS",
	"tempest", // a crosscheck's: Tempest's own files, per column
}

func isOutputName(name string) bool {
	for _, p := range outputNames {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// prepareOutput makes dir an empty output folder: created if missing, used as is if empty,
// emptied if it is an output folder of ours holding only what we write. Any other folder is
// refused (a usage error: one line, exit 2), and nothing in it is touched.
func prepareOutput(dir string) error {
	entries, err := claimOutput(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == outputMarker || !isOutputName(e.Name()) {
			continue // the marker, or a marked output folder of its own
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// claimOutput makes dir an output folder of ours (created if missing, marked) after checking
// that it holds nothing we did not write, and returns what it held.
func claimOutput(dir string) ([]os.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	switch {
	case os.IsNotExist(err):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, usagef("output folder %s: %v", dir, err)
	case len(entries) > 0:
		if err := checkOurs(dir, entries); err != nil {
			return nil, err
		}
	}
	return entries, markOutput(dir)
}

// checkOurs refuses a folder holding an entry we did not write: in a folder marked as ours, a
// name we do not write; in an unmarked one (a parent of out/certification, say), anything but a
// marked output folder.
func checkOurs(dir string, entries []os.DirEntry) error {
	_, err := os.Stat(filepath.Join(dir, outputMarker))
	marked := err == nil
	var foreign []string
	for _, e := range entries {
		name := e.Name()
		if name == outputMarker || marked && isOutputName(name) {
			continue
		}
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(dir, name, outputMarker)); err == nil {
				continue // an output folder of ours inside this one
			}
		}
		foreign = append(foreign, name)
	}
	switch {
	case len(foreign) > 0 && !marked:
		return usagef("output folder %s is not empty and was not written by glance-conformance (no %s in it): choose an empty or new folder; nothing was removed", dir, outputMarker)
	case len(foreign) > 0:
		return usagef("output folder %s holds %s, which glance-conformance does not write: move it away or choose another folder; nothing was removed", dir, strings.Join(foreign, ", "))
	}
	return nil
}

// prepareRenderings checks that dir may receive renderings (matrix.md, .html, .svg): a new or
// empty folder, or an output folder of ours. Existing renderings there are overwritten.
func prepareRenderings(dir string) error {
	_, err := claimOutput(dir)
	return err
}

func markOutput(dir string) error {
	return os.WriteFile(filepath.Join(dir, outputMarker), []byte("Written by glance-conformance: a later run empties this folder of the files it writes, and refuses it if it holds anything else.\n"), 0o644)
}
