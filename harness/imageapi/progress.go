package imageapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"time"
)

// StallTimeout is how long a request or answer body may move no byte at all before the request
// fails. A bound on the whole request would fail a large (1 GiB + 1 MiB) upload on a slow or busy host although
// every byte moves; a body that stops moving is what a server that no longer reads or writes
// looks like. 60 s is what the servers under test themselves allow a silent peer (uWSGI's
// socket-timeout and http-timeout, Apache's Timeout in its shipped default config is 300 s, and
// mod_wsgi's socket-timeout follows it): a client that waited less could blame the server for a
// pause the server itself would sit out. The wait for an answer's head after the whole request
// was written is bounded by AnswerTimeout instead.
const StallTimeout = 60 * time.Second

// errStalled is the cause of a request ended by the progress guard.
var errStalled = errors.New("no byte of the body moved")

// progressGuard ends a request whose body (sent or received) stops moving for stall.
type progressGuard struct {
	next  http.RoundTripper
	stall time.Duration
}

func (g progressGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	// One watchdog a direction: an answer can come while the body is still being sent (an early
	// 413), and each direction must keep moving on its own.
	sending, receiving := newWatchdog(g.stall, cancel), newWatchdog(g.stall, cancel)
	// The request is written whole (body, chunked trailer, flush): its watchdog stops.
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { sending.stop() }})
	out := req.WithContext(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		out.Body = watched(req.Body, sending)
		if req.GetBody != nil { // net/http's own resend on a new connection is watched too
			out.GetBody = func() (io.ReadCloser, error) {
				b, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				return watched(b, sending), nil
			}
		}
	}
	resp, err := g.next.RoundTrip(out)
	if err != nil {
		sending.stop()
		err = stallCause(ctx, err)
		cancel(nil)
		return resp, err
	}
	receiving.arm()
	resp.Body = &watchedAnswer{ReadCloser: resp.Body, w: receiving, ctx: ctx, done: func() { sending.stop(); receiving.stop(); cancel(nil) }}
	return resp, nil
}

// watchdog ends the request a stall's length after the last byte moved, while it is armed.
type watchdog struct {
	timer *time.Timer
	after time.Duration
}

func newWatchdog(after time.Duration, cancel context.CancelCauseFunc) *watchdog {
	w := &watchdog{after: after}
	w.timer = time.AfterFunc(time.Hour, func() { cancel(fmt.Errorf("%w for %s", errStalled, after)) })
	w.timer.Stop()
	return w
}

func (w *watchdog) arm()  { w.timer.Reset(w.after) }
func (w *watchdog) stop() { w.timer.Stop() }

// moved rearms the watchdog when n bytes moved (a body's end is not the request's: the chunked
// trailer and the flush follow, until WroteRequest or the answer's Close stops it).
func (w *watchdog) moved(n int) {
	if n > 0 {
		w.arm()
	}
}

// stallCause names the stall when the progress guard is why err happened.
func stallCause(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); err != nil && err != io.EOF && errors.Is(cause, errStalled) {
		return fmt.Errorf("%w (%v)", cause, err)
	}
	return err
}

// watched wraps a request body so that every byte read from it (or written by its WriteTo, which
// net/http prefers and which decides chunk sizes) rearms the watchdog.
func watched(body io.ReadCloser, w *watchdog) io.ReadCloser {
	b := &watchedBody{ReadCloser: body, w: w}
	if _, ok := body.(io.WriterTo); ok {
		return watchedWriterTo{b}
	}
	return b
}

type watchedBody struct {
	io.ReadCloser
	w *watchdog
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.w.moved(n)
	return n, err
}

type watchedWriterTo struct{ *watchedBody }

func (b watchedWriterTo) WriteTo(dst io.Writer) (int64, error) {
	b.w.arm()
	return b.ReadCloser.(io.WriterTo).WriteTo(progressWriter{dst, b.w})
}

type progressWriter struct {
	io.Writer
	w *watchdog
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.Writer.Write(b)
	p.w.moved(n)
	return n, err
}

// watchedAnswer is an answer body under the watchdog; closing it ends the request's context.
type watchedAnswer struct {
	io.ReadCloser
	w    *watchdog
	ctx  context.Context
	done func()
}

func (a *watchedAnswer) Read(p []byte) (int, error) {
	n, err := a.ReadCloser.Read(p)
	a.w.moved(n)
	return n, stallCause(a.ctx, err)
}

func (a *watchedAnswer) Close() error {
	err := a.ReadCloser.Close()
	a.done()
	return err
}
