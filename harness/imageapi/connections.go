package imageapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/glance-conformance/glance-conformance/harness/evidence"
)

// The specs' clients keep connections alive and reuse them, as keystoneauth sessions and
// Gophercloud's default transport do. A server that closes a kept-alive connection after an
// answer that did not announce the close (RFC 9112 9.3, 9.6) breaks the next request written on
// it; that is http.keep-alive's finding, and it must not make other rows fail now and then. So
// when a request fails on a connection the server dropped, and the connection's own trace proves
// it (all three below), the drop is recorded in the cell's evidence and the request is sent once
// more on a new connection. Nothing else is ever resent.
//  1. the request was written on a reused connection,
//  2. not one byte of answer came back on it,
//  3. the previous answer on that connection did not announce a close,
// and the connection ended within promptEnd of the request taking it (a connection the server
// closed ends the request at once, whatever the body's size; a server that has the request and
// gives up on it later, as uWSGI's router does after its 60 s http-timeout, is the row's own
// finding). A drop counts only when the resend on a new connection gets an answer: a request that
// fails on a new connection too failed on its own (a server that refuses that body, say), and is
// shown in the evidence but not counted against http.keep-alive. (uWSGI's router half-closes after
// its answer and may still read a following request, so how much of the body went out tells
// nothing.)
// Go's transport enforces (3) itself (it reuses a connection only after an answer without
// Connection: close), and it resends an idempotent request that met (1) and (2); the trace shows
// that resend too, and it is recorded the same way.

// keptAlive is the RoundTripper that attributes and resends.
type keptAlive struct {
	base   *http.Transport
	stall  time.Duration // StallTimeout, shorter in tests
	onDrop func(evidence.Drop)
	mu     sync.Mutex
	last   map[net.Conn]answer // the last answer read on each connection
}

// answer is the last answer read on a connection.
type answer struct {
	text string // "201 to POST /v2/images"
	// early: it came before its request was written whole (an early answer, RFC 9110 15.5.10's
	// way of refusing a body). A server that then closes the connection without announcing it
	// drops the body it did not read, and the next request with it: upload.early-answer's
	// finding, not a kept-alive defect of the server's.
	early bool
}

// Rows whose defect a dropped connection is.
const (
	keepAliveRow   = "http.keep-alive"
	earlyAnswerRow = "upload.early-answer"
)

func newKeptAlive(base *http.Transport, onDrop func(evidence.Drop)) *keptAlive {
	return &keptAlive{base: base, stall: StallTimeout, onDrop: onDrop, last: map[net.Conn]answer{}}
}

// try is one connection a request was written on, as its trace saw it.
type try struct {
	conn     net.Conn
	idle     time.Duration // how long it had been idle in the pool
	taken    time.Time     // when the request took it, right before writing on it
	reused   bool
	answered bool   // a byte of answer arrived on it
	early    bool   // the answer began before the request's body was taken whole
	interim  bool   // a 1xx came first (100 Continue): early is decided on the final answer
	previous answer // the last answer read on it before this request
}

// tries collects a request's tries from its trace. Go's transport may take a second connection
// for one request (its own resend), so there can be more than one.
type tries struct {
	mu   sync.Mutex
	list []try
	body *bodyTaken // the body of the request being written, nil without one
}

// bodyTaken tells how much of a request body the transport has taken. An answer that begins
// before the body is taken whole is an early answer: the server cannot have read what the
// transport has not yet taken. (net/http's WroteRequest cannot tell: it runs on the writing
// goroutine, which may call it after the reading one has seen the answer to a whole body.)
type bodyTaken struct {
	io.ReadCloser
	length int64 // Content-Length, or -1 for a chunked body
	mu     sync.Mutex
	n      int64
	eof    bool
}

func (b *bodyTaken) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.mu.Lock()
	b.n += int64(n)
	b.eof = b.eof || err == io.EOF
	b.mu.Unlock()
	return n, err
}

