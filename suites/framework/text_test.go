package framework

import (
	"testing"
)

func TestBodySummary(t *testing.T) {
	cases := map[string]string{
		`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN"><html><head><title>411 Length Required</title></head><body><h1>Length Required</h1></body></html>`:                                        "411 Length Required (HTML page)",
		`{"message": "The server has either erred or is incapable of performing the requested operation.<br /><br />\n\n\n", "code": "500 Internal Server Error", "title": "Internal Server Error"}`: "Internal Server Error: The server has either erred or is incapable of performing the requested operation.",
		"plain\n text": "plain text",
	}
	for in, want := range cases {
		if got := BodySummary([]byte(in)); got != want {
			t.Errorf("BodySummary(%.30q) = %q, want %q", in, got, want)
		}
	}
}

func TestCounted(t *testing.T) {
	for n, want := range map[int]string{0: "0 requests", 1: "1 request", 3: "3 requests"} {
		if got := Counted(n, "request"); got != want {
			t.Errorf("Counted(%d) = %q, want %q", n, got, want)
		}
	}
}
