package image

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"

	"github.com/glance-conformance/glance-conformance/harness/engine"
)

// extendRecipe names how Extend builds; changing how is changing the tag.
const extendRecipe = "docker run sh -ec; docker commit (2)"

// ExtendedTag is the tag of base extended with packages: base's tag, then a hash of the list
// (and of extendRecipe).
func ExtendedTag(base string, packages []string) string {
	sorted := slices.Sorted(slices.Values(packages))
	h := sha256.Sum256([]byte(extendRecipe + "\n" + base + "\n" + strings.Join(sorted, "\n")))
	return base + "-x" + hex.EncodeToString(h[:])[:8]
}

// Extend returns the release's image extended with Debian packages (keystone, say): the local
// one, else the registry's, else a build, in which a container of the base image installs them
// from the sources the base image names and is committed, with each package's installed version
// as a label.
func Extend(ctx context.Context, eng *engine.Engine, base Info, packages []string, src Source, log io.Writer) (Info, error) {
	tag := ExtendedTag(base.Tag, packages)
	return obtain(ctx, eng, tag, src, log, func() error { return extend(ctx, base, packages, tag, log) })
}

// extend builds tag: base with packages.
func extend(ctx context.Context, base Info, packages []string, tag string, log io.Writer) error {
	fmt.Fprintf(log, "image: %s not present, adding %s to %s\n", tag, strings.Join(packages, " "), base.Tag)
	builder := "gc-image-build-" + strings.TrimPrefix(tag[strings.LastIndex(tag, "-x"):], "-")
	exec.Command("docker", "rm", "-f", builder).Run() // a leftover of an interrupted build
	// No service may start while packages install; the versions are read from what installed.
	script := `printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }
for p in "$@"; do echo "VERSION $p $(dpkg-query -W -f '${Version}' "$p")"; done
apt-get clean; rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d /tmp/apt.log`
	run := exec.CommandContext(ctx, "docker", append([]string{"run", "--name", builder, "--label", engine.ProjectLabel + "=true",
		base.Tag, "/bin/sh", "-ec", script, "extend"}, packages...)...)
	var out bytes.Buffer
	run.Stdout, run.Stderr = &out, &out
	defer exec.Command("docker", "rm", "-f", builder).Run()
	if err := run.Run(); err != nil {
		return fmt.Errorf("adding %v to %s: %v: %s", packages, base.Tag, err, lastLines(out.String(), 15))
	}
	commit := []string{"commit"}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "VERSION" {
			commit = append(commit, "--change", fmt.Sprintf("LABEL %sversion.%s=%s", LabelPrefix, f[1], f[2]))
		}
	}
	// The base image's command, not the builder's script.
	commit = append(commit, "--change", `CMD ["/bin/bash"]`, builder, tag)
	if b, err := exec.CommandContext(ctx, "docker", commit...).CombinedOutput(); err != nil {
		return fmt.Errorf("committing %s: %v: %s", tag, err, b)
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
