package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/cloud"
	"github.com/glance-conformance/glance-conformance/harness/engine"
	"github.com/glance-conformance/glance-conformance/harness/topology"
	"github.com/glance-conformance/glance-conformance/reports"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/runconfig"
)

type certifyOptions struct {
	cloud, member, other string
	start, release       string
	profile, product     string
	out, deployments     string
	suiteBinary          string
	images               imageOptions
	ginkgo               string
	profiles, template   string
	keep                 bool
	// productFile is the product file (or the template) as read before the output folder is
	// emptied: a filled-in product.yaml inside the bundle's own folder must survive.
	productFile []byte
}

// certifyCmd runs the specs a profile requires against one Keystone-authenticated Glance (an
// existing cloud, or a deployment of ours started for the purpose) and writes a submission
// bundle with a verdict. Exit status 0 only when the verdict passes.
func certifyCmd(args []string) error {
	var o certifyOptions
	fs := flag.NewFlagSet("certify", flag.ContinueOnError)
	fs.StringVar(&o.cloud, "cloud", "", "the cloud to certify: a clouds.yaml entry (found as OpenStack's tools find it; default $OS_CLOUD), or \"env\" for the OS_* variables")
	fs.StringVar(&o.member, "cloud-member", "", "optional: a second user of the main cloud's project, without admin")
	fs.StringVar(&o.other, "cloud-other", "", "optional: a user of another project, for the sharing features")
	fs.StringVar(&o.start, "start", "", "instead of --cloud: start this deployment of ours (deployments/<name>, e.g. keystone) and certify it through the clouds.yaml it generates")
	fs.StringVar(&o.release, "release", "bookworm", "with --start: the Debian release to run it on")
	fs.StringVar(&o.profile, "profile", "interop", "the profile (fixtures/profiles/<name>.yaml) whose features must pass")
	fs.StringVar(&o.product, "product", "", "the filled-in product file (template: fixtures/certification/product.yaml)")
	fs.StringVar(&o.out, "out", "out/certification", "the submission bundle's folder")
	fs.StringVar(&o.deployments, "deployments", "deployments", "folder of topology descriptors")
	fs.StringVar(&o.suiteBinary, "suite", ".bin/suites.test", "the compiled suite")
	fs.StringVar(&o.ginkgo, "ginkgo", ".bin/ginkgo", "Ginkgo's CLI, which runs the suite")
	o.images.register(fs)
	fs.StringVar(&o.profiles, "profiles", "fixtures/profiles", "folder of profiles")
	fs.StringVar(&o.template, "template", "fixtures/certification/product.yaml", "the product file template")
	fs.BoolVar(&o.keep, "keep", false, "with --start: leave the containers running (make clean removes them)")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("certify takes no arguments, got %q", fs.Args())
	}
	if o.cloud == "" && o.start == "" {
		o.cloud = os.Getenv("OS_CLOUD") // as the openstack client takes it
	}
	if (o.cloud == "") == (o.start == "") {
		return usagef("certify needs a cloud to certify: CLOUD=<clouds.yaml entry> (or --start keystone for ours)")
	}
	prof, err := reports.LoadProfile(filepath.Join(o.profiles, o.profile+".yaml"), feature.IDs())
	if err != nil {
		return usagef("%v", err)
	}
	var product *reports.Product
	productPath := o.template
	if o.product != "" {
		if product, err = reports.LoadProduct(o.product); err != nil {
			return usagef("%v", err)
		}
		productPath = o.product
	}
	if o.productFile, err = os.ReadFile(productPath); err != nil {
		return usagef("product file: %v", err)
	}
	for _, f := range []string{o.suiteBinary, o.ginkgo} {
		if _, err := os.Stat(f); err != nil {
			return usagef("%s missing: make certify builds it", f)
		}
	}
	filter, err := feature.LabelFilter(strings.Join(prof.Required, ","))
	if err != nil {
		return usagef("%v", err)
	}
	out, _ := filepath.Abs(o.out)
	deployments, _ := filepath.Abs(o.deployments)
	started := time.Now()
	runID := newRunID()
	run := runconfig.Run{ID: runID, Deployments: deployments, Out: out, Keep: o.keep, Progress: filepath.Join(out, "progress.log"),
		Certify: &runconfig.Certify{Start: o.start}}
	run.Certify.Dir, _ = os.Getwd()
	binary, _ := filepath.Abs(o.suiteBinary)
	cliArgs := []string{"run", "--timeout=6h", "--no-color", "--succinct", "--output-dir=" + out,
		"--json-report=ginkgo-report.json", "--junit-report=junit.xml", "--label-filter=" + filter,
		binary, "--", "-test.run=^TestConformance$", "-run-config=" + filepath.Join(out, runconfig.FileName)}
	var eng *engine.Engine
	if o.cloud != "" {
		// Every account signs in before anything runs: a bad clouds.yaml, a wrong password or an
		// unreachable endpoint is one line here, not a page of failed specs.
		ctx, stop := interruptContext()
		for _, name := range []string{o.cloud, o.member, o.other} {
			if name == "" {
				continue
			}
			a, err := cloud.Open(ctx, name)
			if err != nil {
				stop()
				return usagef("%v", err)
			}
			fmt.Fprintf(os.Stderr, "signed in: %s\n", a)
		}
		stop()
		run.Certify.Accounts = runconfig.Accounts{Main: o.cloud, Member: o.member, Other: o.other}
	} else {
		top, err := topology.Load(filepath.Join(o.deployments, o.start))
		if err != nil {
			return usagef("%v", err)
		}
		if top.Identity != topology.IdentityKeystone {
			return usagef("deployment %s does not authenticate through Keystone (identity: keystone): it offers no clouds to certify through", o.start)
		}
		suites, err := parseReleases(o.deployments, o.release)
		if err != nil {
			return err
		}
		ctx, e, done, err := openEngine()
		if err != nil {
			return err
		}
		defer done()
		eng = e
		if err := o.images.check(o.deployments, nil); err != nil {
			return err
		}
		infos, err := ensureImages(ctx, eng, suites, o.images)
		if err != nil {
			return err
		}
		run.Releases = []runconfig.Release{{Name: suites[0], Image: infos[suites[0]].Tag}}
	}
	if err := prepareOutput(out); err != nil {
		return err
	}
	if err := run.Write(filepath.Join(out, runconfig.FileName)); err != nil {
		return err
	}
	signal.Reset(os.Interrupt, syscall.SIGTERM)
	interrupted, suiteErr := runGinkgo(o.ginkgo, cliArgs, filepath.Join(out, "run.log"), run.Progress)
	if eng != nil && !o.keep {
		sweepRun(eng, runID)
	}
	if interrupted {
		return resultError{"interrupted: the certification in " + o.out + " is incomplete", 1}
	}
	return writeBundle(out, runID, o, prof, product, suiteErr, time.Since(started))
}

