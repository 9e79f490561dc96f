// Starts and reads flows in Temporal. The API routes call this; it knows workflows only by their exported
// definitions (names, input types, the progress query).
import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { FlowKind, Vendor } from '../../common/search-attributes';
import { vendorTaskQueue } from '../../common/vendor-contract';
import type { ClonePreflightInput } from '../../workflows/clone-preflight';
import type { RapidCloneInput } from '../../workflows/rapid-clone';
import { progressQuery, type FlowProgress } from '../../workflows/definitions';
import { HttpProblem } from '../problem';
import type { ClonePreflightRequest, FlowStatus, RapidCloneRequest } from './schemas';

export interface FlowServiceOptions {
  client: Client;
  taskQueue: string;
  /** Base URL of the Temporal Web UI, when known. */
  temporalUiUrl?: string;
  /** The engine's Tasks page, when it has one (the built-in engine). */
  engineTasksUrl?: string;
}

const STATUS: Record<string, FlowStatus> = {
  RUNNING: 'running',
  CONTINUED_AS_NEW: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
};

const shortId = () => randomUUID().slice(0, 8);

export function createFlowService(opts: FlowServiceOptions) {
  const { client } = opts;
  const links = (id: string, engineJobId?: string) => ({
    self: `/api/v1/flows/${encodeURIComponent(id)}`,
    ...(opts.temporalUiUrl
      ? { temporalUi: `${opts.temporalUiUrl}/namespaces/${client.options.namespace}/workflows/${encodeURIComponent(id)}` }
      : {}),
    ...(opts.engineTasksUrl && engineJobId ? { engineTasks: `${opts.engineTasksUrl}#job-${engineJobId}` } : {}),
  });

  /** The step tree, asked of the workflow itself; undefined when no worker can answer right now. */
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

  /** Starts a flow, then waits briefly for its engine job so the answer can link it. */
  async function start<A>(kind: string, workflowType: string, sourceVm: string, vendor: string, input: A, summary: string) {
    const id = `${kind}-${sourceVm.replace(/[^0-9a-zA-Z_-]/g, '')}-${shortId()}`;
    await client.workflow.start(workflowType, {
      workflowId: id,
      taskQueue: opts.taskQueue,
      args: [input],
      staticSummary: summary,
      typedSearchAttributes: [
        { key: FlowKind, value: kind },
        { key: Vendor, value: vendor },
      ],
    });
    const engineJobId = await engineJobIdOf(id);
    return { id, kind, status: 'running' as FlowStatus, engineJobId: engineJobId ?? null, links: links(id, engineJobId) };
  }

  return {
    startClonePreflight(req: ClonePreflightRequest) {
      const input: ClonePreflightInput = { ...req, vendorTaskQueue: vendorTaskQueue(opts.taskQueue, req.vendor) };
      return start('clone-preflight', 'clonePreflight', req.sourceVm, req.vendor, input, `Clone preflight of ${req.sourceVm} with ${req.vendor}`);
    },

    startRapidClone(req: RapidCloneRequest) {
      const input: RapidCloneInput = { ...req, vendorTaskQueue: vendorTaskQueue(opts.taskQueue, req.vendor) };
      return start('rapid-clone', 'rapidClone', req.sourceVm, req.vendor, input, `Rapid clone of ${req.sourceVm} as ${req.cloneName} (${req.vendor})`);
    },

    async getFlow(id: string) {
      const handle = client.workflow.getHandle(id);
      let description;
      try {
        description = await handle.describe();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new HttpProblem({ status: 404, title: 'Flow not found', detail: `No flow with id ${id}` });
        throw err;
      }
      const status = STATUS[description.status.name] ?? 'running';
      const p = await progress(id);
      let result: unknown = null;
      let error: string | null = null;
      if (status === 'completed') result = await handle.result();
      if (status === 'failed') error = await handle.result().then(() => null, (e: Error) => rootMessage(e));
      return {
        id,
        kind: description.typedSearchAttributes.get(FlowKind) ?? description.type,
        status,
        startedAt: description.startTime.toISOString(),
        closedAt: description.closeTime?.toISOString() ?? null,
        engineJobId: p?.engineJobId ?? null,
        result,
        error,
        steps: p?.steps ?? [],
        links: links(id, p?.engineJobId),
      };
    },
  };
}

/** The innermost message of a failure chain, the one that says what went wrong. */
function rootMessage(err: Error): string {
  let e: Error | undefined = err;
  while (e?.cause instanceof Error) e = e.cause;
  return e?.message ?? err.message;
}

export type FlowService = ReturnType<typeof createFlowService>;
