// Package evidence records what happened on the wire and in the server logs, so that every
// failed cell of the matrix carries the status codes, response heads and log lines behind it.
package evidence

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Exchange is one HTTP request and its outcome, as the client saw it.
type Exchange struct {
	Method    string `json:"method"`
	URL       string `json:"url"`
	Body      string `json:"request_body,omitempty"` // how the request body was framed
	Status    int    `json:"status,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	BodyHead  string `json:"response_head,omitempty"` // start of an error or JSON response
	Error     string `json:"error,omitempty"`         // transport error (reset, timeout, ...)
	Millis    int64  `json:"ms"`
}

// String is the one-line form used in reports.
func (e Exchange) String() string {
	s := fmt.Sprintf("%s %s", e.Method, e.URL)
	if e.Body != "" {
		s += " [" + e.Body + "]"
	}
	if e.Error != "" {
		return s + " -> error: " + e.Error
	}
	if e.Status == 0 {
		return s // a note, no answer to show
	}
	s += fmt.Sprintf(" -> %d", e.Status)
	if e.RequestID != "" {
		s += " " + e.RequestID
	}
	if e.BodyHead != "" {
		s += ": " + oneLine(e.BodyHead, 300)
	}
	return s
}

// HeadBytes is how much of a response body an exchange keeps.
const HeadBytes = 512

// Drop is a request that met a kept-alive connection the server had closed without announcing
// it: written on a reused connection, not one byte of answer, the connection's previous answer
// without Connection: close. Row names the row of that defect (http.keep-alive, or
// upload.early-answer when the previous answer came before its body was sent); the request was
// resent.
type Drop struct {
	Request        string `json:"request"`         // "PATCH /v2/images/..."
	PreviousAnswer string `json:"previous_answer"` // the last answer on the connection
	Idle           string `json:"idle"`            // how long the connection had been idle before the request
	Met            string `json:"met"`             // what the request met instead of an answer
	Resent         string `json:"resent"`          // what the resend got, or why there was none
	Row            string `json:"row"`             // the feature whose defect the drop is
	// Confirmed: the resend got an answer, so the connection and not the request was at fault.
	Confirmed bool `json:"confirmed"`
}

// String is the one-line form used in notes.
func (d Drop) String() string {
	return fmt.Sprintf("%s met %s on a kept-alive connection idle for %s whose previous answer (%s) had not announced a close; %s", d.Request, d.Met, d.Idle, d.PreviousAnswer, d.Resent)
}

// Recorder is an http.RoundTripper that records every exchange it carries.
type Recorder struct {
	Next  http.RoundTripper
	mu    sync.Mutex
	log   []Exchange
	drops []Drop
}

// Dropped records a request that met a dropped kept-alive connection, among the exchanges too.
func (r *Recorder) Dropped(d Drop) {
	r.mu.Lock()
	if d.Confirmed {
		r.drops = append(r.drops, d)
	}
	r.mu.Unlock()
	r.add(Exchange{Method: "dropped", URL: d.String()})
}

// Drops returns the confirmed drops recorded by Dropped.
func (r *Recorder) Drops() []Drop {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Drop(nil), r.drops...)
}

// CloseIdleConnections closes the idle connections of the transport below.
func (r *Recorder) CloseIdleConnections() {
	if c, ok := r.Next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// RoundTrip implements http.RoundTripper.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := Exchange{Method: req.Method, URL: req.URL.RequestURI()}
	switch {
	case req.Body == nil || req.Body == http.NoBody:
	case req.ContentLength > 0:
		ex.Body = fmt.Sprintf("Content-Length: %d", req.ContentLength)
	default:
		ex.Body = "Transfer-Encoding: chunked"
	}
	if e := req.Header.Get("Expect"); e != "" {
		ex.Body = strings.TrimPrefix(ex.Body+", Expect: "+e, ", ")
	}
	if rg := req.Header.Get("Range"); rg != "" {
		ex.Body = strings.TrimPrefix(ex.Body+", Range: "+rg, ", ")
	}
	start := time.Now()
	resp, err := r.Next.RoundTrip(req)
	ex.Millis = time.Since(start).Milliseconds()
	if err != nil {
		ex.Error = err.Error()
		r.add(ex)
		return resp, err
	}
	ex.Status = resp.StatusCode
	ex.RequestID = resp.Header.Get("X-Openstack-Request-Id")
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode >= 400 || strings.Contains(ct, "json") || strings.HasPrefix(ct, "text/") {
		// Small bodies are read here so their head can be kept; the caller gets them intact.
		const limit = 64 << 10
		b, rerr := io.ReadAll(io.LimitReader(resp.Body, limit))
		rest := resp.Body
		resp.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(b), rest), rest}
		if rerr != nil {
			ex.Error = "reading response: " + rerr.Error()
		}
		if len(b) > HeadBytes {
			b = b[:HeadBytes]
		}
		ex.BodyHead = string(b)
	}
	r.add(ex)
	return resp, nil
}

func (r *Recorder) add(ex Exchange) {
	r.mu.Lock()
	r.log = append(r.log, ex)
	r.mu.Unlock()
}

// Note records something that did not go through the recorder (a raw connection, say).
func (r *Recorder) Note(ex Exchange) { r.add(ex) }

// Exchanges returns a copy of what was recorded so far.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Exchange(nil), r.log...)
}

// RequestIDs returns the request ids Glance gave the recorded exchanges.
func (r *Recorder) RequestIDs() []string {
	var ids []string
	for _, ex := range r.Exchanges() {
		if ex.RequestID != "" {
			ids = append(ids, ex.RequestID)
		}
	}
	return ids
}

// problemLine matches log lines that report a problem whatever the request: Python tracebacks
// and oslo.log levels, Apache's [level] tags, uWSGI's own complaints.
var problemLine = regexp.MustCompile(`(?i)\b(ERROR|CRITICAL|WARNING)\b|Traceback|Exception|:error\]|:warn\]|\bdamn\b|\binvalid request\b|uwsgi_response|\bbroken pipe\b|timeout`)

// routineLine is an oslo.log INFO or DEBUG line ("2026-01-01 10:00:00.000 80 INFO glance.x"):
// never a problem in itself, even where mod_wsgi tags all application output "[wsgi:error]".
var routineLine = regexp.MustCompile(`\d \d+ (INFO|DEBUG) [a-z]`)

// ansiColor is the terminal colouring some log formats add.
var ansiColor = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// MatchLines picks the lines of a log worth quoting: those naming one of the needles (request
// ids, image ids, paths) and those reporting a problem. At most max lines, the last ones kept.
func MatchLines(log string, needles []string, max int) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		line = ansiColor.ReplaceAllString(strings.TrimRight(line, "\r"), "")
		if line == "" {
			continue
		}
		keep := problemLine.MatchString(line) && !routineLine.MatchString(line)
		for _, n := range needles {
			if keep {
				break
			}
			keep = n != "" && strings.Contains(line, n)
		}
		if keep {
			out = append(out, oneLine(line, 400))
		}
	}
	if len(out) > max {
		out = append([]string{fmt.Sprintf("[%d earlier lines left out]", len(out)-max)}, out[len(out)-max:]...)
	}
	return out
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}
