package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
)

// toolVersion is this program's version as its build recorded it: the module version when it
// was installed as a module, else the commit it was built from.
func toolVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "unknown (built without version control information)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		rev += " + uncommitted changes"
	}
	return "commit " + rev
}

// A certification bundle ends with manifestName: the SHA-256 of every other file in it, in
// sha256sum's format (so `sha256sum -c SHA256SUMS` checks it too). verify recomputes it.
const manifestName = "SHA256SUMS"

// writeManifest hashes every file under dir but the manifest and the output marker.
func writeManifest(dir string) error {
	sums, err := hashTree(dir)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(sums)) {
		fmt.Fprintf(&b, "%s  %s\n", sums[name], name)
	}
	return os.WriteFile(filepath.Join(dir, manifestName), []byte(b.String()), 0o644)
}

func hashTree(dir string) (map[string]string, error) {
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == manifestName || rel == outputMarker {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		sums[filepath.ToSlash(rel)] = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	return sums, err
}

// verifyCmd checks that a certification bundle is complete and unaltered: every file its
// manifest names is there with the same hash, and nothing was added. Exit 0 when it is, 1 when
// it is not (each difference on its own line), 2 for a folder that is no bundle.
func verifyCmd(args []string) error {
	fset := flag.NewFlagSet("verify", flag.ContinueOnError)
	if err := fset.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fset.NArg() != 1 {
		return usagef("verify needs one certification bundle folder, got %d", fset.NArg())
	}
	dir := fset.Arg(0)
	want, err := readManifest(filepath.Join(dir, manifestName))
	if err != nil {
		return usagef("%s is not a certification bundle: %v", dir, err)
	}
	got, err := hashTree(dir)
	if err != nil {
		return err
	}
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		switch h, ok := got[name]; {
		case !ok:
			problems = append(problems, name+": missing")
		case h != want[name]:
			problems = append(problems, name+": changed")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[name]; !ok {
			problems = append(problems, name+": not in the manifest (added)")
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Println(p)
		}
		return resultError{fmt.Sprintf("bundle %s does not verify: %d of its files differ from its manifest", dir, len(problems)), 1}
	}
	fmt.Printf("bundle %s verifies: %d files as its manifest says\n", dir, len(want))
	return nil
}

func readManifest(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 || name == "" {
			return nil, fmt.Errorf("%s line %d is not \"<sha256>  <file>\"", manifestName, n)
		}
		sums[name] = sum
	}
	if len(sums) == 0 {
		return nil, fmt.Errorf("%s lists no file", manifestName)
	}
	return sums, sc.Err()
}
