package imageapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
// and two more that tell a connection closed before the request came from a server that read the
// request and then gave up on it (that is the row's own finding): the connection ended within
// promptEnd of the request starting to be written on it (a closed connection refuses its first
// bytes in one round trip, whatever the body's size; uWSGI's
// router, say, gives up on a request after its 60 s http-timeout), and the request did not send
// more of its body than the connection's send buffer holds (a server that closed the connection
// before it came read none of it, and its reset stops the client's writes once that buffer is full).
// Go's transport enforces (3) itself (it reuses a connection only after an answer without
// Connection: close), and it resends an idempotent request that met (1) and (2); the trace shows
// that resend too, and it is recorded the same way.

// keptAlive is the RoundTripper that attributes and resends.
type keptAlive struct {
	base   *http.Transport
	stall  time.Duration // StallTimeout, shorter in tests
	onDrop func(evidence.Drop)
	mu     sync.Mutex
	last   map[net.Conn]string // the last answer read on each connection, e.g. "201 to POST /v2/images"
}

func newKeptAlive(base *http.Transport, onDrop func(evidence.Drop)) *keptAlive {
	return &keptAlive{base: base, stall: StallTimeout, onDrop: onDrop, last: map[net.Conn]string{}}
}

// try is one connection a request was written on, as its trace saw it.
type try struct {
	conn     net.Conn
	idle     time.Duration // how long it had been idle in the pool
	taken    time.Time     // when the request took it, right before writing on it
	sendBuf  int64         // what the connection's send buffer can hold at most
	reused   bool
	answered bool   // a byte of answer arrived on it
	previous string // the last answer read on it before this request
}

// tries collects a request's tries from its trace. Go's transport may take a second connection
// for one request (its own resend), so there can be more than one.
type tries struct {
	mu   sync.Mutex
	list []try
}

func (k *keptAlive) trace(ctx context.Context, ts *tries) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(i httptrace.GotConnInfo) {
			k.mu.Lock()
			prev := k.last[i.Conn]
			delete(k.last, i.Conn) // until this request's answer is noted: another request must not see prev as its own
			k.mu.Unlock()
			ts.mu.Lock()
			ts.list = append(ts.list, try{conn: i.Conn, idle: i.IdleTime, sendBuf: sendBufferOf(i.Conn), reused: i.Reused, previous: prev, taken: time.Now()})
			ts.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			ts.mu.Lock()
			if n := len(ts.list); n > 0 {
				ts.list[n-1].answered = true
			}
			ts.mu.Unlock()
		},
	})
}

// dropped reports whether a try was on a connection the server had dropped: reused, and not one
// byte of answer on it (Go reused it, so its previous answer did not announce a close).
func (t try) dropped() bool { return t.reused && !t.answered }

// promptEnd bounds how soon after its first bytes a dropped connection ends a request: one
// round trip on this machine's loopback or network namespace, with a wide margin for a busy host.
const promptEnd = time.Second

func (t try) previousAnswer() string {
	if t.previous == "" {
		return "an answer without Connection: close" // read but not yet noted when the connection was taken again
	}
	return t.previous + ", without Connection: close"
}

// RoundTrip implements http.RoundTripper.
func (k *keptAlive) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, ts, sent, err := k.send(k.base, req)
	what := req.Method + " " + req.URL.RequestURI()
	// Go's transport resent it already: every try before the last died on a dropped connection.
	for _, t := range ts[:max(len(ts)-1, 0)] {
		if t.dropped() {
			k.onDrop(evidence.Drop{Request: what, PreviousAnswer: t.previousAnswer(), Idle: t.idle.Round(time.Millisecond).String(), Met: "no answer", Resent: "resent on a new connection by Go's transport"})
		}
	}
	if err == nil || req.Context().Err() != nil || !connectionEnded(err) || len(ts) == 0 || !ts[len(ts)-1].dropped() {
		return resp, err
	}
	last := ts[len(ts)-1]
	if sent > last.sendBuf || time.Since(last.taken) > promptEnd {
		return resp, err // the server read it, or part of it, before the end: not a connection dropped before it came
	}
	d := evidence.Drop{Request: what, PreviousAnswer: last.previousAnswer(), Idle: last.idle.Round(time.Millisecond).String(), Met: err.Error()}
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
	resp, _, _, err = k.send(fresh, again)
	if err != nil {
		fresh.CloseIdleConnections()
		d.Resent = "resent on a new connection, which failed too: " + err.Error()
		k.onDrop(d)
		return nil, err
	}
	d.Resent = fmt.Sprintf("resent on a new connection: answered %d", resp.StatusCode)
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
// the tries and how many body bytes the transport took.
func (k *keptAlive) send(rt http.RoundTripper, req *http.Request) (*http.Response, []try, int64, error) {
	ts := &tries{}
	var sent atomic.Int64
	resp, err := progressGuard{rt, k.stall, &sent}.RoundTrip(req.WithContext(k.trace(req.Context(), ts)))
	ts.mu.Lock()
	list := append([]try(nil), ts.list...)
	ts.mu.Unlock()
	if err == nil && len(list) > 0 {
		k.mu.Lock()
		k.last[list[len(list)-1].conn] = fmt.Sprintf("%d to %s %s", resp.StatusCode, req.Method, req.URL.Path)
		k.mu.Unlock()
	}
	return resp, list, sent.Load(), err
}

// sendBufferOf is the most a connection's kernel send buffer can hold: its SO_SNDBUF, or the
// system's ceiling for autotuning (tcp_wmem) when that is larger, plus net/http's own write
// buffer. Where it cannot be read, 0: then no request with a body is taken for a drop.
func sendBufferOf(c net.Conn) int64 {
	if tc, ok := c.(interface{ NetConn() net.Conn }); ok { // TLS
		c = tc.NetConn()
	}
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0
	}
	var size int
	var gerr error
	if err := raw.Control(func(fd uintptr) { size, gerr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF) }); err != nil || gerr != nil {
		return 0
	}
	return max(int64(size), wmemMax()) + 64<<10
}

// wmemMax is the largest send buffer TCP autotuning may give a socket (net.ipv4.tcp_wmem).
var wmemMax = sync.OnceValue(func() int64 {
	b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_wmem")
	if f := strings.Fields(string(b)); err == nil && len(f) == 3 {
		if n, err := strconv.ParseInt(f[2], 10, 64); err == nil {
			return n
		}
	}
	return 0
})

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
