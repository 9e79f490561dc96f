// Standalone external tasks: a vendor, with its own key, injects a task (an engine job of its own) with nested steps,
// reports progress and ends them. Each report is checked against the task's record and recorded, and handed to the
// task's workflow in one transaction, so the answer is definite at once and needs no worker: the workflow mirrors
// the reports onto the engine in the order they were accepted, however long the engine is away.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  EXTERNAL_TASK_KIND,
  externalTaskReportSignal,
  externalTaskWorkflowId,
  type ExternalTaskReport,
} from '../../common/external-task-definitions';
import type { FlowProgress, FlowStep } from '../../common/flow-definitions';
import { EngineJobId, FlowKind, Vendor } from '../../common/search-attributes';
import type { ExternalTask, ExternalTaskStore, ExternalTaskTransaction, TaskScope } from '../../db/external-tasks';
import type { ExternalTaskStatus } from '../../db/tables';
import { externalTask } from '../../workflows/external-task';
import { fillPath } from '../../common/api-path';
import { correlationIdFor } from '../../common/correlation';
import type { OvirtClient } from '../../ovirt/client';
import { addExternalJob } from '../../ovirt/jobs';
import { apiRoutes } from '../api/routes';
import { HttpProblem } from '../problem';
import { queryProgress } from '../progress-query';
import type { ExternalJobStepShape, ExternalStepType } from './schemas';
import type { z } from '../zod';

