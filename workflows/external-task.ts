// A standalone external task: a vendor's own engine job with nested steps, reported through the vendor API. The
// API checks and records each report, then signals it here; this workflow mirrors the reports onto the engine one
// after the other, in the order the API accepted them. An engine outage is waited out (nothing accepted is lost),
// an engine restart continues the task in a new job as flows do, and a task that hears nothing from its vendor
// within its time limit is ended FAILED, so its job never stays STARTED forever. A long-lived, chatty task goes on
// in a new run (continue-as-new) before its history grows large, carrying its mirror and pending reports.
import { condition, makeContinueAsNewFunc, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ExternalTaskActivities } from '../activities/external-task';
import {
  externalTaskReportSignal,
  silenceReason,
  type ExternalTaskInput,
  type ExternalTaskOutcome,
  type ExternalTaskReport,
} from '../common/external-task-definitions';
import type { FlowStep } from '../common/flow-definitions';
import { MirroredJob, type MirroredJobSnapshot } from './mirrored-job';

/** What a run hands to the next (continue-as-new). */
export interface ExternalTaskCarried {
  job: MirroredJobSnapshot;
  lastReportAt: number;
  failedStep?: string;
}

/** A run continues as new past this many history events (Temporal warns at 10,000 and stops at 51,200). */
const HISTORY_EVENTS_PER_RUN = 5000;

// The task's record in the server database; retried without limit (the database is the API server's own).
const record = proxyActivities<ExternalTaskActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export async function externalTask(
  input: ExternalTaskInput,
  carried?: ExternalTaskCarried,
): Promise<ExternalTaskOutcome> {
  const reports: ExternalTaskReport[] = [];
  let lastReportAt = carried?.lastReportAt ?? Date.now();
  setHandler(externalTaskReportSignal, (report) => {
    reports.push(report);
    lastReportAt = Date.now();
  });
  const job = carried
    ? MirroredJob.resume(carried.job)
    : await MirroredJob.open(input.description, { answerFirst: true });
  const steps = new Map<string, FlowStep>();
  const index = (tree: readonly FlowStep[]): void =>
    tree.forEach((s) => {
      steps.set(s.key, s);
      index(s.children);
    });
  index(job.steps);
  let failedStep = carried?.failedStep;

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
    // Nothing pending: a good moment to start a new run if this one's history has grown long. A report arriving
    // meanwhile makes Temporal refuse the hand-over and run this again with the report: none is lost.
    const { historyLength, continueAsNewSuggested } = workflowInfo();
    if (continueAsNewSuggested || historyLength > (input.historyEventsPerRun ?? HISTORY_EVENTS_PER_RUN)) {
      const { memo, typedSearchAttributes } = workflowInfo();
      await makeContinueAsNewFunc<typeof externalTask>({ memo, typedSearchAttributes })(input, {
        job: job.snapshot(),
        lastReportAt,
        failedStep,
      });
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
