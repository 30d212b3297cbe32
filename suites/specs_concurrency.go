package suites

import (
	"fmt"
	"regexp"
	"sync"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	. "github.com/onsi/ginkgo/v2"

	"github.com/glance-conformance/glance-conformance/fixtures/payload"
	"github.com/glance-conformance/glance-conformance/harness/imageapi"
	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// writers is how many clients create and upload at the same moment.
const writers = 8

// dbErrorLine matches the database errors Glance logs when its database cannot keep up
// (SQLite's lock, MySQL deadlocks and lost connections).
var dbErrorLine = regexp.MustCompile(`(?i)database is locked|OperationalError|Deadlock found|Lost connection|DBConnectionError|DBDeadlock`)

var _ = framework.Conformance(feature.Feature{
	ID:      "image.concurrent-writers",
	Title:   "Concurrent image creations and uploads",
	Proves:  "8 clients creating and uploading images at the same moment all end with active, intact images (no database or server error)",
	Tempest: []string{"none"},
}, func(ctx SpecContext, t *framework.Target) {
	p := payload.New(2, 1<<20)
	start := make(chan struct{})
	failures := make([]*failure, writers)
	ids := make([]string, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer GinkgoRecover()
			<-start
			ids[i], failures[i] = createAndUpload(ctx, t, p)
		}()
	}
	close(start)
	wg.Wait()
	for _, id := range ids {
		if id != "" {
			t.DeleteAtEnd(id)
		}
	}

	var all []failure
	for _, f := range failures {
		if f != nil {
			all = append(all, *f)
		}
	}
	// One defect, one row: a 500 from the property protections race is that row's finding.
	failed := setAsidePropertyRaces(ctx, t, all)
	if len(failed) == 0 {
		return
	}
	dbErrors := 0
	for _, logs := range t.ServerLogs(ctx) {
		dbErrors += len(dbErrorLine.FindAllString(logs, -1))
	}
	requests := len(t.Recorder().Exchanges())
	Fail(fmt.Sprintf("%d of %d concurrent writers failed (%s); %d database error lines in the server log for %d requests",
		len(failed), writers, framework.Summarize(failed), dbErrors, requests))
})

// createAndUpload creates an image, uploads p and checks the result. It returns the image id
// (if one was created) and nil or what went wrong; it never calls Fail, so it is safe to run
// from several goroutines.
func createAndUpload(ctx SpecContext, t *framework.Target, p payload.Payload) (string, *failure) {
	img, err := images.Create(ctx, t.Client, images.CreateOpts{Name: t.Name(), DiskFormat: "raw", ContainerFormat: "bare"}).Extract()
	if err != nil {
		return "", failureOf("create", err)
	}
	return img.ID, uploadAndCheck(ctx, t, img.ID, p)
}

// uploadAndCheck uploads p to an image and reads it back: nil, or what went wrong. Safe to run
// from several goroutines.
func uploadAndCheck(ctx SpecContext, t *framework.Target, id string, p payload.Payload) *failure {
	if err := imagedata.Upload(ctx, t.Client, id, imageapi.Sized(p.Data)).ExtractErr(); err != nil {
		return failureOf("upload", err)
	}
	got, err := images.Get(ctx, t.Client, id).Extract()
	switch {
	case err != nil:
		return failureOf("get", err)
	case got.Status != images.ImageStatusActive || got.Checksum != p.MD5:
		return &failure{text: fmt.Sprintf("image %s, checksum %.8s", got.Status, got.Checksum)}
	}
	return nil
}