// writeBundle turns the suite's report into the submission bundle and the verdict.
func writeBundle(out, runID string, o certifyOptions, prof *reports.Profile, product *reports.Product, suiteErr error, took time.Duration) error {
	rep, err := reports.ReadGinkgoReport(filepath.Join(out, "ginkgo-report.json"))
	if err != nil {
		return fmt.Errorf("the suite wrote no report (%v); its output is in %s", suiteErr, filepath.Join(out, "run.log"))
	}
	m, err := reports.Build(rep, time.Now())
	if err != nil {
		return err
	}
	m.RunID = runID
	m.Tool = toolVersion()
	if err := m.WriteJSON(filepath.Join(out, "matrix.json")); err != nil {
		return err
	}
	if err := writeRenderings(m, out); err != nil {
		return err
	}
	v, err := m.Judge(prof)
	if err != nil {
		return fmt.Errorf("%v (see %s)", err, filepath.Join(out, "run.log"))
	}
	if err := os.WriteFile(filepath.Join(out, "product.yaml"), o.productFile, 0o644); err != nil {
		return err
	}
	err = writeFile(filepath.Join(out, "summary.md"), func(w io.Writer) error {
		return m.WriteSummary(w, product, prof, v, reproduceLine(o))
	})
	if err != nil {
		return err
	}
	// Last: the manifest of everything above, which verify checks.
	if err := writeManifest(out); err != nil {
		return err
	}
	s := m.Summarize()
	fmt.Printf("\nVerdict: %s\nTotal: %d  Passed: %d  Failed: %d  Skipped: %d  Errors: %d\n", v.Line(), s.Total, s.Passed, s.Failed, s.Skipped, s.Errors)
	for _, id := range prof.Required {
		if why, bad := v.NotPassed[id]; bad {
			fmt.Printf("  %s: %s\n", id, truncate(why, 160))
		}
	}
	if product == nil {
		fmt.Printf("No product file given: fill in %s and run again with PRODUCT= before submitting.\n", filepath.Join(o.out, "product.yaml"))
	}
	fmt.Printf("Run time: %s. Bundle: %s (summary.md, product.yaml, matrix.*, junit.xml, run.log; SHA256SUMS: glance-conformance verify %s)\n", took.Round(time.Second), o.out, o.out)
	if s.Errors > 0 {
		return resultError{fmt.Sprintf("%d cells could not be tested (harness errors, not the cloud's): see %s", s.Errors, filepath.Join(o.out, "summary.md")), 1}
	}
	if !v.Pass {
		return resultError{fmt.Sprintf("certification failed: %d required features did not pass", len(v.NotPassed)), 1}
	}
	return nil
}

// reproduceLine is the make command that repeats this certification.
func reproduceLine(o certifyOptions) string {
	parts := []string{"make certify"}
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("CLOUD", o.cloud)
	add("CLOUD_MEMBER", o.member)
	add("CLOUD_OTHER", o.other)
	add("START", o.start)
	if o.start != "" {
		add("RELEASE", o.release)
	}
	add("PROFILE", o.profile)
	if o.product != "" {
		add("PRODUCT", "product.yaml")
	}
	return strings.Join(parts, " ")
}
