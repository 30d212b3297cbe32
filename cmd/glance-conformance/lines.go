package main

import (
	"bytes"
	"io"
	"sync"
)

// lineWriter lets several processes share one output without cutting each other's lines.
// Writers that end in the same file (the terminal's stdout and stderr both go to run.log) share
// mu.
type lineWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

// source returns a writer for one source of lines: it buffers a partial line until its end.
func (l *lineWriter) source() *sourceWriter { return &sourceWriter{to: l} }

type sourceWriter struct {
	to  *lineWriter
	buf []byte
}

func (s *sourceWriter) Write(p []byte) (int, error) {
	s.buf = append(s.buf, p...)
	if i := bytes.LastIndexByte(s.buf, '\n'); i >= 0 {
		s.to.mu.Lock()
		_, err := s.to.w.Write(s.buf[:i+1])
		s.to.mu.Unlock()
		s.buf = append(s.buf[:0], s.buf[i+1:]...)
		if err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes what is left of an unfinished last line.
func (s *sourceWriter) Flush() {
	if len(s.buf) == 0 {
		return
	}
	s.to.mu.Lock()
	s.to.w.Write(append(s.buf, '\n'))
	s.to.mu.Unlock()
	s.buf = nil
}
