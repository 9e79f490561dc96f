// The standalone external task's workflow, as the API server and the worker both see it: its input, the reports
// the API hands it (one signal each, in the order the API accepted them) and the record it writes as it ends.
import { defineSignal } from '@temporalio/workflow';

/** The FlowKind search attribute of a standalone external task's workflow. */
export const EXTERNAL_TASK_KIND = 'external-task';

/** The workflow id of a task: its engine job's correlation id is derived from it. */
export const externalTaskWorkflowId = (taskId: string) => `external-task-${taskId}`;

export interface ExternalTaskInput {
  taskId: string;
  vendorId: string;
  description: string;
  /** The task ends FAILED when it hears nothing from its vendor for this long. */
  timeoutSeconds: number;
  /** A run continues as new past this many history events (tests lower it). @default 5000 */
  historyEventsPerRun?: number;
}

/** A report the API accepted (and recorded) for the task, to be mirrored onto the engine in this order. */
export type ExternalTaskReport =
  | { kind: 'addStep'; stepId: string; parentStepId: string | null; description: string; type: string }
  | { kind: 'progress'; stepId: string; progress: number }
  | { kind: 'endStep'; stepId: string; succeeded: boolean }
  /** The vendor ended the task (`reason` unset), or the task was ended for it (its vendor removed). */
  | { kind: 'end'; succeeded: boolean; reason?: string };

export const externalTaskReportSignal = defineSignal<[ExternalTaskReport]>('externalTaskReport');

/** What a task's workflow answers: how it ended. */
export interface ExternalTaskOutcome {
  status: 'finished' | 'failed';
  reason: string | null;
}

/** "no report from acme-storage for 60 minutes" (whole minutes), else in seconds. */
export function silenceReason(vendorId: string, timeoutSeconds: number): string {
  const span =
    timeoutSeconds % 60 === 0
      ? `${timeoutSeconds / 60} minute${timeoutSeconds === 60 ? '' : 's'}`
      : `${timeoutSeconds} second${timeoutSeconds === 1 ? '' : 's'}`;
  return `no report from ${vendorId} for ${span}`;
}
