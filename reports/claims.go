package reports

import (
	"fmt"
	"strings"
)

// ClaimsAPIVersion is the schema of fixtures/claims.yaml.
const ClaimsAPIVersion = "glance-conformance/claims/v1"

// Claim is one statement of a document about where Glance works, as data. It is an expected
// outcome: compared with the cells, never turned into one.
type Claim struct {
	ID     string `yaml:"id" json:"id"`
	Quote  string `yaml:"quote" json:"quote"`
	Source struct {
		Document string `yaml:"document" json:"document"`
		Revision string `yaml:"revision" json:"revision"`
		Section  string `yaml:"section" json:"section"`
	} `yaml:"source" json:"source"`
	Releases   []string `yaml:"releases" json:"releases"`
	Topologies []string `yaml:"topologies" json:"topologies"`
	Features   []string `yaml:"features" json:"features,omitempty"` // empty: every feature of the run
	Predicts   string   `yaml:"predicts" json:"predicts"`           // fail, some-fail or pass
}

// Verdicts of a claim.
const (
	Confirmed    = "confirmed"
	Contradicted = "contradicted"
	PartlyTrue   = "partly true"
	Untested     = "untested"
)

// ClaimVerdict is a claim with what the run's cells say of it.
type ClaimVerdict struct {
	Claim
	Verdict string `json:"verdict"`
	// Supporting and Against count the cells agreeing and disagreeing with the prediction.
	Supporting int `json:"supporting"`
	Against    int `json:"against"`
	// Cells names the cells that decide the verdict: those against the prediction, or for a
	// confirmed claim, those that bear it out ("feature on column: result").
	Cells []string `json:"cells,omitempty"`
}

type claimsFile struct {
	APIVersion string  `yaml:"apiVersion"`
	Claims     []Claim `yaml:"claims"`
}

// LoadClaims reads and checks a claims file.
func LoadClaims(path string) ([]Claim, error) {
	var f claimsFile
	if err := decodeStrict(path, &f); err != nil {
		return nil, err
	}
	if f.APIVersion != ClaimsAPIVersion {
		return nil, fmt.Errorf("%s: apiVersion %q, want %q", path, f.APIVersion, ClaimsAPIVersion)
	}
	seen := map[string]bool{}
	for _, c := range f.Claims {
		switch {
		case c.ID == "" || seen[c.ID]:
			return nil, fmt.Errorf("%s: missing or repeated claim id %q", path, c.ID)
		case c.Quote == "" || c.Source.Document == "" || len(c.Releases) == 0 || len(c.Topologies) == 0:
			return nil, fmt.Errorf("%s: claim %s needs a quote, a source, releases and topologies", path, c.ID)
		case c.Predicts != "fail" && c.Predicts != "some-fail" && c.Predicts != "pass":
			return nil, fmt.Errorf("%s: claim %s predicts %q (want fail, some-fail or pass)", path, c.ID, c.Predicts)
		}
		seen[c.ID] = true
	}
	return f.Claims, nil
}

// EvaluateClaims compares each claim with the matrix's cells. Only pass and fail cells count:
// a skip, an error or n/a says nothing about the claim.
func (m *Matrix) EvaluateClaims(claims []Claim) []ClaimVerdict {
	var out []ClaimVerdict
	for _, c := range claims {
		v := ClaimVerdict{Claim: c}
		features := c.Features
		if len(features) == 0 {
			for _, f := range m.Features {
				features = append(features, f.ID)
			}
		}
		var columnsWithFail, columnsTested int
		var against, supporting []string
		for _, rel := range c.Releases {
			for _, top := range c.Topologies {
				col := ColumnID(rel, top)
				tested, failed := 0, 0
				for _, f := range features {
					cell, ok := m.Cell(f, col)
					if !ok || (cell.Result != Pass && cell.Result != Fail) {
						continue
					}
					tested++
					name := fmt.Sprintf("%s on %s: %s", f, col, cell.Result)
					if cell.Result == Fail {
						failed++
					}
					switch {
					case c.Predicts == "pass" && cell.Result == Fail, c.Predicts == "fail" && cell.Result == Pass:
						against = append(against, name)
					case c.Predicts != "some-fail":
						supporting = append(supporting, name)
					case cell.Result == Fail:
						supporting = append(supporting, name)
					}
				}
				if tested == 0 {
					continue
				}
				columnsTested++
				if failed > 0 {
					columnsWithFail++
				} else if c.Predicts == "some-fail" {
					against = append(against, fmt.Sprintf("%s: all %d features pass", col, tested))
				}
			}
		}
		v.Supporting, v.Against = len(supporting), len(against)
		switch {
		case columnsTested == 0:
			v.Verdict = Untested
		case c.Predicts == "some-fail" && columnsWithFail == columnsTested,
			c.Predicts != "some-fail" && len(against) == 0:
			v.Verdict = Confirmed
		case c.Predicts == "some-fail" && columnsWithFail == 0,
			c.Predicts != "some-fail" && len(supporting) == 0:
			v.Verdict = Contradicted
		default:
			v.Verdict = PartlyTrue
		}
		v.Cells = against
		if v.Verdict == Confirmed {
			v.Cells = supporting
		}
		out = append(out, v)
	}
	return out
}

// writeClaims is matrix.md's "Documented vs observed" section.
func (m *Matrix) writeClaims(b *strings.Builder) {
	if len(m.Claims) == 0 {
		return
	}
	b.WriteString("\n## Documented vs observed\n\nEach statement of the document, as `fixtures/claims.yaml` records it, against this run's cells (pass and fail only; skipped, n/a and error cells say nothing).\n\n")
	b.WriteString("| claim | says | releases | verdict | cells for / against |\n|---|---|---|---|---|\n")
	for _, c := range m.Claims {
		fmt.Fprintf(b, "| `%s` | %s (%s, %s) | %s | **%s** | %d / %d |\n", c.ID, escape(truncate(c.Quote, 160)), c.Source.Section, c.Source.Revision,
			strings.Join(c.Releases, ", "), c.Verdict, c.Supporting, c.Against)
	}
	for _, c := range m.Claims {
		if len(c.Cells) == 0 {
			continue
		}
		label := "against"
		if c.Verdict == Confirmed {
			label = "bearing it out"
		}
		fmt.Fprintf(b, "\n`%s` (%s), cells %s: %s\n", c.ID, c.Verdict, label, escape(strings.Join(firstN(c.Cells, 12), "; ")))
	}
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string(nil), s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
