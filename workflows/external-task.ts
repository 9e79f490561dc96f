// A standalone external task: a vendor's own engine job with nested steps, reported through the vendor API. The
// API checks and records each report, then signals it here; this workflow mirrors the reports onto the engine one
// after the other, in the order the API accepted them. An engine outage is waited out (nothing accepted is lost),
// an engine restart continues the task in a new job as flows do, and a task that hears nothing from its vendor
// within its time limit is ended FAILED, so its job never stays STARTED forever.
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ExternalTaskActivities } from '../activities/external-task';
import {
  externalTaskReportSignal,
  silenceReason,
  type ExternalTaskInput,
  type ExternalTaskOutcome,
  type ExternalTaskReport,
} from '../common/external-task-definitions';
import type { FlowStep } from '../common/flow-definitions';
import { MirroredJob } from './mirrored-job';

// The task's record in the server database; retried without limit (the database is the API server's own).
const record = proxyActivities<ExternalTaskActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function externalTask(input: ExternalTaskInput): Promise<ExternalTaskOutcome> {
  const reports: ExternalTaskReport[] = [];
  let lastReportAt = Date.now();
  setHandler(externalTaskReportSignal, (report) => {
    reports.push(report);
    lastReportAt = Date.now();
  });
  const job = await MirroredJob.open(input.description);
  const steps = new Map<string, FlowStep>();
  let failedStep: string | undefined;

  /** Mirrors one report; answers the end when it is one. */
  async function apply(report: ExternalTaskReport): Promise<{ succeeded: boolean; reason?: string } | undefined> {
    switch (report.kind) {
      case 'addStep': {
        const parent = report.parentStepId ? steps.get(report.parentStepId) : undefined;
        steps.set(report.stepId, await job.openStep(report.stepId, report.description, report.type, parent));
        return undefined;
      }
      case 'progress': {
        const step = steps.get(report.stepId);
        // A later value for the same step is already waiting: only the latest is worth an engine call.
        const superseded = reports.some((r) => r.kind === 'progress' && r.stepId === report.stepId);
        if (step?.status === 'running' && !superseded) await job.setProgress(step, report.progress);
        return undefined;
      }
      case 'endStep': {
        const step = steps.get(report.stepId);
        if (step?.status !== 'running') return undefined;
        await job.endStep(step, report.succeeded);
        if (!report.succeeded) failedStep ??= step.description;
        return undefined;
      }
      case 'end':
        return { succeeded: report.succeeded, reason: report.reason };
    }
  }

  let end: { succeeded: boolean; reason?: string } | undefined;
  while (!end) {
    const report = reports.shift();
    if (report) {
      end = await apply(report);
      continue;
    }
    const silentFor = Date.now() - lastReportAt;
    if (await condition(() => reports.length > 0, Math.max(1, input.timeoutSeconds * 1000 - silentFor))) continue;
    if (Date.now() - lastReportAt < input.timeoutSeconds * 1000) continue;
    // Silent too long. The record is ended first, so the API refuses later reports (410); reports it accepted up
    // to that moment are already here, and are still mirrored.
    const reason = silenceReason(input.vendorId, input.timeoutSeconds);
    if (await record.closeExternalTask({ taskId: input.taskId, status: 'failed', reason })) {
      for (let r = reports.shift(); r; r = reports.shift()) if (r.kind !== 'end') await apply(r);
      end = { succeeded: false, reason };
    }
    // Otherwise the API ended it at the same moment (the vendor's end, its removal): that report is on its way.
    else await condition(() => reports.length > 0);
  }

  const succeeded = end.succeeded && !failedStep;
  const reason = end.reason ?? (end.succeeded && failedStep ? `step "${failedStep}" failed` : null);
  // As oVirt ends a job: the steps still started take its status.
  for (const step of steps.values())
    if (step.status === 'running') {
      step.status = succeeded ? 'finished' : 'failed';
      step.endedAt = new Date(Date.now()).toISOString();
    }
  if (end.reason) await job.fail(end.reason);
  await job.end(succeeded);
  await record.recordExternalTaskMirror({
    taskId: input.taskId,
    engineJobIds: [...job.engineJobIds],
    steps: [...steps.entries()].map(([id, s]) => ({
      id,
      engineStepId: s.engineStepId ?? null,
      engineJobId: s.engineJobId ?? null,
    })),
  });
  return { status: succeeded ? 'finished' : 'failed', reason };
}
