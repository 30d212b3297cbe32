package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
)

// Usage errors are found before Docker is touched: these run anywhere.
func TestUsageErrors(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "suites.test")
	os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755)
	deployments := filepath.Join("..", "..", "deployments")
	claims := filepath.Join("..", "..", "fixtures", "claims.yaml")
	profiles := filepath.Join("..", "..", "fixtures", "profiles")
	template := filepath.Join("..", "..", "fixtures", "certification", "product.yaml")
	t.Setenv("OS_CLIENT_CONFIG_FILE", filepath.Join(t.TempDir(), "clouds.yaml")) // none there
	t.Setenv("OS_CLOUD", "")
	badClaims := filepath.Join(t.TempDir(), "claims.yaml")
	os.WriteFile(badClaims, []byte("apiVersion: glance-conformance/claims/v1\nclaims:\n  - id: x\n    predicts: maybe\n"), 0o644)
	checkout := t.TempDir() // OUT=. in a checkout
	os.WriteFile(filepath.Join(checkout, "go.mod"), []byte("module x\n"), 0o644)
	cases := map[string]struct {
		args []string
		want string
	}{
		"label typo":            {[]string{"run", "--deployments", deployments, "--claims", claims, "--suite", bin, "--ginkgo", bin, "--label-filter", "topology:standalon"}, "the selection picks no cell"},
		"label syntax":          {[]string{"run", "--deployments", deployments, "--claims", claims, "--suite", bin, "--ginkgo", bin, "--label-filter", "topology:standalone &&"}, "Syntax Error Parsing Label Filter: Unexpected EOF"},
		"foreign output folder": {[]string{"run", "--deployments", deployments, "--claims", claims, "--suite", bin, "--ginkgo", bin, "--out", checkout}, "was not written by glance-conformance"},
		"no command":            {nil, "no command given"},
		"unknown command":       {[]string{"frobnicate"}, `unknown command "frobnicate"`},
		"unknown topology":      {[]string{"run", "--deployments", deployments, "--suite", bin, "--topologies", "standalone,nginx"}, `unknown topology "nginx"`},
		"unknown feature":       {[]string{"run", "--deployments", deployments, "--suite", bin, "--claims", claims, "--features", "upload.teleport"}, `unknown feature "upload.teleport"`},
		"unknown release":       {[]string{"run", "--deployments", deployments, "--suite", bin, "--releases", "potato"}, `unknown release "potato"`},
		"bad claims":            {[]string{"run", "--deployments", deployments, "--suite", bin, "--claims", badClaims}, "claims: "},
		"bad flag":              {[]string{"run", "--colour"}, "flag provided but not defined"},
		"stray argument":        {[]string{"run", "--deployments", deployments, "standalone"}, "run takes no arguments"},
		"no Ginkgo CLI":         {[]string{"run", "--deployments", deployments, "--claims", claims, "--suite", bin, "--ginkgo", "/nonexistent/ginkgo"}, "Ginkgo's CLI /nonexistent/ginkgo missing"},
		"no suite binary":       {[]string{"run", "--deployments", deployments, "--claims", claims, "--suite", "/nonexistent/suites.test"}, "suite binary /nonexistent/suites.test missing"},
		"certify nothing":       {[]string{"certify", "--suite", bin}, "certify needs a cloud"},
		"unknown profile":       {[]string{"certify", "--suite", bin, "--ginkgo", bin, "--profiles", profiles, "--cloud", "x", "--profile", "gold"}, "gold.yaml"},
		"unfilled product":      {[]string{"certify", "--suite", bin, "--ginkgo", bin, "--profiles", profiles, "--cloud", "x", "--product", template}, "fill in contact, product, vendor, version"},
		"unknown cloud":         {[]string{"certify", "--suite", bin, "--ginkgo", bin, "--profiles", profiles, "--template", template, "--cloud", "nowhere-cloud"}, "cloud nowhere-cloud: clouds.yaml"},
		"matrix-less topology":  {[]string{"run", "--deployments", deployments, "--suite", bin, "--topologies", "keystone"}, "not a column of the matrix"},
		"unknown identity":      {[]string{"run", "--deployments", deployments, "--suite", bin, "--identity", "ldap"}, `--identity "ldap"`},
		"tempest, no keystone":  {[]string{"run", "--deployments", deployments, "--suite", bin, "--tempest", "image"}, "--tempest needs --identity keystone"},
		"tempest regex":         {[]string{"run", "--deployments", deployments, "--suite", bin, "--identity", "keystone", "--tempest", "image("}, `--tempest "image("`},
	}
	for name, c := range cases {
		err := dispatch(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, c.want)
			continue
		}
		if code := exitCode(err); code != 2 {
			t.Errorf("%s: exit status %d, want 2", name, code)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: the message must be one line: %q", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(checkout, "go.mod")); err != nil {
		t.Errorf("the refused output folder lost its file: %v", err)
	}
}

func TestOSCloudNamesTheCloudAsTheOpenstackClientTakesIt(t *testing.T) {
	t.Setenv("OS_CLIENT_CONFIG_FILE", filepath.Join(t.TempDir(), "clouds.yaml")) // none there
	t.Setenv("OS_CLOUD", "from-os-cloud")
	bin := filepath.Join(t.TempDir(), "suites.test")
	os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755)
	err := dispatch([]string{"certify", "--suite", bin, "--ginkgo", bin, "--profiles", filepath.Join("..", "..", "fixtures", "profiles"),
		"--template", filepath.Join("..", "..", "fixtures", "certification", "product.yaml")})
	if err == nil || !strings.Contains(err.Error(), "cloud from-os-cloud: clouds.yaml") {
		t.Errorf("got %v, want the cloud OS_CLOUD names looked up", err)
	}
}

func TestExitCodes(t *testing.T) {
	if exitCode(nil) != 0 {
		t.Fatal("nil must be 0")
	}
	if exitCode(resultError{"3 cells could not be tested", 1}) != 1 {
		t.Fatal("harness errors must be 1")
	}
	if exitCode(os.ErrNotExist) != 1 {
		t.Fatal("other errors must be 1")
	}
}

func TestAndFilters(t *testing.T) {
	if got := andFilters("feature:a || feature:b", "topology:x"); got != "(feature:a || feature:b) && (topology:x)" {
		t.Fatal(got)
	}
	if andFilters("", "x") != "x" || andFilters("x", "") != "x" {
		t.Fatal("an empty side must vanish")
	}
}

func TestFailedLinesFoldAColumnThatDidNotStart(t *testing.T) {
	m := &reports.Matrix{Cells: []reports.Cell{
		{Feature: "a", Column: "r/x", Result: reports.Error, Reason: "column r/x did not start"},
		{Feature: "b", Column: "r/x", Result: reports.Error, Reason: "column r/x did not start"},
		{Feature: "a", Column: "r/y", Result: reports.Fail, Reason: "411"},
		{Feature: "b", Column: "r/y", Result: reports.Pass},
	}}
	got := strings.Join(failedLines(m), "\n")
	want := "  error r/x 2 features: column r/x did not start\n  fail  r/y a: 411"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// The profiles in fixtures/ name only registered features.
func TestProfilesLoad(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "fixtures", "profiles", "*.yaml"))
	if len(paths) < 2 {
		t.Fatalf("profiles: %v, want interop and full at least", paths)
	}
	for _, p := range paths {
		if _, err := reports.LoadProfile(p, feature.IDs()); err != nil {
			t.Error(err)
		}
	}
}