// bodyTakenWriterTo keeps the body's WriteTo, which net/http prefers and which decides the
// chunk sizes of a chunked body (upload.chunked-large-chunks sends chunks of its own sizes).
type bodyTakenWriterTo struct{ *bodyTaken }

func (b bodyTakenWriterTo) WriteTo(dst io.Writer) (int64, error) {
	n, err := b.ReadCloser.(io.WriterTo).WriteTo(takenWriter{dst, b.bodyTaken})
	if err == nil {
		b.mu.Lock()
		b.eof = true
		b.mu.Unlock()
	}
	return n, err
}

type takenWriter struct {
	io.Writer
	b *bodyTaken
}

func (w takenWriter) Write(p []byte) (int, error) {
	n, err := w.Writer.Write(p)
	w.b.mu.Lock()
	w.b.n += int64(n)
	w.b.mu.Unlock()
	return n, err
}

func (b *bodyTaken) whole() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.eof || b.length >= 0 && b.n >= b.length
}

// withBodyTaken has ts follow the request's body, and the body of Go's own resend.
func withBodyTaken(req *http.Request, ts *tries) *http.Request {
	if req.Body == nil || req.Body == http.NoBody {
		return req
	}
	length := req.ContentLength
	if length == 0 {
		length = -1 // a body of unknown length
	}
	follow := func(b io.ReadCloser) io.ReadCloser {
		bt := &bodyTaken{ReadCloser: b, length: length}
		ts.mu.Lock()
		ts.body = bt
		ts.mu.Unlock()
		if _, ok := b.(io.WriterTo); ok {
			return bodyTakenWriterTo{bt}
		}
		return bt
	}
	out := req.Clone(req.Context())
	out.Body = follow(req.Body)
	if req.GetBody != nil {
		out.GetBody = func() (io.ReadCloser, error) {
			b, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			return follow(b), nil
		}
	}
	return out
}

func (k *keptAlive) trace(ctx context.Context, ts *tries) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) {
			k.mu.Lock()
			prev := k.last[i.Conn]
			delete(k.last, i.Conn) // until this request's answer is noted: another request must not see prev as its own
			k.mu.Unlock()
			ts.mu.Lock()
			ts.list = append(ts.list, try{conn: i.Conn, idle: i.IdleTime, reused: i.Reused, previous: prev, taken: time.Now()})
			ts.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			ts.mu.Lock()
			if n := len(ts.list); n > 0 {
				ts.list[n-1].answered = true
				ts.list[n-1].early = ts.body != nil && !ts.body.whole()
			}
			ts.mu.Unlock()
		},
		// net/http signals the first byte once per response it reads, a 100 Continue included:
		// whether the final answer came early is decided when it has arrived (send).
		Got1xxResponse: func(int, textproto.MIMEHeader) error {
			ts.mu.Lock()
			if n := len(ts.list); n > 0 {
				ts.list[n-1].interim, ts.list[n-1].early = true, false
			}
			ts.mu.Unlock()
			return nil
		},
	})
}

// dropped reports whether a try was on a connection the server had dropped: reused, and not one
// byte of answer on it (Go reused it, so its previous answer did not announce a close).
func (t try) dropped() bool { return t.reused && !t.answered }

// promptEnd bounds how soon after its first bytes a dropped connection ends a request: one
// round trip on this machine's loopback or network namespace, with a wide margin for a busy host.
const promptEnd = time.Second

// drop is what a request met on this try, for the evidence.
func (t try) drop(request, met string) evidence.Drop {
	row := keepAliveRow
	if t.previous.early {
		row = earlyAnswerRow
	}
	return evidence.Drop{Request: request, PreviousAnswer: t.previousAnswer(), Idle: t.idle.Round(time.Millisecond).String(), Met: met, Row: row}
}

func (t try) previousAnswer() string {
	switch {
	case t.previous.text == "":
		return "an answer without Connection: close" // read but not yet noted when the connection was taken again
	case t.previous.early:
		return t.previous.text + ", an early answer before the request's body was sent whole, without Connection: close"
	}
	return t.previous.text + ", without Connection: close"
}

