// Package hostlock is a readers-writer lock shared by processes on one machine, through
// flock(2) on files: the suite's parallel Ginkgo processes hold it shared while they test and exclusively while
// they measure throughput, so that a benchmark never runs beside another process's traffic.
package hostlock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Lock is the lock at a path prefix; two files are made from it. The zero value (no path)
// locks nothing, for a run in one process.
type Lock struct{ path string }

// New returns the lock whose files live at path+".main" and path+".turnstile".
func New(path string) Lock { return Lock{path: path} }

// Shared takes the lock for reading and returns its release. It first passes the turnstile, so
// that a writer waiting there is not starved by a stream of readers (flock favours none).
func (l Lock) Shared(ctx context.Context) (func(), error) {
	if l.path == "" {
		return func() {}, nil
	}
	gate, err := acquire(ctx, l.path+".turnstile", syscall.LOCK_EX)
	if err != nil {
		return nil, err
	}
	gate()
	return acquire(ctx, l.path+".main", syscall.LOCK_SH)
}

// Exclusive takes the lock for writing and returns its release: it holds the turnstile (no new
// reader enters) and waits for the readers inside to leave.
func (l Lock) Exclusive(ctx context.Context) (func(), error) {
	if l.path == "" {
		return func() {}, nil
	}
	gate, err := acquire(ctx, l.path+".turnstile", syscall.LOCK_EX)
	if err != nil {
		return nil, err
	}
	release, err := acquire(ctx, l.path+".main", syscall.LOCK_EX)
	if err != nil {
		gate()
		return nil, err
	}
	return func() { release(); gate() }, nil
}

// acquire opens path (each call its own open file, so locks in one process are independent
// too) and takes how on it, polling so that ctx can end the wait.
func acquire(ctx context.Context, path string, how int) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for lock %s: %w", path, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Remove deletes the lock's files, once no process holds or waits for it (after the run).
func (l Lock) Remove() {
	if l.path == "" {
		return
	}
	os.Remove(l.path + ".main")
	os.Remove(l.path + ".turnstile")
}
