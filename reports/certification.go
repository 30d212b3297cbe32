package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// A certification judges one cloud against a profile: the features it requires must all pass.

// ProfileAPIVersion is the profile format this package reads.
const ProfileAPIVersion = "glance-conformance/profile/v1"

// Profile lists the features a certification requires.
type Profile struct {
	APIVersion string `yaml:"apiVersion"`
	Name       string `yaml:"name"`
	// Version counts the profile's revisions: a change of its required list is a new version.
	Version     int    `yaml:"version"`
	Description string `yaml:"description"`
	// Basis says what the list is modelled on.
	Basis string `yaml:"basis"`
	// All requires every feature of the registry; otherwise Required lists them.
	All      bool     `yaml:"all"`
	Required []string `yaml:"required"`
}

// LoadProfile reads a profile and checks its features against known (the registry's ids).
func LoadProfile(path string, known []string) (*Profile, error) {
	p := &Profile{}
	if err := decodeStrict(path, p); err != nil {
		return nil, err
	}
	var errs []error
	if p.APIVersion != ProfileAPIVersion {
		errs = append(errs, fmt.Errorf("apiVersion is %q, want %q", p.APIVersion, ProfileAPIVersion))
	}
	if p.Version < 1 {
		errs = append(errs, errors.New("version must be 1 or more (it counts the profile's revisions)"))
	}
	if p.All == (len(p.Required) > 0) {
		errs = append(errs, errors.New("give either all: true or a required list"))
	}
	for _, id := range p.Required {
		if !slices.Contains(known, id) {
			errs = append(errs, fmt.Errorf("unknown feature %q", id))
		}
	}
	if p.All {
		p.Required = append([]string(nil), known...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("profile %s: %w", path, err)
	}
	return p, nil
}

// Product is the vendor's description of what was certified, filled in from the template.
type Product struct {
	Vendor      string `yaml:"vendor"`
	Product     string `yaml:"product"`
	Version     string `yaml:"version"`
	Contact     string `yaml:"contact"`
	Website     string `yaml:"website,omitempty"`
	Description string `yaml:"description,omitempty"`
}

// LoadProduct reads a product file; every required field must be filled in (not the
// template's <placeholders>).
func LoadProduct(path string) (*Product, error) {
	p := &Product{}
	if err := decodeStrict(path, p); err != nil {
		return nil, err
	}
	var missing []string
	for name, v := range map[string]string{"vendor": p.Vendor, "product": p.Product, "version": p.Version, "contact": p.Contact} {
		if strings.TrimSpace(v) == "" || strings.HasPrefix(strings.TrimSpace(v), "<") {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("product file %s: fill in %s", path, strings.Join(missing, ", "))
	}
	return p, nil
}

func decodeStrict(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Verdict is a profile's judgement of a matrix of one column.
type Verdict struct {
	Profile string `json:"profile"`
	Column  string `json:"column"`
	Pass    bool   `json:"pass"`
	// Passed lists the required features that passed; NotPassed the others, with their result
	// and reason.
	Passed    []string          `json:"passed"`
	NotPassed map[string]string `json:"not_passed,omitempty"`
}

// Judge applies a profile to the matrix's only column: every required feature must pass.
func (m *Matrix) Judge(p *Profile) (*Verdict, error) {
	if len(m.Columns) != 1 {
		return nil, fmt.Errorf("a certification has one column, this matrix has %d", len(m.Columns))
	}
	v := &Verdict{Profile: p.Name, Column: m.Columns[0].ID, NotPassed: map[string]string{}}
	for _, id := range p.Required {
		c, ok := m.Cell(id, v.Column)
		switch {
		case !ok:
			v.NotPassed[id] = "not run"
		case c.Result != Pass:
			v.NotPassed[id] = fmt.Sprintf("%s: %s", c.Result, c.Reason)
		default:
			v.Passed = append(v.Passed, id)
		}
	}
	v.Pass = len(v.NotPassed) == 0
	return v, nil
}

// Line is the verdict in one line.
func (v *Verdict) Line() string {
	word := "FAIL"
	if v.Pass {
		word = "PASS"
	}
	return fmt.Sprintf("%s: profile %s, %d of %d required features passed on %s", word, v.Profile, len(v.Passed), len(v.Passed)+len(v.NotPassed), v.Column)
}

// WriteSummary writes the certification's summary.md: product, verdict, required features, and
// how to reproduce. product may be nil (not filled in).
func (m *Matrix) WriteSummary(w io.Writer, product *Product, p *Profile, v *Verdict, reproduce string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Glance conformance certification\n\n**Verdict: %s**\n\n", escape(v.Line()))
	if product != nil {
		fmt.Fprintf(&b, "| | |\n|---|---|\n| vendor | %s |\n| product | %s |\n| version | %s |\n| contact | %s |\n\n",
			escape(product.Vendor), escape(product.Product), escape(product.Version), escape(product.Contact))
	} else {
		b.WriteString("No product file was given: fill in product.yaml (from the template in this folder) before submitting.\n\n")
	}
	fmt.Fprintf(&b, "Profile `%s` version %d: %s\n\nBasis: %s\n\n", p.Name, p.Version, escape(p.Description), escape(p.Basis))
	col := m.Columns[0]
	fmt.Fprintf(&b, "Column `%s`, endpoint %s, generated %s by glance-conformance %s.\n\n", col.ID, col.Endpoint, m.GeneratedAt.Format("2006-01-02 15:04 UTC"), m.Tool)
	versions := "none (GET /versions did not answer 200 when the run began)"
	if len(col.APIVersions) > 0 {
		versions = strings.Join(col.APIVersions, ", ")
	}
	fmt.Fprintf(&b, "Image API versions the cloud reported: %s.\n\n", escape(versions))
	for _, a := range col.Accounts {
		fmt.Fprintf(&b, "- account %s\n", escape(a))
	}
	b.WriteString("\n| required feature | result | reason |\n|---|---|---|\n")
	for _, id := range p.Required {
		if why, bad := v.NotPassed[id]; bad {
			res, reason, _ := strings.Cut(why, ": ")
			fmt.Fprintf(&b, "| `%s` | **%s** | %s |\n", id, res, escape(reason))
		} else {
			fmt.Fprintf(&b, "| `%s` | pass | |\n", id)
		}
	}
	s := m.Summarize()
	fmt.Fprintf(&b, "\nAll cells of this run: %s. Every cell's evidence is in matrix.md and matrix.html; the full log is run.log, Ginkgo's JUnit report junit.xml.\n\n## Reproduce\n\n```\n%s\n```\n", s, reproduce)
	_, err := io.WriteString(w, b.String())
	return err
}
