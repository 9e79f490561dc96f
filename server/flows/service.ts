// Starts, lists, reads and cancels flows in Temporal. The routes call this; it knows workflows only by their
// exported definitions (names, input types, the progress query) and their search attributes.
import { createHash, randomUUID } from 'node:crypto';
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { EngineJobId, FlowKind, OvirtVmId, Vendor } from '../../common/search-attributes';
import { vendorTaskQueue, type VendorTiming } from '../../common/vendor-contract';
import type { ClonePreflightInput } from '../../workflows/clone-preflight';
import { progressQuery, type FlowProgress, type FlowStep } from '../../workflows/definitions';
import type { RapidCloneInput } from '../../workflows/rapid-clone';
import { HttpProblem } from '../problem';
import type { ClonePreflightRequest, FlowStatus, RapidCloneRequest } from './schemas';

export interface FlowServiceOptions {
  client: Client;
  taskQueue: string;
  /** Base URL of the Temporal Web UI, when known. */
  temporalUiUrl?: string;
  /** The engine's Tasks page, when it has one (the built-in engine). */
  engineTasksUrl?: string;
  /** Heartbeat timeout and attempts of vendor activities in the flows started here. @default the workflow's */
  vendorTiming?: VendorTiming;
}

const STATUS: Record<string, FlowStatus> = {
  RUNNING: 'running',
  CONTINUED_AS_NEW: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELED: 'cancelled',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
};
const VISIBILITY_STATUS: Record<FlowStatus, string> = {
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  timed_out: 'TimedOut',
};

const notFound = (id: string) => new HttpProblem({ status: 404, title: 'Flow not found', detail: `No flow with id ${id}` });

/** The short id of a flow: random, or derived from the Idempotency-Key so that the same key finds the same flow. */
const shortId = (idempotencyKey?: string) =>
  idempotencyKey ? createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 8) : randomUUID().slice(0, 8);

const decode = (payload: temporal.api.common.v1.IPayload | null | undefined) =>
  payload ? defaultPayloadConverter.fromPayload<unknown>(payload) : undefined;

