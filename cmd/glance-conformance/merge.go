package main

import (
	"encoding/json"
	"flag"
	"os"

	"github.com/glance-conformance/glance-conformance/reports"
)

// mergeCmd combines matrix.json files run on different machines (a nightly sharded by release
// or topology) into one matrix on stdout, with the claims evaluated over the whole.
func mergeCmd(args []string) error {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	claimsPath := fs.String("claims", "fixtures/claims.yaml", "the document's claims to evaluate over the merged matrix")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	// One is enough: a nightly whose other shards failed still gets its report.
	if fs.NArg() < 1 {
		return usagef("merge needs one or more matrix.json files, got none")
	}
	claims, err := reports.LoadClaims(*claimsPath)
	if err != nil {
		return usagef("claims: %v", err)
	}
	var shards []*reports.Matrix
	for _, path := range fs.Args() {
		m, err := reports.ReadJSON(path)
		if err != nil {
			return usagef("%v", err)
		}
		shards = append(shards, m)
	}
	merged, err := reports.Merge(shards...)
	if err != nil {
		return usagef("%v", err)
	}
	merged.Claims = merged.EvaluateClaims(claims)
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(merged)
}

// renderCmd writes matrix.md, matrix.html and matrix.svg for a matrix.json (a merged one, say),
// evaluating the claims afresh.
func renderCmd(args []string) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	out := fs.String("out", "report", "folder to write matrix.md, matrix.html and matrix.svg to (new, empty, or one this tool wrote)")
	claimsPath := fs.String("claims", "fixtures/claims.yaml", "the document's claims to evaluate the matrix against")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() != 1 {
		return usagef("render needs one matrix.json, got %d", fs.NArg())
	}
	m, err := reports.ReadJSON(fs.Arg(0))
	if err != nil {
		return usagef("%v", err)
	}
	claims, err := reports.LoadClaims(*claimsPath)
	if err != nil {
		return usagef("claims: %v", err)
	}
	m.Claims = m.EvaluateClaims(claims)
	if err := prepareRenderings(*out); err != nil {
		return err
	}
	return writeRenderings(m, *out)
}
