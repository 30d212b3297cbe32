package framework

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/gophercloud/gophercloud/v2"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
)

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func firstWord(s string) string {
	s, _, _ = strings.Cut(s, ":")
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func Truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func pathOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.RequestURI()
	}
	return raw
}

func IsStatus(err error, code int) bool { return gophercloud.ResponseCodeIs(err, code) }

func ErrText(err error) string {
	if err == nil {
		return "no error (it answered 200)"
	}
	return ErrorLine(err)
}

// ShortStatus is the status code of a failed request ("500"), or the error in one line.
func ShortStatus(err error) string {
	var unexpected gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &unexpected) {
		return fmt.Sprint(unexpected.Actual)
	}
	var ue *url.Error // the request's method and URL are the same for every failure of a row
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return Truncate(oneLine(err.Error()), 80)
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// BodySummary is the gist of an error body in one short line: the title of an HTML page,
// the title and message of Glance's JSON errors, or the start of anything else.
func BodySummary(b []byte) string {
	var glanceErr struct{ Title, Message string }
	if json.Unmarshal(b, &glanceErr) == nil && (glanceErr.Title != "" || glanceErr.Message != "") {
		msg := oneLine(htmlTag.ReplaceAllString(glanceErr.Message, " "))
		return Truncate(strings.TrimSpace(glanceErr.Title+": "+msg), 200)
	}
	if m := htmlTitle.FindSubmatch(b); m != nil {
		return Truncate(oneLine(string(m[1]))+" (HTML page)", 200)
	}
	return Truncate(oneLine(string(b)), 200)
}

// Counted says "1 request", "3 requests".
func Counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Summarize folds identical failures: "upload: 500 x3, create: 500".
func Summarize(failures []string) string {
	count := map[string]int{}
	for _, f := range failures {
		count[f]++
	}
	keys := slices.Sorted(maps.Keys(count))
	sort.SliceStable(keys, func(i, j int) bool { return count[keys[i]] > count[keys[j]] })
	var parts []string
	for _, k := range keys {
		if count[k] > 1 {
			parts = append(parts, fmt.Sprintf("%s x%d", k, count[k]))
		} else {
			parts = append(parts, k)
		}
	}
	return strings.Join(parts, ", ")
}
