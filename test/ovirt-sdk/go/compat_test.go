// The official oVirt Go SDK (github.com/ovirt/go-ovirt) against the built-in engine, for the External Tasks calls
// a vendor plug-in makes: connect, jobs with nested steps, end, clear, search by correlation id, the SDK's errors,
// close (SSO revoke). Run by test/ovirt-sdk/go-sdk.test.ts with OVIRT_URL, OVIRT_USERNAME and OVIRT_PASSWORD set.
package compat

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	ovirtsdk4 "github.com/ovirt/go-ovirt"
)

func connect(t *testing.T) *ovirtsdk4.Connection {
	t.Helper()
	conn, err := ovirtsdk4.NewConnectionBuilder().
		URL(os.Getenv("OVIRT_URL")).
		Username(os.Getenv("OVIRT_USERNAME")).
		Password(os.Getenv("OVIRT_PASSWORD")).
		Insecure(true).
		Build()
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() {
		if err := conn.Close(); err != nil {
			t.Errorf("close (SSO revoke): %v", err)
		}
	})
	return conn
}

func randomID(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func TestConnectAndApiRoot(t *testing.T) {
	conn := connect(t)
	if err := conn.Test(); err != nil {
		t.Fatalf("test: %v", err)
	}
	api := conn.SystemService().Get().MustSend().MustApi()
	if name := api.MustProductInfo().MustName(); name != "oVirt Engine" {
		t.Errorf("product name %q", name)
	}
	if major := api.MustProductInfo().MustVersion().MustMajor(); major != 4 {
		t.Errorf("major version %d", major)
	}
	if api.MustTime().IsZero() {
		t.Error("no time")
	}
}

func TestJobWithNestedStepsEndedAndFound(t *testing.T) {
	jobs := connect(t).SystemService().JobsService()
	correlationID := randomID("go-")
	job := jobs.Add().
		Job(ovirtsdk4.NewJobBuilder().Description("Replicate LUN 9 to the DR site").AutoCleared(true).MustBuild()).
		Query("correlation_id", correlationID).
		MustSend().MustJob()
	if job.MustStatus() != ovirtsdk4.JOBSTATUS_STARTED || !job.MustExternal() || !job.MustAutoCleared() {
		t.Fatalf("new job: status %s external %v auto_cleared %v", job.MustStatus(), job.MustExternal(), job.MustAutoCleared())
	}
	if job.MustStartTime().IsZero() {
		t.Error("no start time")
	}

	jobService := jobs.JobService(job.MustId())
	steps := jobService.StepsService()
	parent := steps.Add().
		Step(ovirtsdk4.NewStepBuilder().Description("Replicate volume 1").Type(ovirtsdk4.STEPENUM_UNKNOWN).MustBuild()).
		MustSend().MustStep()
	if parent.MustType() != ovirtsdk4.STEPENUM_UNKNOWN || parent.MustStatus() != ovirtsdk4.STEPSTATUS_STARTED {
		t.Fatalf("parent step: type %s status %s", parent.MustType(), parent.MustStatus())
	}
	child := steps.Add().
		Step(ovirtsdk4.NewStepBuilder().
			Description("Copy extents").
			Type(ovirtsdk4.STEPENUM_EXECUTING).
			ParentStep(ovirtsdk4.NewStepBuilder().Id(parent.MustId()).MustBuild()).
			MustBuild()).
		MustSend().MustStep()
	if child.MustParentStep().MustId() != parent.MustId() || child.MustNumber() != 0 {
		t.Fatalf("child step: parent %s number %d", child.MustParentStep().MustId(), child.MustNumber())
	}

	steps.StepService(child.MustId()).End().Succeeded(true).MustSend()
	if status := steps.StepService(child.MustId()).Get().MustSend().MustStep().MustStatus(); status != ovirtsdk4.STEPSTATUS_FINISHED {
		t.Errorf("ended step: %s", status)
	}
	if listed := steps.List().MustSend().MustSteps().Slice(); len(listed) != 2 {
		t.Errorf("steps listed: %d", len(listed))
	}

	jobService.End().Succeeded(true).MustSend()
	ended := jobService.Get().MustSend().MustJob()
	if ended.MustStatus() != ovirtsdk4.JOBSTATUS_FINISHED || ended.MustEndTime().IsZero() {
		t.Errorf("ended job: %s", ended.MustStatus())
	}
	if status := steps.StepService(parent.MustId()).Get().MustSend().MustStep().MustStatus(); status != ovirtsdk4.STEPSTATUS_FINISHED {
		t.Errorf("the job's started step after its end: %s", status)
	}

	found := jobs.List().Search("correlation_id=" + correlationID).MustSend().MustJobs().Slice()
	if len(found) != 1 || found[0].MustId() != job.MustId() {
		t.Errorf("search by correlation id found %d jobs", len(found))
	}
}

func TestFailedStepFailsTheJob(t *testing.T) {
	jobs := connect(t).SystemService().JobsService()
	job := jobs.Add().Job(ovirtsdk4.NewJobBuilder().Description("Resync LUN 3").MustBuild()).MustSend().MustJob()
	if job.MustAutoCleared() {
		t.Error("auto_cleared left out must be false")
	}
	steps := jobs.JobService(job.MustId()).StepsService()
	step := steps.Add().
		Step(ovirtsdk4.NewStepBuilder().Description("Resync").Type(ovirtsdk4.STEPENUM_EXECUTING).MustBuild()).
		MustSend().MustStep()
	steps.StepService(step.MustId()).End().Succeeded(false).MustSend()
	if status := jobs.JobService(job.MustId()).Get().MustSend().MustJob().MustStatus(); status != ovirtsdk4.JOBSTATUS_FAILED {
		t.Errorf("job after a failed step: %s", status)
	}
}

func TestClearAndForceEnd(t *testing.T) {
	jobs := connect(t).SystemService().JobsService()
	job := jobs.Add().Job(ovirtsdk4.NewJobBuilder().Description("Left behind").AutoCleared(false).MustBuild()).MustSend().MustJob()
	jobService := jobs.JobService(job.MustId())
	jobService.Clear().MustSend()
	if !jobService.Get().MustSend().MustJob().MustAutoCleared() {
		t.Error("clear did not set auto_cleared")
	}
	jobService.End().Succeeded(false).Force(true).MustSend()
	if status := jobService.Get().MustSend().MustJob().MustStatus(); status != ovirtsdk4.JOBSTATUS_FAILED {
		t.Errorf("force-ended job: %s", status)
	}
}

func TestErrorsAreTheSdksOwn(t *testing.T) {
	jobs := connect(t).SystemService().JobsService()
	_, err := jobs.Add().Job(ovirtsdk4.NewJobBuilder().Description("").MustBuild()).Send()
	var notFound *ovirtsdk4.NotFoundError
	if err == nil || errors.As(err, &notFound) ||
		!strings.Contains(err.Error(), `Fault reason is "Incomplete parameters"`) || !strings.Contains(err.Error(), `"400"`) {
		t.Errorf("blank description: %v", err)
	}
	_, err = jobs.JobService(randomID("no-such-job-")).Get().Send()
	if !errors.As(err, &notFound) {
		t.Errorf("unknown job: %T %v", err, err)
	}
	// oVirt validates the action first: an unknown job is its 400 "Job not found.", worded as for clearing.
	_, err = jobs.JobService(randomID("no-such-job-")).End().Succeeded(true).Send()
	if err == nil || errors.As(err, &notFound) || !strings.Contains(err.Error(), "Job not found.") {
		t.Errorf("ending an unknown job: %T %v", err, err)
	}
}
