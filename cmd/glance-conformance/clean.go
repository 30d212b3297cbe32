package main

import (
	"errors"
	"os"
	"path/filepath"

	"flag"
	"fmt"

	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/image"
)

func cleanCmd(args []string) error {
	fs := flag.NewFlagSet("clean", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	ctx, eng, done, err := openEngine()
	if err != nil {
		return err
	}
	defer done()
	n, err := eng.Sweep(ctx, engine.ProjectLabel, "true")
	fmt.Printf("clean: removed %d containers, networks and volumes\n", n)
	// The files through which processes took turns making images: ours alone, by their names.
	locks, _ := filepath.Glob(filepath.Join(image.LockDir, "image-*"))
	for _, l := range locks {
		err = errors.Join(err, os.Remove(l))
	}
	return err
}