// RoundTrip implements http.RoundTripper.
func (k *keptAlive) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, ts, err := k.send(k.base, req)
	what := req.Method + " " + req.URL.RequestURI()
	// Go's transport resent it already: every try before the last died on a dropped connection.
	for _, t := range ts[:max(len(ts)-1, 0)] {
		if t.dropped() {
			d := t.drop(what, "no answer")
			d.Resent, d.Confirmed = "resent on a new connection by Go's transport", true
			k.onDrop(d)
		}
	}
	if err == nil || req.Context().Err() != nil || !connectionEnded(err) || len(ts) == 0 || !ts[len(ts)-1].dropped() {
		return resp, err
	}
	last := ts[len(ts)-1]
	if time.Since(last.taken) > promptEnd {
		return resp, err // the server had the request for a while before the end: not a connection dropped before it came
	}
	d := last.drop(what, err.Error())
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		d.Resent = "not resent: its body cannot be sent again"
		k.onDrop(d)
		return resp, err
	}
	again := req.Clone(req.Context())
	if req.GetBody != nil {
		if again.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	// A transport of its own, so the resend cannot be handed another kept-alive connection.
	fresh := k.base.Clone()
	resp, _, err = k.send(fresh, again)
	if err != nil {
		// The request fails on a new connection too: it was the request, not a dropped
		// connection (a server that refuses this body, say). Shown, not counted.
		fresh.CloseIdleConnections()
		d.Resent = "resent on a new connection, which failed too, so the request and not the connection is at fault: " + err.Error()
		k.onDrop(d)
		return nil, err
	}
	d.Resent = fmt.Sprintf("resent on a new connection: answered %d", resp.StatusCode)
	d.Confirmed = true
	k.onDrop(d)
	resp.Body = closeThen{resp.Body, fresh.CloseIdleConnections}
	return resp, nil
}

// connectionEnded tells whether err is the connection ending under the request (end of stream,
// reset, broken pipe), not a timeout or a cancellation: a server that hangs on a kept-alive
// connection has not dropped it.
func connectionEnded(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errStalled) || errors.Is(err, context.Canceled) {
		return false
	}
	// net.ErrClosed: net/http's reader saw the server's close and closed the connection under
	// the request's writer.
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "server closed idle connection")
}

// send makes one request through rt and notes the answer against its connection. It returns
// the tries.
func (k *keptAlive) send(rt http.RoundTripper, req *http.Request) (*http.Response, []try, error) {
	ts := &tries{}
	resp, err := progressGuard{rt, k.stall}.RoundTrip(withBodyTaken(req.WithContext(k.trace(req.Context(), ts)), ts))
	ts.mu.Lock()
	if n := len(ts.list); n > 0 && ts.list[n-1].interim {
		// After a 1xx: early if the body was still not taken whole when the final answer
		// arrived (a little late, so it errs towards http.keep-alive).
		ts.list[n-1].early = ts.body != nil && !ts.body.whole()
	}
	list := append([]try(nil), ts.list...)
	ts.mu.Unlock()
	if err == nil && len(list) > 0 {
		k.mu.Lock()
		t := list[len(list)-1]
		k.last[t.conn] = answer{text: fmt.Sprintf("%d to %s %s", resp.StatusCode, req.Method, req.URL.Path), early: t.early}
		k.mu.Unlock()
	}
	return resp, list, err
}

// CloseIdleConnections closes the kept-alive connections not in use.
func (k *keptAlive) CloseIdleConnections() {
	k.base.CloseIdleConnections()
	k.mu.Lock()
	clear(k.last)
	k.mu.Unlock()
}

// closeThen runs a function after closing a body.
type closeThen struct {
	io.ReadCloser
	then func()
}

func (c closeThen) Close() error {
	err := c.ReadCloser.Close()
	c.then()
	return err
}
