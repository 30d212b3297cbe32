package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func bundle(t *testing.T) string {
	dir := t.TempDir()
	if err := prepareOutput(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"summary.md", "matrix.json", "logs/cloud/x/glance.log"} {
		write(t, filepath.Join(dir, f))
	}
	if err := writeManifest(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestABundleVerifiesUntilOneByteChanges(t *testing.T) {
	dir := bundle(t)
	if err := verifyCmd([]string{dir}); err != nil {
		t.Fatalf("a fresh bundle does not verify: %v", err)
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "--quiet", "-c", manifestName)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c disagrees: %v %s", err, out)
		}
	}
	for name, alter := range map[string]func(string){
		"changed": func(d string) { os.WriteFile(filepath.Join(d, "summary.md"), []byte("y"), 0o644) },
		"missing": func(d string) { os.Remove(filepath.Join(d, "logs/cloud/x/glance.log")) },
		"added":   func(d string) { write(t, filepath.Join(d, "extra.txt")) },
	} {
		d := bundle(t)
		alter(d)
		err := verifyCmd([]string{d})
		var re resultError
		if !errors.As(err, &re) || exitCode(err) != 1 {
			t.Errorf("%s: got %v, want a failed verification (exit 1)", name, err)
		}
	}
}

func TestVerifyRefusesAFolderThatIsNoBundle(t *testing.T) {
	err := verifyCmd([]string{t.TempDir()})
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "is not a certification bundle") {
		t.Errorf("got %v, want a usage error", err)
	}
}
