package reports

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Tempest as a second opinion (make crosscheck): Tempest's own image API tests run against a
// column, each test's verdict set beside the matrix's parity claim for it (the features that
// cover the test all passed there), agreeing or not. Every disagreement
// must be explained (fixtures/tempest/disagreements.yaml) as a defect of ours, of Tempest, or
// of the column's configuration; one that is not is shown as unexplained.

// TempestEntryName is the report entry a column's crosscheck spec adds: one TempestRun.
const TempestEntryName = "glance-conformance:tempest"

// TempestRun is Tempest's own run against one column.
type TempestRun struct {
	Column  string `json:"column"`
	Version string `json:"version"` // Debian's tempest package version
	Release string `json:"release"` // the Debian release the package comes from
	Regex   string `json:"regex"`   // the tests selected
	// Error is why Tempest produced no verdicts (a harness error: it did not start, its
	// configuration was refused); its results are then empty.
	Error   string          `json:"error,omitempty"`
	Results []TempestResult `json:"results,omitempty"`
	// Files is the folder, relative to the output folder, with Tempest's own outputs: its
	// subunit stream, JUnit file, log and configuration (secrets blotted out).
	Files   string  `json:"files,omitempty"`
	Seconds float64 `json:"seconds"`
}

// TempestResult is one Tempest test's verdict.
type TempestResult struct {
	Test   string `json:"test"` // module.Class.test_name, without the [id-...] tags
	Status string `json:"status"`
	// Detail is the reason of a skip, or the first line of a failure that names its cause.
	Detail  string  `json:"detail,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
}

// Tempest statuses.
const (
	TempestPass = "pass"
	TempestFail = "fail"
	TempestSkip = "skip"
)

// Parity claims, per test and column, from the matrix's cells.
const (
	ClaimPass      = "pass"       // every feature covering the test passed
	ClaimFail      = "fail"       // one of them failed or errored
	ClaimNotJudged = "not judged" // one of them did not run, was skipped or n/a
	ClaimNoFeature = "no feature" // no feature covers the test
)

// Verdicts of a comparison.
const (
	Agree       = "agree"
	Disagree    = "disagree"
	NotCompared = "not compared" // Tempest skipped the test, or the matrix makes no claim on it
)

// Comparison of one Tempest verdict with the matrix's claim.
type TempestComparison struct {
	Column  string `json:"column"`
	Test    string `json:"test"`
	Tempest string `json:"tempest"`
	Claim   string `json:"claim"`
	Detail  string `json:"detail,omitempty"` // Tempest's detail
	Verdict string `json:"verdict"`
	// Explanation, for a disagreement, is the first one that matches it (nil: unexplained).
	Explanation *Explanation `json:"explanation,omitempty"`
}

// Explanation says why Tempest and the matrix disagree on a test, where they do.
type Explanation struct {
	Test string `yaml:"test" json:"test"` // a Tempest test name, or a prefix ending in "*"
	// Columns are path.Match patterns on column ids ("bookworm/*"); none means every column.
	Columns []string `yaml:"columns" json:"columns,omitempty"`
	// Failure, when set, is a regexp that Tempest's failure line (the result's Detail) must
	// match: the explanation holds for that failure only, so a test failing another way in the
	// same column is not put down to it (a name alone once blamed a qcow2 refusal on a waiter).
	Failure string `yaml:"failure" json:"failure,omitempty"`
	// Kind is whose defect it is: ours, tempest, or configuration (of the column).
	Kind string `yaml:"kind" json:"kind"`
	Why  string `yaml:"why" json:"why"`
}

// ExplanationKinds are the defects a disagreement can be put down to.
var ExplanationKinds = []string{"ours", "tempest", "configuration"}

// LoadExplanations reads the disagreements file.
func LoadExplanations(file string) ([]Explanation, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Disagreements []Explanation `yaml:"disagreements"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	for i, e := range doc.Disagreements {
		if e.Test == "" || e.Why == "" || !slices.Contains(ExplanationKinds, e.Kind) {
			return nil, fmt.Errorf("%s: disagreements[%d]: want a test, a why and a kind (one of %v)", file, i, ExplanationKinds)
		}
		for _, p := range e.Columns {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("%s: disagreements[%d]: column pattern %q: %v", file, i, p, err)
			}
		}
		if _, err := regexp.Compile(e.Failure); err != nil {
			return nil, fmt.Errorf("%s: disagreements[%d]: failure %q: %v", file, i, e.Failure, err)
		}
	}
	return doc.Disagreements, nil
}

func (e Explanation) matches(test, column, detail string) bool {
	if e.Failure != "" {
		if re, err := regexp.Compile(e.Failure); err != nil || !re.MatchString(detail) {
			return false
		}
	}
	if p, ok := strings.CutSuffix(e.Test, "*"); ok {
		if !strings.HasPrefix(test, p) {
			return false
		}
	} else if e.Test != test {
		return false
	}
	if len(e.Columns) == 0 {
		return true
	}
	for _, p := range e.Columns {
		if ok, _ := path.Match(p, column); ok {
			return true
		}
	}
	return false
}

// ParityClaim is what the matrix claims of a Tempest test in a column: pass when every feature
// covering it passed there. http.keep-alive is not among them: Tempest's client (urllib3) checks
// a pooled connection for the server's close before reusing it, and the crosscheck on uWSGI's
// HTTP router, which drops kept-alive connections unannounced, saw it reconnect ("Resetting
// dropped connection", 205 times in one run) and pass every test whose features passed.
func (m *Matrix) ParityClaim(test, column string) string {
	var covering []string
	for _, f := range m.Features {
		if slices.Contains(f.Tempest, test) {
			covering = append(covering, f.ID)
		}
	}
	if len(covering) == 0 {
		return ClaimNoFeature
	}
	claim := ClaimPass
	for _, f := range covering {
		cell, ok := m.Cell(f, column)
		switch {
		case ok && (cell.Result == Fail || cell.Result == Error):
			return ClaimFail
		case !ok || cell.Result != Pass:
			claim = ClaimNotJudged
		}
	}
	return claim
}

