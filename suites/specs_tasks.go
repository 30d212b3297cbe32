package suites

import (
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/tasks"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/glance-conformance/glance-conformance/suites/feature"
	"github.com/glance-conformance/glance-conformance/suites/framework"
)

// createImportTask creates an admin's import task (POST /v2/tasks, the API that predates
// interoperable import) of the image at from, named name, as Tempest's ImageTaskCreate builds it.
func createImportTask(ctx SpecContext, t *framework.Target, name, from string) (*tasks.Task, error) {
	return tasks.Create(ctx, t.Client, tasks.CreateOpts{Type: "import", Input: map[string]any{
		"import_from":        from,
		"import_from_format": "raw",
		"image_properties":   map[string]any{"name": name, "container_format": "bare", "disk_format": "raw"},
	}}).Extract()
}

// waitForTask waits until a task ends (success or failure) and deletes what image it left.
func waitForTask(ctx SpecContext, t *framework.Target, name string, created *tasks.Task) *tasks.Task {
	var task *tasks.Task
	var state framework.WaitState
	Eventually(ctx, func() (bool, error) {
		got, err := tasks.Get(ctx, t.Client, created.ID).Extract()
		if err != nil {
			return false, StopTrying("GET /v2/tasks/" + created.ID + ": " + framework.ErrorLine(err))
		}
		task = got
		state.Set(fmt.Sprintf("task still %q after %s", got.Status, framework.ImportTimeout))
		return got.Status == "success" || got.Status == "failure", nil
	}).WithTimeout(framework.ImportTimeout).WithPolling(time.Second).Should(BeTrue(), state.Reason("import task"))
	// Whatever image the task left behind is this spec's to delete: it bears the spec's name.
	for _, id := range t.ListIDs(ctx, t.Client, "name="+name) {
		t.DeleteAtEnd(id)
	}
	AddReportEntry("task", fmt.Sprintf("status %q, message %q, result %v", task.Status, task.Message, task.Result))
	return task
}

var _ = framework.Conformance(feature.Feature{
	ID:      "tasks.import",
	Title:   "Admin import task",
	Proves:  "an admin's import task (POST /v2/tasks, type import) from an HTTP server on Glance's network ends in success, and the image it names is active with the right bytes",
	Tempest: []string{"tempest.api.image.v2.admin.test_image_task.ImageTaskCreate.test_image_tasks_create"},
	Setup:   "a web server that Glance can reach, serving the payload (the harness starts one beside each of its deployments)",
	Admin:   true,
}, func(ctx SpecContext, t *framework.Target) {
	name := t.Name()
	created, err := createImportTask(ctx, t, name, t.WebPayloadURL())
	Expect(err).NotTo(HaveOccurred(), "POST /v2/tasks (type import from %s)", t.WebPayloadURL())
	task := waitForTask(ctx, t, name, created)
	Expect(task.Status).To(Equal("success"), "import task ended %q: %s", task.Status, task.Message)
	id, _ := task.Result["image_id"].(string)
	Expect(id).NotTo(BeEmpty(), "the successful task's result names no image_id: %v", task.Result)
	Expect(t.WaitForImage(ctx, id, "the task's image", func(img *images.Image) (bool, string) {
		return img.Status == images.ImageStatusActive, ""
	})).To(framework.HaveImagePayload(t.Payload))
	t.ExpectDownload(ctx, id, t.Payload)
})

var _ = framework.Conformance(feature.Feature{
	ID:      "tasks.import-unreachable",
	Title:   "Admin import task from a host that does not exist",
	Proves:  "an admin's import task from a URL whose host cannot resolve fails properly: Glance either refuses it (400, with why) or accepts it (201) and the task ends in failure, with a message",
	Tempest: []string{"tempest.api.image.v2.admin.test_image_task.ImageTaskCreate.test_task_create_fake_image_location"},
	Admin:   true,
}, func(ctx SpecContext, t *framework.Target) {
	name := t.Name()
	created, err := createImportTask(ctx, t, name, unreachableURL)
	if gophercloud.ResponseCodeIs(err, 400) {
		// Refused before anything is fetched (Glance's URI filtering of legacy import tasks).
		AddReportEntry("outcome", "refused up front: "+framework.ErrorLine(err))
		Expect(t.ListIDs(ctx, t.Client, "name="+name)).To(BeEmpty(), "images left by the refused task")
		return
	}
	Expect(err).NotTo(HaveOccurred(), "POST /v2/tasks (type import from %s): want 201 or 400", unreachableURL)
	task := waitForTask(ctx, t, name, created)
	Expect(task.Status).To(Equal("failure"), "import task from a host that does not exist ended %q (result %v)", task.Status, task.Result)
	Expect(task.Message).NotTo(BeEmpty(), "the failed task says nothing about why")
})