export interface ExternalTaskServiceOptions {
  store: ExternalTaskStore;
  client: Client;
  /** The engine: a create opens the task's job there itself, so its answer names the job with no worker involved. */
  ovirt: OvirtClient;
  /** The main task queue: the tasks' workflows run there. */
  taskQueue: string;
  /** The longest time limit a vendor may ask for (HF_EXTERNAL_TASK_MAX_TIMEOUT), in seconds. @default 86400 */
  maxTimeoutSeconds?: number;
  /** How long a read waits for a running task's workflow to say which engine steps it made, in ms. @default 500 */
  queryBoundMs?: number;
  /** How long a new step waits for its engine step to be made, in ms. @default 2000 */
  mirrorWaitMs?: number;
  /** The engine's Tasks page (the built-in engine's), for links to a task's job. @default none */
  engineTasksUrl?: string;
  /** A task's workflow continues as new past this many history events. @default the workflow's (5000) */
  historyEventsPerRun?: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 3600;
/** How long a new step waits for the workflow's first answer (none comes without a worker), in ms. */
const FIRST_ANSWER_MS = 800;
/** How long a create waits for the engine to open the task's job; past it the workflow opens it, in ms. */
const OPEN_JOB_MS = 1500;
/** Listings show the newest this many tasks. */
const LIST_LIMIT = 200;

const notFound = (what: string) => new HttpProblem({ status: 404, title: 'Not found', detail: `${what} not found` });
const gone = (t: ExternalTask) =>
  new HttpProblem({
    status: 410,
    title: 'Task ended',
    detail: `Task ${t.id} has ended (${t.status}${t.reason ? `: ${t.reason}` : ''}); this report changes nothing.`,
  });
const badField = (field: string, message: string) =>
  new HttpProblem({
    status: 400,
    title: 'Invalid request',
    detail: `${field}: ${message}`,
    errors: [{ field, message }],
  });
const stepEnded = (stepId: string, status: string) =>
  new HttpProblem({ status: 409, title: 'Step ended', detail: `Step ${stepId} has ended (${status}).` });

const now = () => new Date().toISOString();

export function createExternalTaskService(opts: ExternalTaskServiceOptions) {
  const { store, client } = opts;
  const maxTimeout = opts.maxTimeoutSeconds ?? 86_400;
  const queryBoundMs = opts.queryBoundMs ?? 500;
  const mirrorWaitMs = opts.mirrorWaitMs ?? 2000;

  /** Temporal calls made inside a transaction are bounded: the transaction holds the database meanwhile. */
  const temporalCall = <T>(fn: () => Promise<T>) => client.withDeadline(Date.now() + 5000, fn);

  /** Ends a job opened for a task that was not made after all (best effort: the engine may be away). */
  const endUnused = (jobId: string, workflowId: string) =>
    opts.ovirt
      .action(`/jobs/${jobId}/end`, { succeeded: false }, { correlationId: correlationIdFor(workflowId) })
      .catch(() => undefined);

  const signal = (taskId: string, report: ExternalTaskReport) =>
    temporalCall(() =>
      client.workflow.getHandle(externalTaskWorkflowId(taskId)).signal(externalTaskReportSignal, report),
    );

  /** The running workflow's step tree (which engine steps it made), within queryBoundMs. */
  const live = (taskId: string, boundMs = queryBoundMs) =>
    queryProgress(client, externalTaskWorkflowId(taskId), boundMs);

  /** The task as the API shows it: its record, and the engine ids its workflow knows while it runs. */
  function view(t: ExternalTask, progress?: FlowProgress) {
    const mirrored = new Map<string, FlowStep>();
    const walk = (steps: FlowStep[]) =>
      steps.forEach((s) => {
        mirrored.set(s.key, s);
        walk(s.children);
      });
    walk(progress?.steps ?? []);
    const nodes = new Map<string, ExternalJobStepShape>();
    const roots: ExternalJobStepShape[] = [];
    for (const s of t.steps) {
      const m = mirrored.get(s.id);
      const node: ExternalJobStepShape = {
        id: s.id,
        key: s.key,
        description: s.description,
        type: s.type as z.infer<typeof ExternalStepType>,
        status: s.status,
        progress: s.progress,
        startedAt: s.createdAt,
        endedAt: s.endedAt,
        engineStepId: s.engineStepId ?? m?.engineStepId ?? null,
        engineJobId: s.engineJobId ?? m?.engineJobId ?? null,
        children: [],
      };
      nodes.set(s.id, node);
      (s.parentStepId ? nodes.get(s.parentStepId)?.children : roots)?.push(node);
    }
    // Once the task has ended, the record holds every job; until then the job the API opened, and the workflow's.
    const engineJobIds = t.engineJobIds.length
      ? t.engineJobIds
      : [...new Set([...(t.openedJobId ? [t.openedJobId] : []), ...(progress?.engineJobIds ?? [])])];
    return {
      id: t.id,
      vendor: t.vendorId,
      description: t.description,
      correlationId: t.correlationId,
      status: t.status,
      reason: t.reason,
      timeoutSeconds: t.timeoutSeconds,
      createdAt: t.createdAt,
      lastReportAt: t.lastReportAt,
      endedAt: t.endedAt,
      deadline:
        t.status === 'started' ? new Date(Date.parse(t.lastReportAt) + t.timeoutSeconds * 1000).toISOString() : null,
      engineJobId: engineJobIds.at(-1) ?? null,
      engineJobIds,
      steps: roots,
      links: {
        self: fillPath(apiRoutes.getExternalJob.path, { id: t.id }),
        ...(opts.engineTasksUrl && engineJobIds.length
          ? { engineTasks: `${opts.engineTasksUrl}#job-${engineJobIds.at(-1)}` }
          : {}),
      },
    };
  }
  type View = ReturnType<typeof view>;

  /** A started task's view with what its workflow knows (a recorded one needs no workflow). */
  async function show(t: ExternalTask): Promise<View> {
    if (t.status !== 'started' && t.engineJobIds.length) return view(t);
    const progress = await live(t.id);
    return view(t, typeof progress === 'object' ? progress : undefined);
  }

  /**
   * Waits (within mirrorWaitMs) until `ready` holds for the workflow's step tree: the answer to a create or a new
   * step then carries its engine id. Gives up at once when no worker answers: the id comes later, in reads.
   */
  async function waitForMirror(t: ExternalTask, ready: (shown: View) => boolean): Promise<View> {
    const started = Date.now();
    let answered = false;
    // Until the workflow first answers (it has not run its first task yet, and without a worker never will), the
    // wait is kept under a second.
    const until = () => (answered ? started + mirrorWaitMs : started + Math.min(mirrorWaitMs, FIRST_ANSWER_MS));
    for (;;) {
      const progress = await live(t.id, Math.min(queryBoundMs, Math.max(1, until() - Date.now())));
      if (progress === 'no-answer') return view(t);
      answered ||= progress !== undefined;
      const shown = view(t, progress);
      if ((progress && ready(shown)) || Date.now() >= until()) return shown;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * Checks and records a report on one of the vendor's started tasks and hands it to the workflow, in one
   * transaction: a report Temporal did not take is not recorded either.
   */
  async function report(
    vendorId: string,
    taskId: string,
    fn: (task: ExternalTask, trx: ExternalTaskTransaction) => Promise<ExternalTaskReport | undefined>,
  ): Promise<ExternalTask> {
    try {
      return await store.transaction(async (trx) => {
        await trx.lock(taskId);
        const task = await trx.get({ vendorId }, taskId);
        if (!task) throw notFound(`Task ${taskId}`);
        if (task.status !== 'started') throw gone(task);
        const report = await fn(task, trx);
        if (!report) return task; // a repeat that changes nothing
        await signal(taskId, report);
        return (await trx.get({ vendorId }, taskId))!;
      });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // Its workflow has closed without ending the record (terminated in Temporal): the task is over.
      await store.end(taskId, 'failed', 'its workflow was ended in Temporal', now());
      throw gone((await store.get({ vendorId }, taskId))!);
    }
  }

  const stepOf = (task: ExternalTask, stepId: string) => {
    const step = task.steps.find((s) => s.id === stepId);
    if (!step) throw notFound(`Step ${stepId} of task ${task.id}`);
    return step;
  };

  return {
    /** A new task (`created`), or the vendor's task with the same correlation id. */
    async create(
      vendorId: string,
      req: { description: string; correlationId?: string; timeoutSeconds?: number },
    ): Promise<{ created: boolean; job: View }> {
      const timeoutSeconds = req.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
      if (timeoutSeconds > maxTimeout)
        throw badField('body.timeoutSeconds', `must be at most ${maxTimeout} (the operator's maximum)`);
      const existing = async () =>
        req.correlationId ? await store.findByCorrelation(vendorId, req.correlationId) : undefined;
      const id = randomUUID();
      const workflowId = externalTaskWorkflowId(id);
      let created: ExternalTask | undefined;
      let openedJob: string | null = null;
      try {
        created = await store.transaction(async (trx) => {
          if (req.correlationId && (await trx.findByCorrelation(vendorId, req.correlationId))) return undefined;
          const at = now();
          const t = { id, vendorId, description: req.description, timeoutSeconds, now: at };
          if (!(await trx.create({ ...t, correlationId: req.correlationId ?? null })))
            throw notFound(`Vendor ${vendorId}`);
          // Opened before the workflow starts, under its correlation id: the workflow finds this job rather than
          // making a second. An engine away or slow leaves it to the workflow (the answer's engineJobId is then null).
          openedJob = await addExternalJob(opts.ovirt, req.description, {
            correlationId: correlationIdFor(workflowId),
            timeoutMs: OPEN_JOB_MS,
          }).catch(() => null);
          if (openedJob) await trx.recordOpenedJob(id, openedJob);
          await temporalCall(() =>
            client.workflow.start(externalTask, {
              workflowId,
              taskQueue: opts.taskQueue,
              args: [
                {
                  taskId: id,
                  vendorId,
                  description: req.description,
                  timeoutSeconds,
                  historyEventsPerRun: opts.historyEventsPerRun,
                },
              ],
              // The job from the start: the terminated-flow sweep finds it even if the workflow never ran.
              typedSearchAttributes: [
                { key: FlowKind, value: EXTERNAL_TASK_KIND },
                { key: Vendor, value: vendorId },
                ...(openedJob ? [{ key: EngineJobId, value: openedJob }] : []),
              ],
              staticSummary: req.description,
              staticDetails: `Standalone external task of ${vendorId}`,
            }),
          );
          return trx.get({ vendorId }, id);
        });
      } catch (err) {
        // No task: the job opened for it is ended, so none stays STARTED for a task that never was.
        if (openedJob) await endUnused(openedJob, workflowId);
        // Another request with the same correlation id won the race (a unique index holds them apart).
        const first = await existing().catch(() => undefined);
        if (first) return { created: false, job: await show(first) };
        throw err;
      }
      if (!created) return { created: false, job: await show((await existing())!) };
      return {
        created: true,
        job: openedJob ? view(created) : await waitForMirror(created, (v) => Boolean(v.engineJobId)),
      };
    },

    async get(scope: TaskScope, id: string): Promise<View> {
      const task = await store.get(scope, id);
      if (!task) throw notFound(`Task ${id}`);
      return show(task);
    },

    async list(scope: TaskScope, filter: { vendorId?: string; status?: ExternalTaskStatus }) {
      const tasks = await store.list(scope, { ...filter, limit: LIST_LIMIT });
      return { items: await Promise.all(tasks.map(show)) };
    },

    async addStep(
      vendorId: string,
      taskId: string,
      req: { description: string; parentStepId?: string; type: string; key?: string },
    ): Promise<{ created: boolean; step: ExternalJobStepShape }> {
      let stepId: string = randomUUID();
      let created = true;
      const task = await report(vendorId, taskId, async (task, trx) => {
        const same = req.key === undefined ? undefined : task.steps.find((s) => s.key === req.key);
        if (same) {
          // A retried add (its answer was lost): the step made the first time, unless the key means another step.
          if (same.description !== req.description || same.parentStepId !== (req.parentStepId ?? null))
            throw new HttpProblem({
              status: 409,
              title: 'Step key taken',
              detail: `Step key ${req.key} names step ${same.id} ("${same.description}") of this task.`,
            });
          stepId = same.id;
          created = false;
          return undefined;
        }
        if (req.parentStepId !== undefined) {
          const parent = task.steps.find((s) => s.id === req.parentStepId);
          if (!parent) throw badField('body.parentStepId', `is not a step of task ${taskId}`);
          if (parent.status !== 'started') throw stepEnded(parent.id, parent.status);
        }
        const step = {
          id: stepId,
          parentStepId: req.parentStepId ?? null,
          key: req.key ?? null,
          description: req.description,
          type: req.type,
        };
        await trx.addStep(taskId, step, now());
        const { key: _key, ...reported } = step;
        return { kind: 'addStep', stepId, ...reported };
      });
      const shown = await waitForMirror(task, (v) => Boolean(findStep(v.steps, stepId)?.engineStepId));
      return { created, step: findStep(shown.steps, stepId)! };
    },

    async setProgress(vendorId: string, taskId: string, stepId: string, progress: number) {
      const task = await report(vendorId, taskId, async (task, trx) => {
        const step = stepOf(task, stepId);
        if (step.status !== 'started') throw stepEnded(stepId, step.status);
        await trx.setStepProgress(taskId, stepId, progress, now());
        return { kind: 'progress', stepId, progress };
      });
      return findStep((await show(task)).steps, stepId)!;
    },

    /** Ends a step; the same end again is a 200 that changes nothing, the other one a 409. */
    async endStep(vendorId: string, taskId: string, stepId: string, succeeded: boolean) {
      const status = succeeded ? 'finished' : 'failed';
      const task = await report(vendorId, taskId, async (task, trx) => {
        const step = stepOf(task, stepId);
        if (step.status === status) return undefined;
        if (step.status !== 'started') throw stepEnded(stepId, step.status);
        await trx.endStep(taskId, stepId, status, now());
        return { kind: 'endStep', stepId, succeeded };
      });
      return findStep((await show(task)).steps, stepId)!;
    },

    /**
     * Ends the task: FAILED if the vendor says so or, as oVirt has it, if any of its steps failed. A failing vendor's
     * `reason` is shown in the engine job as a FAILED step "Failed: <reason>".
     */
    async end(vendorId: string, taskId: string, succeeded: boolean, given?: string) {
      const task = await report(vendorId, taskId, async (task, trx) => {
        // The step that failed first (its parents, ended failed after it, say less).
        const failedStep = task.steps
          .filter((s) => s.status === 'failed')
          .reduce<ExternalTask['steps'][number] | undefined>(
            // Ties (the same millisecond) go to the later step: a child is added after its parent.
            (first, s) => (!first || (s.endedAt ?? '') <= (first.endedAt ?? '') ? s : first),
            undefined,
          );
        const status = succeeded && !failedStep ? 'finished' : 'failed';
        const explained = succeeded ? undefined : given;
        const reason =
          explained ??
          (failedStep
            ? `step "${failedStep.description}" failed`
            : succeeded
              ? null
              : `${vendorId} ended it as failed`);
        await trx.end(taskId, status, reason, now());
        return { kind: 'end', succeeded, ...(explained ? { reason: explained } : {}) };
      });
      return show(task);
    },

    /** Ends every started task of a vendor being removed, FAILED with `reason`. */
    async endAllOf(vendorId: string, reason: string): Promise<void> {
      for (const taskId of await store.startedOf(vendorId)) {
        await store.transaction(async (trx) => {
          await trx.lock(taskId);
          if (!(await trx.end(taskId, 'failed', reason, now()))) return;
          await signal(taskId, { kind: 'end', succeeded: false, reason }).catch((err) => {
            if (!(err instanceof WorkflowNotFoundError)) throw err; // its workflow is gone already
          });
        });
      }
    },
  };
}

function findStep(steps: ExternalJobStepShape[], id: string): ExternalJobStepShape | undefined {
  for (const s of steps) {
    if (s.id === id) return s;
    const found = findStep(s.children, id);
    if (found) return found;
  }
  return undefined;
}

export type ExternalTaskService = ReturnType<typeof createExternalTaskService>;
