// Command glance-conformance builds the Glance images, runs the conformance matrix and cleans up.
// It is what `make conformance`, `make images` and `make clean` call.
//
// Exit status: 0 the matrix was produced (failed cells are results), 1 the harness broke
// (a column could not start, a report could not be written), 2 usage error (unknown topology or
// feature, no Docker), 3 a regression against --baseline. certify exits 0 only when the verdict
// passes, 1 when it does not or the harness broke, 2 on usage errors (bad clouds.yaml, a cloud
// that refuses the sign-in or cannot be reached). verify exits 0 when a bundle matches its
// manifest, 1 when it does not, 2 when the folder is no bundle.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// usageError is a mistake in how the command was called: one line, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `usage: glance-conformance <command> [flags]

commands:
  run      build what is missing, run the matrix, write the reports (make conformance)
  images   build the Glance images that are missing (make images)
  clean    remove every container, network and volume this project left behind (make clean)
  features print the checked-in feature list (YAML; make features regenerates it from the specs)
  certify  run a profile's features against one Keystone-authenticated Glance, write a bundle (make certify)
  verify   check that a certification bundle is complete and unaltered (its SHA256SUMS)
  version  print this program's version (module version, or the commit it was built from)
  merge    combine matrix.json files of several machines into one (JSON on stdout)
  render   write matrix.md, matrix.html and matrix.svg for a matrix.json
  help     this text

Run "glance-conformance <command> -h" for a command's flags.`

func main() {
	os.Exit(exitCode(dispatch(os.Args[1:])))
}

func dispatch(args []string) error {
	if len(args) == 0 {
		return usagef("no command given (see glance-conformance help)")
	}
	switch args[0] {
	case "run":
		return runCmd(args[1:])
	case "images":
		return imagesCmd(args[1:])
	case "clean":
		return cleanCmd(args[1:])
	case "certify":
		return certifyCmd(args[1:])
	case "render":
		return renderCmd(args[1:])
	case "merge":
		return mergeCmd(args[1:])
	case "verify":
		return verifyCmd(args[1:])
	case "version":
		fmt.Println("glance-conformance", toolVersion())
		return nil
	case "features":
		_, err := os.Stdout.Write(feature.List())
		return err
	case "help", "-h", "--help":
		fmt.Println(usage)
		return nil
	default:
		return usagef("unknown command %q (see glance-conformance help)", args[0])
	}
}

// exitCode prints err as one line and maps it to the documented exit status.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ue usageError
	var re resultError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "glance-conformance: %s\n", err)
		return 2
	case errors.As(err, &re):
		fmt.Fprintf(os.Stderr, "glance-conformance: %s\n", err)
		return re.code
	default:
		fmt.Fprintf(os.Stderr, "glance-conformance: error: %s\n", err)
		return 1
	}
}

// resultError ends a run that produced its reports with a given exit status.
type resultError struct {
	msg  string
	code int
}

func (e resultError) Error() string { return e.msg }
