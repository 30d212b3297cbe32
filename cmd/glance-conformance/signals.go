package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// interruptContext is cancelled on Ctrl-C or SIGTERM, so builds and runs stop and clean up.
func interruptContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
