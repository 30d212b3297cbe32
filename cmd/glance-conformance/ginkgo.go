package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/glance-conformance/glance-conformance/suites/runconfig"
)

// runGinkgo runs Ginkgo's CLI, which runs the suite's processes (--procs) and merges their
// reports. Its output goes to the terminal and run.log; the progress file's lines are shown as
// they come, numbered, since the CLI keeps a parallel process's own output until it ends. The
// CLI runs in a process group of its own, with its processes: an interrupt (Ctrl-C at the
// terminal, or kill to this process alone) reaches each of them exactly once, from here. The
// CLI passes no signal on, and a second interrupt would make Ginkgo skip cleanup.
func runGinkgo(cli string, args []string, logPath, progressPath string) (interrupted bool, err error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return false, err
	}
	defer logFile.Close()
	if abs, err := filepath.Abs(cli); err == nil {
		cli = abs
	}
	var mu sync.Mutex
	stdout := &lineWriter{mu: &mu, w: io.MultiWriter(os.Stdout, logFile)}
	stderr := &lineWriter{mu: &mu, w: io.MultiWriter(os.Stderr, logFile)}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)

	cmd := exec.Command(cli, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, errs := stdout.source(), stderr.source()
	cmd.Stdout, cmd.Stderr = out, errs
	if err := cmd.Start(); err != nil {
		return false, err
	}
	done := make(chan error, 1)
	go func() { err := cmd.Wait(); out.Flush(); errs.Flush(); done <- err }()
	tail := newProgressTail(progressPath, stderr.source())
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			tail.read() // the last lines
			return interrupted, err
		case <-tick.C:
			tail.read()
		case <-sigs:
			if !interrupted {
				syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
			}
			interrupted = true
		}
	}
}

// progressTail shows the lines the suite's processes append to the progress file: a spec's
// line numbered against the total the first process writes before any spec runs, a line about
// the run (two spaces first) as it is.
type progressTail struct {
	path    string
	offset  int64
	partial string
	n       int
	total   string
	started time.Time
	to      *sourceWriter
}

func newProgressTail(path string, to *sourceWriter) *progressTail {
	return &progressTail{path: path, total: "?", started: time.Now(), to: to}
}

func (p *progressTail) read() {
	f, err := os.Open(p.path)
	if err != nil {
		return // not written yet
	}
	defer f.Close()
	if _, err := f.Seek(p.offset, io.SeekStart); err != nil {
		return
	}
	b, _ := io.ReadAll(f)
	p.offset += int64(len(b))
	lines := strings.Split(p.partial+string(b), "\n")
	p.partial = lines[len(lines)-1] // "" after a whole line
	lines = lines[:len(lines)-1]
	for _, line := range lines {
		if strings.HasPrefix(line, "  ") { // a line about the run (a column starting), as it is
			fmt.Fprintln(p.to, line)
			continue
		}
		if total, ok := strings.CutPrefix(line, runconfig.ProgressTotal); ok {
			if _, err := strconv.Atoi(total); err == nil {
				p.total = total
			}
			continue
		}
		p.n++
		fmt.Fprintf(p.to, "[%d/%s %s] %s\n", p.n, p.total, time.Since(p.started).Round(time.Second), line)
	}
}
