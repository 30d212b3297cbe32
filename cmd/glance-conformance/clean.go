package main

import (
	"flag"
	"fmt"

	"github.com/glance-conformance/glance-conformance/harness/engine"
)

func cleanCmd(args []string) error {
	fs := flag.NewFlagSet("clean", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	ctx, stop := interruptContext()
	defer stop()
	eng, err := connectEngine(ctx)
	if err != nil {
		return err
	}
	defer eng.Close()
	n, err := eng.Sweep(ctx, engine.ProjectLabel, "true")
	fmt.Printf("clean: removed %d containers, networks and volumes\n", n)
	return err
}
