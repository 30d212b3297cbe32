package image

import (
	"bufio"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/glance-conformance/glance-conformance/harness/engine"
)

//go:embed recipe-src/install-tree.py
var installTreeScript []byte

// treeRecipe names how WithTree builds around the script; changing how is changing the tag.
const treeRecipe = "docker run (sleep as command); exec install-tree.py; docker commit (2)"

// Tree is a Glance source tree to test instead of the release's packaged Glance (a change under
// review, or master): its code replaces the packaged one, over the release's packaged
// dependencies, and nothing is fetched.
type Tree struct {
	Path    string `json:"path"`
	Version string `json:"version"`          // git describe, or "unversioned" outside git
	Commit  string `json:"commit,omitempty"` // HEAD, when the tree is a git checkout
	Dirty   bool   `json:"dirty,omitempty"`  // uncommitted changes
	hash    string // of the files installed, for the image's tag
}

// installed are what of a tree is installed (and hashed): the package, and what the install
// script reads (its requirements, its entry points).
var installed = []string{"glance", "requirements.txt", "setup.cfg"}

// ReadTree checks that path is a Glance source tree and reads its version.
func ReadTree(path string) (Tree, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Tree{}, err
	}
	for _, must := range []string{"glance/__init__.py", "requirements.txt", "setup.cfg"} {
		if _, err := os.Stat(filepath.Join(abs, must)); err != nil {
			return Tree{}, fmt.Errorf("%s is not a Glance source tree: it has no %s", path, must)
		}
	}
	t := Tree{Path: abs, Version: "unversioned"}
	if out, err := git(abs, "rev-parse", "HEAD"); err == nil {
		t.Commit = out
		if d, err := git(abs, "describe", "--tags", "--always"); err == nil {
			t.Version = d
		}
		st, _ := git(abs, "status", "--porcelain", "--untracked-files=no")
		t.Dirty = st != ""
	}
	content, err := hashTree(abs)
	if err != nil {
		return Tree{}, err
	}
	// The image's identity: how it is built (the recipe and the script), the files, and the
	// version and commit its labels name (the same files under another commit are another image,
	// or its report would name the old one).
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\n%x\n%s %s %s %t", treeRecipe, sha256.Sum256(installTreeScript), content, t.Version, t.Commit, t.Dirty)))
	t.hash = hex.EncodeToString(h[:])[:12]
	return t, nil
}

func git(dir string, args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	return strings.TrimSpace(string(out)), err
}

// hashTree digests every file that would be installed, by path and content.
func hashTree(root string) (string, error) {
	h := sha256.New()
	var paths []string
	for _, top := range installed {
		err := filepath.WalkDir(filepath.Join(root, top), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() {
				paths = append(paths, p)
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(h, "%s\n", rel)
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// TreeTag is the tag of base with the tree installed.
func TreeTag(base string, t Tree) string { return base + "-src" + t.hash }

// TreeRefused is a tree that does not fit the release: why, in one line.
type TreeRefused struct{ Why string }

func (e TreeRefused) Error() string { return e.Why }

// WithTree returns the release's image with the tree's Glance installed over the packaged one,
// building it when missing (cached by the tree's and the base image's identity). A tree whose
// requirements the release's packages do not meet, that does not import, or whose database
// migrations do not run, is refused (TreeRefused) and no image is made.
func WithTree(ctx context.Context, eng *engine.Engine, base Info, t Tree, log io.Writer) (Info, error) {
	tag := TreeTag(base.Tag, t)
	return obtain(ctx, eng, tag, Source{}, log, func() error {
		fmt.Fprintf(log, "image: %s not present, installing the tree %s (%s) over %s's Glance\n", tag, t.Path, t.Version, base.Suite)
		builder := "gc-image-src-" + t.hash
		exec.Command("docker", "rm", "-f", builder).Run() // a leftover of an interrupted build
		defer exec.Command("docker", "rm", "-f", builder).Run()
		// sleep as the command, not the entrypoint: docker commit keeps an entrypoint (an
		// ENTRYPOINT [] change does not clear it), and every image built on this one would run
		// its command as sleep's arguments.
		if err := docker(ctx, "run", "-d", "--name", builder, "--label", engine.ProjectLabel+"=true",
			base.Tag, "sleep", "infinity"); err != nil {
			return err
		}
		if err := docker(ctx, "exec", builder, "mkdir", "-p", "/src"); err != nil {
			return err
		}
		if err := copyTree(ctx, t.Path, builder+":/src"); err != nil {
			return err
		}
		if err := copyFile(ctx, installTreeScript, builder); err != nil {
			return err
		}
		out, err := exec.CommandContext(ctx, "docker", "exec", builder, "python3", "/tmp/install-tree.py", t.Version).CombinedOutput()
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			if why, ok := strings.CutPrefix(sc.Text(), "REFUSED: "); ok {
				return TreeRefused{fmt.Sprintf("the Glance tree %s (%s) does not fit %s: %s", t.Path, t.Version, base.Suite, why)}
			}
		}
		if err != nil || !strings.Contains(string(out), "INSTALLED") {
			return fmt.Errorf("installing the tree %s into %s: %v: %s", t.Path, base.Tag, err, lastLines(string(out), 15))
		}
		commit := []string{"commit",
			"--change", fmt.Sprintf("LABEL %sversion.glance=%q", LabelPrefix, "source "+t.Version),
			"--change", fmt.Sprintf("LABEL %ssource.version=%q", LabelPrefix, t.Version),
			"--change", fmt.Sprintf("LABEL %ssource.commit=%q", LabelPrefix, t.Commit),
			"--change", fmt.Sprintf("LABEL %ssource.dirty=%t", LabelPrefix, t.Dirty),
			"--change", `CMD ["/bin/bash"]`, builder, tag}
		return docker(ctx, commit...)
	})
}

// copyTree streams what of the tree is installed into the container.
func copyTree(ctx context.Context, src, dst string) error {
	tarCmd := exec.CommandContext(ctx, "tar", append([]string{"-C", src, "-c", "--exclude=__pycache__"}, installed...)...)
	cp := exec.CommandContext(ctx, "docker", "cp", "-", dst)
	pipe, err := tarCmd.StdoutPipe()
	if err != nil {
		return err
	}
	cp.Stdin = pipe
	var cpOut strings.Builder
	cp.Stdout, cp.Stderr = &cpOut, &cpOut
	if err := tarCmd.Start(); err != nil {
		return err
	}
	if err := cp.Run(); err != nil {
		tarCmd.Wait()
		return fmt.Errorf("copying the tree into the builder: %v: %s", err, cpOut.String())
	}
	return tarCmd.Wait()
}

// copyFile puts the install script at /tmp/install-tree.py in the container.
func copyFile(ctx context.Context, content []byte, container string) error {
	cmd := exec.CommandContext(ctx, "docker", "exec", "-i", container, "sh", "-c", "cat > /tmp/install-tree.py")
	cmd.Stdin = strings.NewReader(string(content))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("copying the install script: %v: %s", err, out)
	}
	return nil
}
