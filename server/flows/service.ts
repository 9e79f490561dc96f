// Starts, lists, reads and cancels flows in Temporal. The routes call this; it knows workflows only through the
// flow catalogue (catalogue.ts: each kind's workflow and summary), the progress query, the memo and the search
// attributes. No call waits on a worker: a start answers once Temporal has the workflow, and the progress query
// (which a worker answers) is asked within a short bound, with the engine's own record of the flow's jobs as the
// fallback.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionStatusName,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import type { OvirtClient } from '../../ovirt/client';
import { collection, Step } from '../../ovirt/representation';
import { fillPath } from '../../common/api-path';
import { causeMessages } from '../../common/errors';
import { flowsStarted } from '../../common/metrics';
import { apiRoutes } from '../api/routes';
import { EngineJobId, FlowKind, OvirtVmId, Vendor } from '../../common/search-attributes';
import { knownEngineJobIds, type FlowMemo, type FlowProgress, type FlowStep } from '../../common/flow-definitions';
import { HttpProblem } from '../problem';
import { queryProgress } from '../progress-query';
import { engineStepTree } from './engine-steps';
import type { z } from 'zod';
import type { IdempotencyStore } from '../../db/idempotency-keys';
import { childFlowKinds, type ChildFlowKindName } from './catalogue';
import type { FlowKindDef, PreparedFlow } from './flow-kind';
import {
  FlowKind as FlowKindSchema,
  type FlowKind as FlowKindName,
  type FlowStatus,
  type StepsSource,
} from './schemas';

export interface FlowServiceOptions {
  client: Client;
  taskQueue: string;
  /** The engine, read for a running flow's steps when no worker answers the progress query. */
  ovirt: OvirtClient;
  /** Base URL of the Temporal Web UI, when known. */
  temporalUiUrl?: string;
  /** The engine's Tasks page, when it has one (the built-in engine). */
  engineTasksUrl?: string;
  /** Where Idempotency-Keys are kept (the server database). */
  idempotency: IdempotencyStore;
  /**
   * Signs the page tokens handed out, so that only tokens this API issued (for the same filters) reach Temporal.
   * Servers behind one load balancer share it. @default random per process
   */
  pageTokenKey?: string;
  /** How long a read waits for the workflow's progress query (which needs a worker), in ms. @default 500 */
  queryBoundMs?: number;
  /** How long a read waits for the engine's steps, in ms. @default 350 */
  engineBoundMs?: number;
  /** After a progress query timed out, the reads of that flow skip it for this long, in ms. @default 5000 */
  queryQuietMs?: number;
}
/** Temporal's execution status (the SDK's names, every one of them) as a flow's status. */
const STATUS: Record<WorkflowExecutionStatusName, FlowStatus> = {
  UNSPECIFIED: 'running',
  UNKNOWN: 'running',
  RUNNING: 'running',
  PAUSED: 'running',
  CONTINUED_AS_NEW: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
};
/** The same, as visibility queries spell it (ExecutionStatus = 'Canceled'). */
const VISIBILITY_STATUS: Record<FlowStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
};

const notFound = (id: string) =>
  new HttpProblem({ status: 404, title: 'Flow not found', detail: `No flow with id ${id}` });

/**
 * The short id of a flow: random, or derived from its operation and Idempotency-Key, so that even API servers that
 * keep their keys apart cannot start two flows for one key (Temporal refuses the second id).
 */
const shortId = (kind: FlowKindName, idempotencyKey?: string) =>
  idempotencyKey
    ? createHash('sha256').update(`${kind}\0${idempotencyKey}`).digest('hex').slice(0, 8)
    : randomUUID().slice(0, 8);

const keyReused = (flowId: string) =>
  new HttpProblem({
    status: 422,
    title: 'Idempotency-Key reused',
    detail: `This Idempotency-Key came with a different request before (flow ${flowId}); send a new key for a new request.`,
    errors: [{ field: 'header.Idempotency-Key', message: 'was used before with a different request' }],
  });

