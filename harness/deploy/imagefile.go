package deploy

import (
	"context"
	"fmt"
	"strings"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/testcontainers/testcontainers-go"

	"github.com/glance-conformance/glance-conformance/harness/engine"
)

// ImageHasFile tells whether the image ships a file at path.
func ImageHasFile(ctx context.Context, image, runID, path string) (bool, error) {
	_, err := ReadImageFile(ctx, image, runID, path)
	if err == nil {
		return true, nil
	}
	// The engine answers 404 "Could not find the file" for a path the image lacks.
	if cerrdefs.IsNotFound(err) || strings.Contains(err.Error(), "Could not find the file") || strings.Contains(err.Error(), "No such file") {
		return false, nil
	}
	return false, err
}

// ReadImageFile returns a file as the image ships it, read from a container that is created but
// never started. Used for files the harness derives its config from (the release's paste file).
func ReadImageFile(ctx context.Context, image, runID, path string) ([]byte, error) {
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:      image,
			Entrypoint: []string{"/bin/true"},
			Labels:     map[string]string{engine.ProjectLabel: "true", engine.RunLabel: runID},
		},
		Started: false,
	})
	if c != nil {
		defer c.Terminate(context.WithoutCancel(ctx))
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %w", path, image, err)
	}
	rc, err := c.CopyFileFromContainer(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %w", path, image, err)
	}
	return readAll(rc)
}
