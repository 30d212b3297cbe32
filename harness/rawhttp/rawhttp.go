// Package rawhttp sends HTTP/1.1 over a bare TCP connection, for the one thing net/http hides:
// what a server does with the connection when it answers before it has read the request body.
// Go's client (like python-requests) writes the whole body before it reads; a server that
// answers early and then closes without draining the body (no lingering close, RFC 9112 9.6)
// resets the connection under it, and the client loses the answer.
package rawhttp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Outcome is what happened on the connection, in the order things were observed.
type Outcome struct {
	Status      int    // the first answer's status, 0 if none was read
	Close       bool   // the first answer said Connection: close
	BodySent    int64  // body bytes the client wrote
	WriteErr    error  // why the client could not write all of the body and the follow-up
	ReadErr     error  // how reading ended, nil for a clean end of stream
	Followed    int    // the follow-up request's status, 0 if not read
	AnswerHead  string // status line and headers of the first answer
	ElapsedTime time.Duration
}

// Reset reports whether the connection was reset or broken under the client.
func (o Outcome) Reset() bool {
	return isReset(o.WriteErr) || isReset(o.ReadErr)
}

func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// String is the outcome in one line, for the evidence.
func (o Outcome) String() string {
	parts := []string{fmt.Sprintf("answer %d (Connection: close=%v)", o.Status, o.Close), fmt.Sprintf("body bytes written %d", o.BodySent)}
	if o.WriteErr != nil {
		parts = append(parts, "write failed: "+o.WriteErr.Error())
	}
	if o.Followed != 0 {
		parts = append(parts, fmt.Sprintf("follow-up answered %d", o.Followed))
	}
	if o.ReadErr != nil {
		parts = append(parts, "read ended: "+o.ReadErr.Error())
	} else {
		parts = append(parts, "read ended: clean end of stream")
	}
	return strings.Join(parts, "; ") + fmt.Sprintf(" (%s)", o.ElapsedTime.Round(time.Millisecond))
}

// Request is one request with a body of BodySize bytes read from Body.
type Request struct {
	Method   string
	URL      string // absolute http URL
	Headers  map[string]string
	Body     io.Reader
	BodySize int64
	TLS      *tls.Config // for an https URL (nil: the system's roots)
}

// SendWholeBody writes req with Content-Length, its whole body and then a follow-up
// "GET <followPath>" on the same connection, as a client that writes before it reads does,
// while it reads answers concurrently. It reads the first answer, then either the follow-up's
// answer (when the server kept the connection) or the end of the stream (when it said close).
// An error means the harness could not run the exchange at all (bad URL, no connection).
func SendWholeBody(ctx context.Context, req Request, followPath string) (Outcome, error) {
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return Outcome{}, fmt.Errorf("rawhttp: want an http or https URL, got %q", req.URL)
	}
	conn, err := dial(ctx, u, req.TLS)
	if err != nil {
		return Outcome{}, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	start := time.Now()
	written := make(chan writeResult, 1)
	go func() {
		n, err := writeAll(conn, u, req, followPath)
		written <- writeResult{n, err}
	}()

	var o Outcome
	br := bufio.NewReader(conn)
	first, err := http.ReadResponse(br, nil)
	if err == nil {
		o.Status, o.Close = first.StatusCode, first.Close
		o.AnswerHead = head(first)
		_, err = io.Copy(io.Discard, first.Body)
		first.Body.Close()
	}
	if err == nil && !o.Close {
		var next *http.Response
		if next, err = http.ReadResponse(br, nil); err == nil {
			o.Followed = next.StatusCode
			_, err = io.Copy(io.Discard, next.Body)
			next.Body.Close()
		}
	}
	if err == nil {
		// Both requests are answered or the server said it closes: the stream must now end.
		_, err = io.Copy(io.Discard, br)
	}
	o.ReadErr = err
	// The writer ends on its own: it has written everything, or the connection broke, or the
	// deadline stops it.
	w := <-written
	o.BodySent, o.WriteErr = w.n, w.err
	o.ElapsedTime = time.Since(start)
	return o, nil
}

type writeResult struct {
	n   int64
	err error
}

