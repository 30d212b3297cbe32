// Package engine talks to the Docker engine for what testcontainers-go does not cover: is the
// engine there at all, image labels, container logs over a time window, and sweeping away
// everything a run labelled.
package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// ProjectLabel marks every container, network and volume this project creates; RunLabel holds
// the run's id, so one run only ever cleans up its own things.
const (
	ProjectLabel = "org.glance-conformance.project"
	RunLabel     = "org.glance-conformance.run"
)

// Engine is a connection to the Docker engine.
type Engine struct {
	cli *testcontainers.DockerClient
}

// ErrUnavailable means there is no Docker engine to talk to.
var ErrUnavailable = errors.New("no Docker engine reachable")

// Connect opens a connection and checks that the engine answers within a few seconds.
func Connect(ctx context.Context) (*Engine, error) {
	// Ryuk (testcontainers' reaper) is an image to pull, and nothing can be pulled here; the
	// harness removes what it starts by its labels instead.
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	// testcontainers' banner and per-container chatter would drown the progress lines.
	tclog.SetDefault(tclog.NewNoopLogger())
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	type result struct {
		cli *testcontainers.DockerClient
		err error
	}
	ch := make(chan result, 1)
	go func() {
		cli, err := testcontainers.NewDockerClientWithOpts(ctx)
		if err == nil {
			_, err = cli.Ping(ctx, client.PingOptions{})
		}
		ch <- result{cli, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnavailable, firstLine(r.err.Error()))
		}
		// The Go client cannot dial every DOCKER_HOST the docker CLI can (ssh://); testcontainers
		// then falls back to the local socket, and images and containers would land on two engines.
		if want := os.Getenv("DOCKER_HOST"); want != "" && want != r.cli.DaemonHost() {
			r.cli.Close()
			return nil, fmt.Errorf("%w: DOCKER_HOST %s is not the engine the Go client reached (%s): use tcp:// (with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH) rather than ssh://", ErrUnavailable, want, r.cli.DaemonHost())
		}
		return &Engine{cli: r.cli}, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: no answer within 10s", ErrUnavailable)
	}
}

// Close releases the connection.
func (e *Engine) Close() error { return e.cli.Close() }

// ImageLabels returns the labels of a local image, or ok=false when the image is absent.
func (e *Engine) ImageLabels(ctx context.Context, ref string) (labels map[string]string, ok bool, err error) {
	res, err := e.cli.ImageInspect(ctx, ref)
	if err != nil {
		if strings.Contains(strings.ToLower(err.Error()), "no such image") || cerrdefs.IsNotFound(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	if res.Config == nil {
		return map[string]string{}, true, nil
	}
	return res.Config.Labels, true, nil
}

// Logs returns a container's output (stdout and stderr interleaved by line) since a moment;
// a zero since means everything.
func (e *Engine) Logs(ctx context.Context, containerID string, since time.Time) (string, error) {
	opts := client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true}
	if !since.IsZero() {
		opts.Since = fmt.Sprintf("%d.%09d", since.Unix(), since.Nanosecond())
	}
	rc, err := e.cli.ContainerLogs(ctx, containerID, opts)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, rc); err != nil && !errors.Is(err, io.EOF) {
		return out.String(), err
	}
	return out.String(), nil
}

// Restart stops a container (SIGKILL after stopAfter) and starts it again, keeping its
// filesystem, volumes, network address name and published ports.
func (e *Engine) Restart(ctx context.Context, containerID string, stopAfter time.Duration) error {
	secs := int(stopAfter.Seconds())
	_, err := e.cli.ContainerRestart(ctx, containerID, client.ContainerRestartOptions{Timeout: &secs})
	return err
}

// Pause freezes a container's processes (the cgroup freezer): it stays up and answers nothing.
func (e *Engine) Pause(ctx context.Context, containerID string) error {
	_, err := e.cli.ContainerPause(ctx, containerID, client.ContainerPauseOptions{})
	return err
}

// Sweep removes every container, network and volume carrying label=value (for example
// RunLabel=<id>, or ProjectLabel=true for everything the project ever left behind).
// It returns how many objects it removed; objects that vanish meanwhile are not errors.
func (e *Engine) Sweep(ctx context.Context, label, value string) (int, error) {
	f := client.Filters{}.Add("label", label+"="+value)
	removed := 0
	var errs []error
	tally := func(err error) {
		switch {
		case err == nil:
			removed++
		case !cerrdefs.IsNotFound(err):
			errs = append(errs, err)
		}
	}
	cs, err := e.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return 0, err
	}
	for _, c := range cs.Items {
		_, err := e.cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		tally(err)
	}
	ns, err := e.cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return removed, err
	}
	for _, n := range ns.Items {
		_, err := e.cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{})
		tally(err)
	}
	vs, err := e.cli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		return removed, err
	}
	for _, v := range vs.Items {
		_, err := e.cli.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true})
		tally(err)
	}
	return removed, errors.Join(errs...)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
