// What a webhook vendor reports on its tasks, checked and passed on to Temporal: heartbeats (progress, message and
// sub-steps travel as the activity's heartbeat details, and as a signal to the flow, which mirrors them), completion
// (the output checked against the registered schema) and failure. Nothing is dropped silently: a repeat of the same
// report is a 200, a different one a 409, and a report on a task that is no longer open a 410 with the reason.
import { isDeepStrictEqual } from 'node:util';
import {
  ActivityCancelledError,
  ActivityNotFoundError,
  WorkflowNotFoundError,
  type Client,
  type FullActivityId,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { progressStepChanged, vendorProgressSignal } from '../../common/flow-definitions';
import type { VendorProgress } from '../../common/vendor-contract';
import type { VendorSubStepRecord, VendorTask, VendorTaskStore } from '../../db/vendor-tasks';
import { HttpProblem } from '../problem';
import { compileSchema } from './contract-check';
import type { VendorRegistry } from './registry';

const notFound = (taskId: string) =>
  new HttpProblem({ status: 404, title: 'Task not found', detail: `No task ${taskId} of this vendor` });
const gone = (task: VendorTask) =>
  new HttpProblem({
    status: 410,
    title: 'Task no longer open',
    detail: `Task ${task.id} is ${task.status}${task.reason ? `: ${task.reason}` : ''}; this report changes nothing.`,
  });
const conflict = (task: VendorTask) =>
  new HttpProblem({
    status: 409,
    title: 'Task already reported',
    detail: `Task ${task.id} was ${task.status} with another report; the first one stands.`,
  });

export function createTaskService(deps: { tasks: VendorTaskStore; registry: VendorRegistry; client: Client }) {
  const { tasks, client } = deps;
  const activityOf = (t: VendorTask): FullActivityId => ({ workflowId: t.flowId, activityId: t.activityId });

  /** The vendor's own task (another vendor's id is a 404, like an unknown one). */
  async function own(vendorId: string, taskId: string): Promise<VendorTask> {
    const task = await tasks.get(taskId);
    if (!task || task.vendorId !== vendorId) throw notFound(taskId);
    return task;
  }

  /** Marks a task ended when Temporal no longer knows its attempt (it timed out, or the flow ended), then 410. */
  async function lost(task: VendorTask, err: unknown): Promise<never> {
    if (!(err instanceof ActivityNotFoundError)) throw err;
    await tasks.close(task.id, 'ended', 'its attempt timed out or the flow has ended');
    throw gone((await tasks.get(task.id)) ?? task);
  }

  /**
   * Sends the task's progress and sub-steps to Temporal; true if the flow cancelled it. The heartbeat keeps the
   * attempt alive; when what the engine shows changes (`mirror`), a signal also tells the flow, which mirrors it: no
   * one has to poll Temporal for the heartbeat's details.
   */
  async function relay(task: VendorTask, mirror: boolean): Promise<boolean> {
    const progress: VendorProgress = {
      ...(task.progress !== null ? { progress: task.progress } : {}),
      subSteps: task.subSteps,
    };
    try {
      await client.activity.heartbeat(activityOf(task), {
        ...progress,
        ...(task.message ? { message: task.message } : {}),
      });
      if (mirror) {
        await client.workflow
          .getHandle(task.flowId)
          .signal(vendorProgressSignal, { activityId: task.activityId, ...progress })
          .catch((err: unknown) => {
            if (!(err instanceof WorkflowNotFoundError)) throw err; // the flow ended meanwhile: nothing to mirror
          });
      }
      return false;
    } catch (err) {
      if (err instanceof ActivityCancelledError) {
        await tasks.close(task.id, 'cancelling', 'the flow cancelled it');
        return true;
      }
      return lost(task, err);
    }
  }

  /** The vendor has stopped a cancelled task: the flow, which waits for that, goes on (and undoes). */
  async function cancelled(task: VendorTask) {
    await client.activity.reportCancellation(activityOf(task)).catch((err: unknown) => {
      if (!(err instanceof ActivityNotFoundError)) throw err;
    });
    await tasks.close(task.id, 'cancelled', 'the flow cancelled it', undefined, ['cancelling']);
    return { id: task.id, status: 'cancelled' as const };
  }

  async function live(vendorId: string, taskId: string): Promise<VendorTask> {
    const task = await own(vendorId, taskId);
    if (task.status === 'cancelling') return task; // its heartbeats keep answering cancelRequested
    if (task.status !== 'open' && task.status !== 'delivering') throw gone(task);
    return task;
  }

  async function changeSteps(vendorId: string, taskId: string, change: (steps: VendorSubStepRecord[]) => void) {
    const task = await live(vendorId, taskId);
    change(task.subSteps);
    await tasks.report(task.id, { subSteps: task.subSteps });
    if (task.status !== 'cancelling') await relay(task, true);
  }

  /** Closes the task with the vendor's report, or answers the repeat (200), the conflict (409) or the 410. */
  async function close(
    vendorId: string,
    taskId: string,
    status: 'completed' | 'failed',
    outcome: unknown,
    send: (task: VendorTask) => Promise<void>,
  ) {
    const task = await own(vendorId, taskId);
    if (task.status === 'completed' || task.status === 'failed') {
      if (task.status === status && isDeepStrictEqual(task.outcome, outcome)) return { id: task.id, status };
      throw conflict(task);
    }
    // After a cancel, the vendor's report (whatever it says) is that it has stopped.
    if (task.status === 'cancelling') return cancelled(task);
    if (task.status !== 'open' && task.status !== 'delivering') throw gone(task);
    try {
      await send(task);
    } catch (err) {
      if (err instanceof ActivityCancelledError) {
        await tasks.close(task.id, 'cancelling', 'the flow cancelled it');
        return cancelled((await tasks.get(task.id)) ?? task);
      }
      return lost(task, err);
    }
    if (!(await tasks.close(task.id, status, null, outcome))) {
      // Another report closed it meanwhile: answer as for a repeat.
      return close(vendorId, taskId, status, outcome, send);
    }
    return { id: task.id, status };
  }

  return {
    /** Fails every open task of a vendor that is being removed, so that its flows go on (and undo) at once. */
    async failOpen(vendorId: string, reason: string): Promise<void> {
      const open = (await tasks.list(vendorId)).filter((t) => ['delivering', 'open', 'cancelling'].includes(t.status));
      for (const task of open) {
        if (!(await tasks.close(task.id, 'ended', reason, undefined, ['delivering', 'open', 'cancelling']))) continue;
        await client.activity
          .fail(
            activityOf(task),
            ApplicationFailure.create({ message: reason, type: 'VendorRejected', nonRetryable: true }),
          )
          .catch((err: unknown) => {
            if (!(err instanceof ActivityNotFoundError)) throw err;
          });
      }
    },

    list: async (vendorId: string, status?: VendorTask['status']) => ({ items: await tasks.list(vendorId, status) }),
    get: own,

    async heartbeat(vendorId: string, taskId: string, report: { progress?: number; message?: string }) {
      const task = await live(vendorId, taskId);
      if (task.status === 'cancelling') return { cancelRequested: true };
      await tasks.report(task.id, report);
      const mirror = report.progress !== undefined && progressStepChanged(task.progress, report.progress);
      return { cancelRequested: await relay({ ...task, ...report }, mirror) };
    },

    async addStep(vendorId: string, taskId: string, step: { key: string; description: string }) {
      const added = { ...step, status: 'running' as const };
      await changeSteps(vendorId, taskId, (steps) => {
        const existing = steps.find((s) => s.key === step.key);
        if (existing && existing.description !== step.description)
          throw new HttpProblem({ status: 409, title: 'Step exists', detail: `Step ${step.key} exists already` });
        if (!existing) steps.push(added);
      });
      return added;
    },

    async endStep(vendorId: string, taskId: string, key: string, succeeded: boolean) {
      let ended: VendorSubStepRecord | undefined;
      await changeSteps(vendorId, taskId, (steps) => {
        ended = steps.find((s) => s.key === key);
        if (!ended) throw new HttpProblem({ status: 404, title: 'Step not found', detail: `No step ${key}` });
        ended.status = succeeded ? 'finished' : 'failed';
      });
      return ended!;
    },

    async complete(vendorId: string, taskId: string, output: unknown) {
      const task = await own(vendorId, taskId);
      const registration = (await deps.registry.activities(vendorId)).find((a) => a.name === task.activity);
      if (registration && (task.status === 'open' || task.status === 'delivering')) {
        const valid = compileSchema(registration.outputSchema, 'registration.outputSchema');
        if (!valid(output)) {
          throw new HttpProblem({
            status: 422,
            title: 'Output does not match the registered schema',
            detail: `The task stays open: ${(valid.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`,
            errors: (valid.errors ?? []).map((e) => ({
              field: `body.output${e.instancePath.replace(/\//g, '.')}`,
              message: e.message ?? 'is invalid',
            })),
          });
        }
      }
      // The sub-steps as the vendor left them travel with the result (as a temporal-mode vendor's result carries
      // them), so the flow's final tree shows their end even if no heartbeat relayed it in time.
      const withSteps = (t: VendorTask) =>
        t.subSteps.length && output !== null && typeof output === 'object' && !Array.isArray(output)
          ? { subSteps: t.subSteps, ...output }
          : output;
      return close(vendorId, taskId, 'completed', { output }, async (t) =>
        client.activity.complete(activityOf(t), withSteps((await tasks.get(t.id)) ?? t)),
      );
    },

    async fail(vendorId: string, taskId: string, report: { message: string; retryable: boolean }) {
      return close(vendorId, taskId, 'failed', report, (t) =>
        client.activity.fail(
          activityOf(t),
          ApplicationFailure.create({
            message: report.message,
            type: report.retryable ? 'VendorFailed' : 'VendorRejected',
            nonRetryable: !report.retryable,
          }),
        ),
      );
    },
  };
}

export type TaskService = ReturnType<typeof createTaskService>;