export function createFlowService(opts: FlowServiceOptions) {
  const { client, ovirt } = opts;
  const { idempotency } = opts;
  const namespace = client.options.namespace;
  const queryBoundMs = opts.queryBoundMs ?? 500;
  const engineBoundMs = opts.engineBoundMs ?? 350;
  const queryQuietMs = opts.queryQuietMs ?? 5000;
  const pageTokenKey = opts.pageTokenKey ?? randomBytes(32).toString('base64url');
  const pageMac = (raw: Uint8Array, query: string) =>
    createHmac('sha256', pageTokenKey).update(query).update('\0').update(raw).digest().subarray(0, 16);
  /** Temporal's page token, signed with the listing's filters: clients get it opaque and cannot forge one. */
  const pageToken = (raw: Uint8Array, query: string) => Buffer.concat([pageMac(raw, query), raw]).toString('base64url');
  const readPageToken = (token: string, query: string): Uint8Array => {
    const buf = Buffer.from(token, 'base64url');
    const raw = buf.subarray(16);
    if (buf.length <= 16 || !timingSafeEqual(buf.subarray(0, 16), pageMac(raw, query))) {
      throw new HttpProblem({
        status: 400,
        title: 'Invalid request',
        detail: 'query.pageToken: is not a page token of this listing',
        errors: [
          {
            field: 'query.pageToken',
            message:
              'is not a page token of this listing (take nextPageToken from the previous page, with the same filters)',
          },
        ],
      });
    }
    return raw;
  };
  const links = (id: string, engineJobId?: string | null) => ({
    self: fillPath(apiRoutes.getFlow.path, { id }),
    ...(opts.temporalUiUrl
      ? { temporalUi: `${opts.temporalUiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(id)}` }
      : {}),
    ...(opts.engineTasksUrl && engineJobId ? { engineTasks: `${opts.engineTasksUrl}#job-${engineJobId}` } : {}),
  });

  /** Per running flow: until when its progress query is skipped (it timed out), and the last step tree seen. */
  const recent = new Map<string, { quietUntil?: number; steps?: FlowStep[]; at?: number }>();
  const remember = (id: string, update: { quietUntil?: number; steps?: FlowStep[]; at?: number }) => {
    recent.set(id, { ...recent.get(id), ...update });
    // A plain map with a cap: the oldest entries (first inserted) go first.
    while (recent.size > 1000) recent.delete(recent.keys().next().value!);
  };

  /**
   * The step tree, asked of the running workflow itself, within `queryBoundMs`: a query waits for a worker, which
   * may be down. undefined when no answer came in time, or the query timed out a moment ago.
   */
  async function liveProgress(id: string): Promise<FlowProgress | undefined> {
    if ((recent.get(id)?.quietUntil ?? 0) > Date.now()) return undefined;
    const answer = await queryProgress(client, id, queryBoundMs);
    if (answer === 'no-answer') remember(id, { quietUntil: Date.now() + queryQuietMs });
    if (typeof answer !== 'object') return undefined;
    remember(id, { quietUntil: undefined });
    return answer;
  }

  /** The step tree read from the engine jobs, within `engineBoundMs`; undefined when the engine answered for none. */
  async function engineSteps(jobIds: readonly string[], vendor: string | undefined): Promise<FlowStep[] | undefined> {
    if (jobIds.length === 0) return undefined;
    const bound = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no answer in time')), engineBoundMs).unref(),
    );
    const reads = await Promise.allSettled(
      jobIds.map((jobId) =>
        Promise.race([ovirt.get(`/jobs/${encodeURIComponent(jobId)}/steps`, collection('step', Step)), bound]).then(
          (steps) => ({ jobId, steps }),
        ),
      ),
    );
    const jobs = reads.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    return jobs.length ? engineStepTree(jobs, vendor) : undefined;
  }

  /** A child flow's kind (catalogue.ts): a workflow of its type whose parent is a flow of its parent kind. */
  async function childKindOf(description: WorkflowExecutionDescription): Promise<ChildFlowKindName | undefined> {
    const kind = childFlowKinds.find((k) => k.workflow.name === description.type);
    const parent = description.parentExecution;
    if (!kind || !parent?.workflowId) return undefined;
    const parentDescription = await client.workflow.getHandle(parent.workflowId, parent.runId ?? undefined).describe();
    return parentDescription.typedSearchAttributes.get(FlowKind) === kind.parentKind ? kind.name : undefined;
  }

  /**
   * The flow's workflow and its kind; a workflow that is no flow (a standalone external task, say) is a 404 here.
   * With `children`, a child flow (a VM of a bulk clone, which carries no FlowKind of its own) is one too.
   */
  const describe = async (id: string, children = false) => {
    try {
      const description = await client.workflow.getHandle(id).describe();
      const kind = FlowKindSchema.safeParse(description.typedSearchAttributes.get(FlowKind));
      if (kind.success) return { description, kind: kind.data as FlowKindName | ChildFlowKindName, child: false };
      const childKind = children ? await childKindOf(description) : undefined;
      if (childKind) return { description, kind: childKind, child: true };
      throw notFound(id);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(id);
      throw err;
    }
  };

  /** What Temporal knows of a flow without a worker: its status, memo and search attributes. */
  function known(description: WorkflowExecutionDescription) {
    const status = STATUS[description.status.name];
    const memo = (description.memo ?? {}) as FlowMemo;
    const searchJobId = description.typedSearchAttributes.get(EngineJobId);
    const engineJobIds = knownEngineJobIds(memo, searchJobId);
    const engineJobId = memo.engineJobId ?? searchJobId ?? engineJobIds.at(-1) ?? null;
    return { status, memo, engineJobIds, engineJobId };
  }

  const flowId = (kind: FlowKindName, vm: string, key?: string) =>
    `${kind}-${vm.replace(/[^0-9a-zA-Z_-]/g, '')}-${shortId(kind, key)}`;

  /** A start answer from Temporal alone (for a repeated Idempotency-Key): no query, so no worker needed. */
  async function startedAnswer(id: string, kind: FlowKindName) {
    const { status, engineJobId } = known((await describe(id)).description);
    return { id, kind, status, engineJobId, links: links(id, engineJobId) };
  }

  /**
   * Starts a flow of a kind of the catalogue, as its `prepare` made it (or, for a repeated Idempotency-Key, finds
   * the one it started). It answers as soon as Temporal has the workflow: the engine job is opened by the workflow
   * once a worker runs it, so it is not waited for.
   */
  async function start<I>(
    kind: FlowKindDef<FlowKindName, z.ZodType, I>,
    prepared: PreparedFlow<I>,
    request: object,
    idem?: { key: string; fingerprint: string },
  ) {
    let id = flowId(kind.name, prepared.subject, idem?.key);
    if (idem) {
      // The key is claimed before the flow starts: of two concurrent requests with one key, the first one wins.
      const held = await idempotency.claim(kind.name, idem.key, { flowId: id, fingerprint: idem.fingerprint });
      if (held.fingerprint !== idem.fingerprint) throw keyReused(held.flowId);
      id = held.flowId;
    }
    const summary = kind.summary(prepared.input);
    const { vendor, ovirtVmId } = prepared.searchAttributes;
    try {
      await client.workflow.start(kind.workflow, {
        workflowId: id,
        taskQueue: opts.taskQueue,
        args: [prepared.input],
        staticSummary: summary,
        // The summary is listed with each flow (visibility does not return the static summary); the request is
        // shown with the flow without reading its history.
        memo: { summary, request } satisfies FlowMemo,
        // An id is never used twice, so a repeated key can never start a second clone, even after the first ended.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: FlowKind, value: kind.name },
          { key: Vendor, value: vendor },
          ...(ovirtVmId ? [{ key: OvirtVmId, value: ovirtVmId }] : []),
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError && idem)) throw err;
      return startedAnswer(id, kind.name);
    }
    flowsStarted.inc({ kind: kind.name });
    return { id, kind: kind.name, status: 'running' as FlowStatus, engineJobId: null, links: links(id) };
  }

  /** The steps of a running flow: the workflow's answer if it comes in time, else the engine's, else the last known. */
  async function runningSteps(id: string, jobIds: readonly string[], vendor: string | undefined) {
    const query = liveProgress(id);
    // Most queries answer in milliseconds; one that does not is likely waiting for a worker that is down, so the
    // engine read starts meanwhile and the whole read stays within about queryBoundMs.
    let hedge: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      query.then(() => false),
      new Promise<boolean>((r) => (hedge = setTimeout(() => r(true), Math.min(200, queryBoundMs / 2)))),
    ]);
    clearTimeout(hedge);
    const fromEngine = late ? engineSteps(jobIds, vendor) : undefined;
    const live = await query;
    if (live) {
      remember(id, { steps: live.steps, at: Date.now() });
      return { live, steps: live.steps, source: 'workflow' as StepsSource };
    }
    const engine = await (fromEngine ?? engineSteps(jobIds, vendor));
    if (engine) {
      remember(id, { steps: engine, at: Date.now() });
      return { steps: engine, source: 'engine' as StepsSource };
    }
    const last = recent.get(id);
    return { steps: last?.steps ?? [], source: 'none' as StepsSource, lastAt: last?.steps ? last.at : undefined };
  }

  function noticeOf(source: StepsSource, running: boolean, jobIds: readonly string[], lastAt?: number): string | null {
    const waited = `No worker answered within ${queryBoundMs} ms`;
    if (source === 'engine') {
      return running
        ? `${waited}: the steps were read from the engine job${jobIds.length > 1 ? 's' : ''} and may lag behind the flow. The flow goes on once a worker runs.`
        : 'The flow closed without keeping its step tree: the steps were read from the engine.';
    }
    if (source !== 'none') return null;
    if (!running) return 'The flow closed without keeping its step tree, and the engine could not be read.';
    if (jobIds.length === 0) return `${waited} and the flow has no engine job yet: it progresses once a worker runs.`;
    return `${waited} and the engine could not be read: ${lastAt ? `the steps shown are those known at ${new Date(lastAt).toISOString()}` : 'no steps are known'}.`;
  }

  async function getFlow(id: string) {
    const handle = client.workflow.getHandle(id);
    const { description, kind } = await describe(id, true);
    const { status, memo, engineJobIds: knownJobIds, engineJobId: knownJobId } = known(description);
    const vendor = description.typedSearchAttributes.get(Vendor);
    let steps: FlowStep[];
    let stepsSource: StepsSource;
    let live: FlowProgress | undefined;
    let lastAt: number | undefined;
    if (status !== 'running' && memo.steps) {
      // A closed flow left its final step tree in its memo.
      steps = memo.steps;
      stepsSource = 'final';
      recent.delete(id);
    } else if (status === 'running') {
      ({ steps, source: stepsSource, live, lastAt } = await runningSteps(id, knownJobIds, vendor));
    } else {
      // Closed without a final tree (terminated, say): a closed workflow's query would need a worker to replay it.
      const engine = await engineSteps(knownJobIds, vendor);
      steps = engine ?? [];
      stepsSource = engine ? 'engine' : 'none';
      recent.delete(id);
    }
    const engineJobIds = live?.engineJobIds.length ? [...live.engineJobIds] : knownJobIds;
    const engineJobId = live?.engineJobId ?? knownJobId ?? engineJobIds.at(-1) ?? null;
    if (engineJobId && !engineJobIds.includes(engineJobId)) engineJobIds.push(engineJobId);
    let result: unknown = null;
    let error: string | null = null;
    if (status === 'completed') result = await handle.result();
    if (status === 'failed' || status === 'timed_out' || status === 'terminated') {
      error = await handle.result().then(
        () => null,
        (e: Error) => plainError(e),
      );
    }
    if (status === 'cancelled') error = 'The flow was cancelled; the steps done were undone.';
    return {
      id,
      kind,
      status,
      startedAt: description.startTime.toISOString(),
      closedAt: description.closeTime?.toISOString() ?? null,
      input: memo.request ?? null,
      result: result ?? null,
      error,
      engineJobId,
      engineJobIds,
      steps,
      stepsSource,
      notice: noticeOf(stepsSource, status === 'running', engineJobIds, lastAt),
      links: links(id, engineJobId),
    };
  }

  return {
    getFlow,

    start,

    /**
     * The flow an earlier request with this Idempotency-Key started, if any; a 422 if that request was another one
     * (its fingerprint: the request as the kind's `prepare` resolved it).
     */
    async findStarted(kind: FlowKindName, idem: { key: string; fingerprint: string }) {
      const held = await idempotency.get(kind, idem.key);
      if (!held) return undefined;
      if (held.fingerprint !== idem.fingerprint) throw keyReused(held.flowId);
      try {
        return await startedAnswer(held.flowId, kind);
      } catch (err) {
        // Claimed, but the server stopped before the flow started: the start goes on with the same id.
        if (err instanceof HttpProblem && err.problem.status === 404) return undefined;
        throw err;
      }
    },

    /** Lists hybridflow's flows from Temporal visibility, newest first, filtered by the search attributes. */
    async listFlows(q: { status?: FlowStatus; kind?: string; vm?: string; pageSize: number; pageToken?: string }) {
      // This deployment's flows: those on its task queue (a namespace may hold other deployments', or other tests').
      // Flows only: standalone external tasks (FlowKind external-task) have their own listing.
      const kinds = FlowKindSchema.options.map((k) => `'${k}'`).join(', ');
      const clauses = [`TaskQueue = '${opts.taskQueue}'`, `FlowKind IN (${kinds})`];
      if (q.kind) clauses.push(`FlowKind = '${q.kind}'`);
      if (q.vm) clauses.push(`OvirtVmId = '${q.vm}'`);
      if (q.status) clauses.push(`ExecutionStatus = '${VISIBILITY_STATUS[q.status]}'`);
      const query = clauses.join(' AND ');
      const nextPageToken = q.pageToken === undefined ? undefined : readPageToken(q.pageToken, query);
      const page = await client.workflowService.listWorkflowExecutions({
        namespace,
        pageSize: q.pageSize,
        nextPageToken,
        query,
      });
      // The SDK's own decoding of a listed execution (status names, times, typed search attributes, memo).
      const items = await Promise.all(
        (page.executions ?? []).map(async (raw) => {
          const e = await executionInfoFromRaw(raw, client.options.loadedDataConverter, undefined, namespace);
          const attr = (key: typeof FlowKind) => e.typedSearchAttributes.get(key) ?? null;
          return {
            id: e.workflowId,
            kind: attr(FlowKind) ?? e.type,
            status: STATUS[e.status.name],
            startedAt: e.startTime.toISOString(),
            closedAt: e.closeTime?.toISOString() ?? null,
            sourceVmId: attr(OvirtVmId),
            vendor: attr(Vendor),
            engineJobId: attr(EngineJobId),
            summary: typeof e.memo?.summary === 'string' ? e.memo.summary : null,
          };
        }),
      );
      return {
        items,
        nextPageToken: page.nextPageToken?.length ? pageToken(page.nextPageToken, query) : null,
      };
    },

    /** Throws the 404 problem unless the flow exists (Temporal alone answers). */
    async assertExists(id: string): Promise<void> {
      await describe(id, true);
    },

    /** Requests the cancellation; Temporal records it whether or not a worker runs (the undo waits for one). */
    async cancel(id: string) {
      const { description, child } = await describe(id, true);
      if (child) {
        throw new HttpProblem({
          status: 409,
          title: 'Part of another flow',
          detail: `${id} is a part of flow ${description.parentExecution?.workflowId}, which alone can be cancelled.`,
        });
      }
      const { status } = known(description);
      if (status !== 'running') {
        throw new HttpProblem({
          status: 409,
          title: 'Flow already closed',
          detail: `Flow ${id} is ${status}; there is nothing to cancel.`,
        });
      }
      await client.workflow.getHandle(id).cancel();
      return { id, status, cancelRequested: true };
    },
  };
}

/** What went wrong, in the words of the innermost failure (the workflow's own message says what was undone). */
function plainError(err: Error): string {
  const messages = causeMessages(err);
  // "Workflow execution failed" / "Activity task failed" wrappers say nothing; take the first real message.
  return messages.find((m) => !/^(Workflow execution failed|Activity task failed)$/i.test(m)) ?? err.message;
}

export type FlowService = ReturnType<typeof createFlowService>;