func writeAll(conn net.Conn, u *url.URL, req Request, followPath string) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.Method, u.RequestURI(), u.Host, req.BodySize)
	keys := make([]string, 0, len(req.Headers))
	for k := range req.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\r\n", k, req.Headers[k])
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return 0, err
	}
	n, err := io.Copy(conn, io.LimitReader(req.Body, req.BodySize))
	if err != nil {
		return n, err
	}
	follow := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", followPath, u.Host)
	_, err = io.WriteString(conn, follow)
	return n, err
}

func head(r *http.Response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Proto, r.Status)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n%s: %s", k, strings.Join(r.Header[k], ", "))
	}
	return b.String()
}

// Conn is one client connection used as a kept-alive client uses it: one request after the
// other, each written whole before its answer is read, with nothing hidden. net/http notices a
// close in the background and silently resends idempotent requests; this does neither, so what
// the server does with the connection after each answer is exactly what the next request meets.
type Conn struct {
	conn net.Conn
	br   *bufio.Reader
	base *url.URL
}

// Dial opens a connection to the server of base (an http or https URL ending in "/"); tlsConf
// is used for https (nil: the system's roots).
func Dial(ctx context.Context, base string, tlsConf *tls.Config) (*Conn, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("rawhttp: want an http or https URL, got %q", base)
	}
	conn, err := dial(ctx, u, tlsConf)
	if err != nil {
		return nil, err
	}
	return &Conn{conn: conn, br: bufio.NewReader(conn), base: u}, nil
}

// dial connects to u's server, through TLS for https, speaking HTTP/1.1 only.
func dial(ctx context.Context, u *url.URL, tlsConf *tls.Config) (net.Conn, error) {
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
	}
	d := &net.Dialer{Timeout: 10 * time.Second}
	if u.Scheme == "https" {
		cfg := &tls.Config{}
		if tlsConf != nil {
			cfg = tlsConf.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		return (&tls.Dialer{NetDialer: d, Config: cfg}).DialContext(ctx, "tcp", host)
	}
	return d.DialContext(ctx, "tcp", host)
}

// Close closes the connection.
func (c *Conn) Close() error { return c.conn.Close() }

// timedOut tells a deadline (the context's) from the connection ending.
func timedOut(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// Answer is a whole answer read from a Conn.
type Answer struct {
	Status int
	Close  bool // the answer announced that the server closes the connection after it
	Head   string
	Header http.Header
	Body   []byte
}

// NoAnswerError is a request on a Conn that got not one byte of answer: the connection ended
// (or failed) before the server said anything.
type NoAnswerError struct{ Err error }

func (e *NoAnswerError) Error() string {
	if errors.Is(e.Err, io.EOF) {
		return "no answer: the server closed the connection"
	}
	return "no answer: " + e.Err.Error()
}

func (e *NoAnswerError) Unwrap() error { return e.Err }

// Do writes one request (path relative to the base URL, body with Content-Length when not nil)
// and reads its whole answer. A NoAnswerError says not one byte of answer came; any other error
// came after part of an answer, or while writing.
func (c *Conn) Do(ctx context.Context, method, path string, headers map[string]string, body []byte) (*Answer, error) {
	dl, _ := ctx.Deadline() // none: the zero time, which also clears an earlier call's
	_ = c.conn.SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { _ = c.conn.SetDeadline(time.Now()) })
	defer stop()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s%s HTTP/1.1\r\nHost: %s\r\n", method, c.base.Path, strings.TrimPrefix(path, "/"), c.base.Host)
	if body != nil {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	keys := make([]string, 0, len(headers))
	for k := range headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\r\n", k, headers[k])
	}
	b.WriteString("\r\n")
	msg := append([]byte(b.String()), body...)
	if _, err := c.conn.Write(msg); err != nil {
		if _, perr := c.br.Peek(1); perr != nil && !timedOut(perr) {
			return nil, &NoAnswerError{err}
		}
		return nil, fmt.Errorf("writing the request: %w", err)
	}
	if _, err := c.br.Peek(1); err != nil {
		if timedOut(err) { // the server kept the connection but did not answer in time
			return nil, fmt.Errorf("no answer before the deadline: %w", err)
		}
		return nil, &NoAnswerError{err}
	}
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the answer's body: %w", err)
	}
	return &Answer{Status: resp.StatusCode, Close: resp.Close, Head: head(resp), Header: resp.Header, Body: data}, nil
}
