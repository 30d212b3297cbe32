package hostlock

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func TestReadersShareWritersExclude(t *testing.T) {
	ctx := context.Background()
	l := New(filepath.Join(t.TempDir(), "lock"))
	r1, err := l.Shared(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := l.Shared(ctx)
	if err != nil {
		t.Fatal("a second reader must enter beside the first:", err)
	}

	writerIn := make(chan func())
	go func() {
		w, err := l.Exclusive(ctx)
		if err != nil {
			t.Error(err)
			close(writerIn)
			return
		}
		writerIn <- w
	}()
	select {
	case <-writerIn:
		t.Fatal("the writer entered while readers held the lock")
	case <-time.After(300 * time.Millisecond):
	}

	// A reader arriving now waits behind the waiting writer (the turnstile).
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := l.Shared(short); err == nil {
		t.Fatal("a new reader overtook the waiting writer")
	}

	r1()
	r2()
	var w func()
	select {
	case w = <-writerIn:
	case <-time.After(5 * time.Second):
		t.Fatal("the writer did not enter after the readers left")
	}
	if w == nil {
		t.FailNow()
	}
	w()
	r3, err := l.Shared(ctx)
	if err != nil {
		t.Fatal("a reader could not enter after the writer left:", err)
	}
	r3()
}

func TestZeroLockLocksNothing(t *testing.T) {
	var l Lock
	w, err := l.Exclusive(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.Shared(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r()
	w()
}