export function createFlowService(opts: FlowServiceOptions) {
  const { client } = opts;
  const namespace = client.options.namespace;
  const links = (id: string, engineJobId?: string | null) => ({
    self: `/api/v1/flows/${encodeURIComponent(id)}`,
    ...(opts.temporalUiUrl ? { temporalUi: `${opts.temporalUiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(id)}` } : {}),
    ...(opts.engineTasksUrl && engineJobId ? { engineTasks: `${opts.engineTasksUrl}#job-${engineJobId}` } : {}),
  });

  /** The step tree, asked of the running workflow itself; undefined when no worker can answer right now. */
  async function progress(id: string): Promise<FlowProgress | undefined> {
    try {
      return await client.workflow.getHandle(id).query(progressQuery);
    } catch {
      return undefined;
    }
  }

  /** The engine job id appears once the workflow opened its job; wait a little for it. */
  async function engineJobIdOf(id: string): Promise<string | undefined> {
    for (let i = 0; i < 20; i++) {
      const p = await progress(id);
      if (p?.engineJobId) return p.engineJobId;
      await new Promise((r) => setTimeout(r, 250));
    }
    return undefined;
  }

  const flowId = (kind: string, vm: string, key?: string) => `${kind}-${vm.replace(/[^0-9a-zA-Z_-]/g, '')}-${shortId(key)}`;

  /** Starts a flow (or, for a repeated Idempotency-Key, finds the one it started), then links its engine job. */
  async function start<A>(kind: string, workflowType: string, request: object, vm: string, vendor: string, input: A, summary: string, key?: string) {
    const id = flowId(kind, vm, key);
    try {
      await client.workflow.start(workflowType, {
        workflowId: id,
        taskQueue: opts.taskQueue,
        args: [input],
        staticSummary: summary,
        // The summary is listed with each flow (visibility does not return the static summary); the request is
        // shown with the flow without reading its history.
        memo: { summary, request },
        // An id is never used twice, so a repeated key can never start a second clone, even after the first ended.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: FlowKind, value: kind },
          { key: Vendor, value: vendor },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError && key)) throw err;
      const existing = await getFlow(id);
      return { id, kind, status: existing.status, engineJobId: existing.engineJobId, links: existing.links };
    }
    const engineJobId = await engineJobIdOf(id);
    return { id, kind, status: 'running' as FlowStatus, engineJobId: engineJobId ?? null, links: links(id, engineJobId) };
  }

  async function getFlow(id: string) {
    const handle = client.workflow.getHandle(id);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(id);
      throw err;
    }
    const status = STATUS[description.status.name] ?? 'running';
    // A running flow answers its progress query; a closed one left its final step tree in its memo.
    const memo = description.memo as { steps?: FlowStep[]; engineJobId?: string | null; request?: unknown } | undefined;
    const live = status === 'running' || !memo?.steps ? await progress(id) : undefined;
    const steps = live?.steps ?? memo?.steps ?? [];
    const engineJobId = live?.engineJobId ?? memo?.engineJobId ?? description.typedSearchAttributes.get(EngineJobId) ?? null;
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
      kind: description.typedSearchAttributes.get(FlowKind) ?? description.type,
      status,
      startedAt: description.startTime.toISOString(),
      closedAt: description.closeTime?.toISOString() ?? null,
      input: memo?.request ?? null,
      result: result ?? null,
      error,
      engineJobId,
      steps,
      links: links(id, engineJobId),
    };
  }

  return {
    getFlow,

    startClonePreflight(req: ClonePreflightRequest) {
      const input: ClonePreflightInput = { ...req, vendorTaskQueue: vendorTaskQueue(opts.taskQueue, req.vendor) };
      return start('clone-preflight', 'clonePreflight', req, req.sourceVm, req.vendor, input, `Clone preflight of ${req.sourceVm} with ${req.vendor}`);
    },

    /** The flow an earlier request with this Idempotency-Key started, if any. */
    async findRapidClone(req: RapidCloneRequest, idempotencyKey: string) {
      const id = flowId('rapid-clone', req.sourceVm, idempotencyKey);
      try {
        const flow = await getFlow(id);
        return { id, kind: flow.kind, status: flow.status, engineJobId: flow.engineJobId, links: flow.links };
      } catch (err) {
        if (err instanceof HttpProblem && err.problem.status === 404) return undefined;
        throw err;
      }
    },

    startRapidClone(req: RapidCloneRequest, idempotencyKey?: string) {
      const input: RapidCloneInput = {
        ...req,
        vendorTaskQueue: vendorTaskQueue(opts.taskQueue, req.vendor),
        ...(opts.vendorTiming ? { vendorTiming: opts.vendorTiming } : {}),
      };
      const summary = `Rapid clone of ${req.sourceVm} as ${req.cloneName} (${req.vendor})`;
      return start('rapid-clone', 'rapidClone', req, req.sourceVm, req.vendor, input, summary, idempotencyKey);
    },

    /** Lists hybridflow's flows from Temporal visibility, newest first, filtered by the search attributes. */
    async listFlows(q: { status?: FlowStatus; kind?: string; vm?: string; pageSize: number; pageToken?: string }) {
      // This deployment's flows: those on its task queue (a namespace may hold other deployments', or other tests').
      const clauses = [`TaskQueue = '${opts.taskQueue}'`, 'FlowKind IS NOT NULL'];
      if (q.kind) clauses.push(`FlowKind = '${q.kind}'`);
      if (q.vm) clauses.push(`OvirtVmId = '${q.vm}'`);
      if (q.status) clauses.push(`ExecutionStatus = '${VISIBILITY_STATUS[q.status]}'`);
      let nextPageToken: Uint8Array | undefined;
      try {
        nextPageToken = q.pageToken ? Buffer.from(q.pageToken, 'base64url') : undefined;
      } catch {
        throw new HttpProblem({ status: 400, title: 'Invalid request', errors: [{ field: 'query.pageToken', message: 'is not a page token' }] });
      }
      const page = await client.workflowService
        .listWorkflowExecutions({ namespace, pageSize: q.pageSize, nextPageToken, query: clauses.join(' AND ') })
        .catch((err: Error) => {
          if (/page token|invalid/i.test(err.message)) {
            throw new HttpProblem({ status: 400, title: 'Invalid request', errors: [{ field: 'query.pageToken', message: 'is not a page token' }] });
          }
          throw err;
        });
      const attr = (e: temporal.api.workflow.v1.IWorkflowExecutionInfo, name: string) =>
        (decode(e.searchAttributes?.indexedFields?.[name]) as string | undefined) ?? null;
      const time = (t?: { seconds?: unknown; nanos?: number | null } | null) =>
        t?.seconds != null ? new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString() : null;
      const statusName = (s?: number | null) =>
        STATUS[
          ['UNSPECIFIED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED', 'TERMINATED', 'CONTINUED_AS_NEW', 'TIMED_OUT'][s ?? 0] ?? 'RUNNING'
        ] ?? 'running';
      return {
        items: (page.executions ?? []).map((e) => ({
          id: e.execution?.workflowId ?? '',
          kind: attr(e, FlowKind.name) ?? e.type?.name ?? '',
          status: statusName(e.status),
          startedAt: time(e.startTime) ?? '',
          closedAt: time(e.closeTime),
          sourceVmId: attr(e, OvirtVmId.name),
          vendor: attr(e, Vendor.name),
          engineJobId: attr(e, EngineJobId.name),
          summary: (decode(e.memo?.fields?.summary) as string | undefined) ?? null,
        })),
        nextPageToken: page.nextPageToken?.length ? Buffer.from(page.nextPageToken).toString('base64url') : null,
      };
    },

    async cancel(id: string) {
      const flow = await getFlow(id);
      if (flow.status !== 'running') {
        throw new HttpProblem({ status: 409, title: 'Flow already closed', detail: `Flow ${id} is ${flow.status}; there is nothing to cancel.` });
      }
      await client.workflow.getHandle(id).cancel();
      return { id, status: flow.status, cancelRequested: true };
    },
  };
}

/** What went wrong, in the words of the innermost failure (the workflow's own message says what was undone). */
function plainError(err: Error): string {
  const messages: string[] = [];
  for (let e: Error | undefined = err; e; e = e.cause instanceof Error ? e.cause : undefined) messages.push(e.message);
  // "Workflow execution failed" / "Activity task failed" wrappers say nothing; take the first real message.
  return messages.find((m) => !/^(Workflow execution failed|Activity task failed)$/i.test(m)) ?? err.message;
}

export type FlowService = ReturnType<typeof createFlowService>;
