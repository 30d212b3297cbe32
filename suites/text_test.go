package suites

import "testing"

func TestBodySummary(t *testing.T) {
	cases := map[string]string{
		`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN"><html><head><title>411 Length Required</title></head><body><h1>Length Required</h1></body></html>`:                                        "411 Length Required (HTML page)",
		`{"message": "The server has either erred or is incapable of performing the requested operation.<br /><br />\n\n\n", "code": "500 Internal Server Error", "title": "Internal Server Error"}`: "Internal Server Error: The server has either erred or is incapable of performing the requested operation.",
		"plain\n text": "plain text",
	}
	for in, want := range cases {
		if got := bodySummary([]byte(in)); got != want {
			t.Errorf("bodySummary(%.30q) = %q, want %q", in, got, want)
		}
	}
}

func TestCounted(t *testing.T) {
	for n, want := range map[int]string{0: "0 requests", 1: "1 request", 3: "3 requests"} {
		if got := counted(n, "request"); got != want {
			t.Errorf("counted(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCount500s(t *testing.T) {
	if n := count500s([]string{"500", "get: 500", "upload: 503", "create: 400", "get: 5000"}); n != 2 {
		t.Errorf("count500s = %d, want 2 (a bare 500 and get: 500)", n)
	}
}
