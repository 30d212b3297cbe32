package suites

import (
	"errors"
	"fmt"
	"github.com/gophercloud/gophercloud/v2"
	"net/url"
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

func truncate(s string, n int) string {
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isStatus(err error, code int) bool { return gophercloud.ResponseCodeIs(err, code) }

func errText(err error) string {
	if err == nil {
		return "no error (it answered 200)"
	}
	return describe(err)
}

// shortStatus is the status code of a failed request ("500"), or the error in one line.
func shortStatus(err error) string {
	var unexpected gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &unexpected) {
		return fmt.Sprint(unexpected.Actual)
	}
	return truncate(oneLine(err.Error()), 80)
}
