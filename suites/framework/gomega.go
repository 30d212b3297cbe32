package framework

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"

	"github.com/glance-conformance/glance-conformance/fixtures/payload"
)

// Specs assert with Gomega: Expect(err).NotTo(HaveOccurred(), "create"), Expect(ok).To(BeTrue(),
// "why, in words"), Expect(err).To(HaveStatus(403), "a member deleting"), and wait with
// Eventually. A cell's reason is one line, so Gomega's messages, written for a terminal, are
// turned into one here before Ginkgo records them: the description, then what the matcher
// found.

// failWithReason is the suite's Gomega fail handler.
func failWithReason(message string, callerSkip ...int) {
	skip := 1
	if len(callerSkip) > 0 {
		skip += callerSkip[0]
	}
	Fail(reason(message), skip)
}

// oneLineMark starts a line that is already what the reason should say: Gomega's formatter
// prints an error so (see init), and our matchers their messages; reason keeps that line and
// drops the type, address and raw text Gomega prints around an error.
const oneLineMark = "in one line: "

func init() {
	format.RegisterCustomFormatter(func(v any) (string, bool) {
		if err, ok := v.(error); ok {
			return oneLineMark + ErrorLine(err), true
		}
		return "", false
	})
}

var (
	// The first line of a failed Eventually or Consistently.
	asyncPreamble = regexp.MustCompile(`^(Timed out after [0-9.]+s\.|Context was cancelled .*after [0-9.]+s\.|Told to stop trying after [0-9.]+s\.)$`)
	// Gomega's own matcher messages begin so; anything before them is the spec's description.
	matcherStart = regexp.MustCompile(`^(Expected|Unexpected error:|The function passed to|At one point|in one line: )`)
	typeAnnot    = regexp.MustCompile(`<[^>]*>: ?`)
)

// reason turns a Gomega failure message into one line: "description: what was found".
func reason(message string) string {
	lines := strings.Split(strings.TrimSpace(message), "\n")
	stopped := false
	if len(lines) > 1 && asyncPreamble.MatchString(lines[0]) {
		// The description of a wait says what was awaited and the last state seen.
		stopped = strings.HasPrefix(lines[0], "Told to stop trying")
		lines = lines[1:]
	}
	var desc []string
	for len(lines) > 0 && !matcherStart.MatchString(lines[0]) {
		desc = append(desc, strings.TrimSpace(lines[0]))
		lines = lines[1:]
		if stopped && len(desc) == 2 {
			// Description, then StopTrying's message; the rest is about the earlier tries.
			return strings.Join(desc, ": ")
		}
	}
	detail := matcherDetail(lines)
	switch {
	case detail == "" && len(desc) == 0:
		return strings.Join(strings.Fields(strings.Join(lines, " ")), " ") // no description: Gomega's words
	case detail == "":
		return strings.Join(desc, ": ")
	}
	return strings.Join(append(desc, detail), ": ")
}

// matcherDetail is a Gomega matcher's message in a few words: the error, in one line, for the
// error matchers; nothing for BeTrue and BeFalse, whose description says it all; Gomega's
// "Expected x to equal y", without type annotations, for the others.
func matcherDetail(lines []string) string {
	for _, l := range lines {
		if _, after, ok := strings.Cut(l, oneLineMark); ok {
			return after
		}
	}
	text := strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
	if text == "Expected <bool>: false to be true" || text == "Expected <bool>: true to be false" {
		return ""
	}
	return typeAnnot.ReplaceAllString(text, "")
}

// HaveStatus succeeds when err is Glance's answer with the given status code: the spec expects
// a refusal, and anything else (success, another status, no answer) is the finding.
func HaveStatus(code int) types.GomegaMatcher { return haveStatus{code} }

type haveStatus struct{ code int }

func (m haveStatus) Match(actual any) (bool, error) {
	if actual == nil {
		return false, nil
	}
	err, ok := actual.(error)
	if !ok {
		return false, fmt.Errorf("HaveStatus expects an error, got %T", actual)
	}
	return gophercloud.ResponseCodeIs(err, m.code), nil
}

func (m haveStatus) FailureMessage(actual any) string {
	if actual == nil {
		return fmt.Sprintf("%ssucceeded, want %d", oneLineMark, m.code)
	}
	return fmt.Sprintf("%swant %d, got %s", oneLineMark, m.code, ErrorLine(actual.(error)))
}

func (m haveStatus) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("%sgot %d: %s", oneLineMark, m.code, ErrorLine(actual.(error)))
}

// HaveImagePayload succeeds when an image record describes the payload: active, with its size,
// MD5 checksum and SHA-512 multihash.
func HaveImagePayload(p payload.Payload) types.GomegaMatcher { return haveImagePayload{p} }

type haveImagePayload struct{ p payload.Payload }

func (m haveImagePayload) Match(actual any) (bool, error) {
	img, ok := actual.(*images.Image)
	if !ok || img == nil {
		return false, fmt.Errorf("HaveImagePayload expects an *images.Image, got %T", actual)
	}
	return m.mismatch(img) == "", nil
}

// mismatch names the first property of the image that does not describe the payload.
func (m haveImagePayload) mismatch(img *images.Image) string {
	algo, _ := img.Properties["os_hash_algo"].(string)
	hash, _ := img.Properties["os_hash_value"].(string)
	switch {
	case img.Status != images.ImageStatusActive:
		return fmt.Sprintf("image is %q, want active", img.Status)
	case img.SizeBytes != int64(len(m.p.Data)):
		return fmt.Sprintf("size is %d, want %d", img.SizeBytes, len(m.p.Data))
	case img.Checksum != m.p.MD5:
		return fmt.Sprintf("checksum is %q, want %q", img.Checksum, m.p.MD5)
	case algo != "sha512":
		return fmt.Sprintf("os_hash_algo is %q, want sha512", algo)
	case hash != m.p.SHA512:
		return fmt.Sprintf("os_hash_value is %.16s..., want %.16s...", hash, m.p.SHA512)
	}
	return ""
}

func (m haveImagePayload) FailureMessage(actual any) string {
	return oneLineMark + m.mismatch(actual.(*images.Image))
}

func (m haveImagePayload) NegatedFailureMessage(any) string {
	return oneLineMark + "the image describes the payload"
}