// CompareTempest sets each of Tempest's verdicts beside the matrix's claim, in the runs' order,
// and puts each disagreement down to the first explanation that matches it.
func (m *Matrix) CompareTempest(explanations []Explanation) []TempestComparison {
	var out []TempestComparison
	for _, run := range m.Tempest {
		for _, r := range run.Results {
			c := TempestComparison{Column: run.Column, Test: r.Test, Tempest: r.Status, Detail: r.Detail, Claim: m.ParityClaim(r.Test, run.Column)}
			switch {
			case r.Status == TempestSkip || c.Claim == ClaimNoFeature || c.Claim == ClaimNotJudged:
				c.Verdict = NotCompared
			case (r.Status == TempestPass) == (c.Claim == ClaimPass):
				c.Verdict = Agree
			default:
				c.Verdict = Disagree
				for i := range explanations {
					if explanations[i].matches(r.Test, run.Column, r.Detail) {
						c.Explanation = &explanations[i]
						break
					}
				}
			}
			out = append(out, c)
		}
	}
	return out
}

// TempestSummary counts one column's crosscheck.
type TempestSummary struct {
	Run                                 TempestRun
	Passed, Failed, Skipped             int
	Agree, Explained, Unexplained, None int // None: not compared
}

// TempestSummaries counts each column's Tempest verdicts and their comparison, in run order.
func (m *Matrix) TempestSummaries() []TempestSummary {
	var out []TempestSummary
	for _, run := range m.Tempest {
		s := TempestSummary{Run: run}
		for _, r := range run.Results {
			switch r.Status {
			case TempestPass:
				s.Passed++
			case TempestFail:
				s.Failed++
			default:
				s.Skipped++
			}
		}
		for _, c := range m.Crosscheck {
			if c.Column != run.Column {
				continue
			}
			switch {
			case c.Verdict == Agree:
				s.Agree++
			case c.Verdict == Disagree && c.Explanation != nil:
				s.Explained++
			case c.Verdict == Disagree:
				s.Unexplained++
			default:
				s.None++
			}
		}
		out = append(out, s)
	}
	return out
}

// Disagreements are the comparisons where Tempest and the matrix differ.
func (m *Matrix) Disagreements() []TempestComparison {
	var out []TempestComparison
	for _, c := range m.Crosscheck {
		if c.Verdict == Disagree {
			out = append(out, c)
		}
	}
	return out
}

// shortTest drops the common prefix of Tempest's image test names.
func shortTest(t string) string { return strings.TrimPrefix(t, "tempest.api.image.v2.") }

// writeTempestVerdict is matrix.md's "Tempest's own verdict": per column, what Tempest found and
// how it compares; then every disagreement with its explanation; then every comparison.
func (m *Matrix) writeTempestVerdict(b *strings.Builder) {
	if len(m.Tempest) == 0 {
		return
	}
	b.WriteString("\n## Tempest's own verdict\n\nTempest's image API tests, run by Tempest itself against each column after its features (make crosscheck), signed in through the run's Keystone as the specs' accounts; each verdict set beside the matrix's parity claim for the test (every feature covering it passed in that column). A skipped test, or one the matrix makes no claim on (no feature covers it, or one did not run), is not compared.\n\n")
	b.WriteString("| column | Tempest | tests | passed | failed | skipped | agree | disagree (explained) | disagree (unexplained) | not compared | time | files |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range m.TempestSummaries() {
		if s.Run.Error != "" {
			fmt.Fprintf(b, "| %s | %s | error: %s | | | | | | | | %.0f s | %s |\n", s.Run.Column, s.Run.Version, escape(truncate(s.Run.Error, 200)), s.Run.Seconds, s.Run.Files)
			continue
		}
		fmt.Fprintf(b, "| %s | %s (%s) | %d | %d | %d | %d | %d | %d | %d | %d | %.0f s | %s |\n", s.Run.Column, s.Run.Version, s.Run.Release,
			len(s.Run.Results), s.Passed, s.Failed, s.Skipped, s.Agree, s.Explained, s.Unexplained, s.None, s.Run.Seconds, s.Run.Files)
	}
	if d := m.Disagreements(); len(d) > 0 {
		b.WriteString("\n### Disagreements\n\n| column | test | Tempest | matrix | whose | why |\n|---|---|---|---|---|---|\n")
		for _, c := range d {
			whose, why := "**unexplained**", ""
			if e := c.Explanation; e != nil {
				whose, why = e.Kind, e.Why
			}
			fmt.Fprintf(b, "| %s | `%s` | %s%s | %s | %s | %s |\n", c.Column, shortTest(c.Test), c.Tempest, reasonSuffix(c.Detail), c.Claim, whose, escape(why))
		}
	}
	b.WriteString("\n### Every test\n\n| column | test | Tempest | matrix | comparison |\n|---|---|---|---|---|\n")
	for _, c := range m.Crosscheck {
		detail := ""
		if c.Tempest != TempestPass {
			detail = reasonSuffix(c.Detail)
		}
		fmt.Fprintf(b, "| %s | `%s` | %s%s | %s | %s |\n", c.Column, shortTest(c.Test), c.Tempest, detail, c.Claim, c.Verdict)
	}
}
