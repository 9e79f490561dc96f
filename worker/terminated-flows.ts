// A flow terminated in Temporal (an operator's `temporal workflow terminate`, or a run that timed out) runs no more
// code, so it cannot end its engine job: the job would stay STARTED forever, which oVirt never cleans up. The worker
// therefore sweeps, now and then, the flows of its task queue that closed that way and ends each job still STARTED:
// a FAILED step saying so, then the job FAILED; a standalone external task's record is ended too, so its vendor
// gets 410 from then on. Idempotent, so any number of workers may sweep.
import type { Client } from '@temporalio/client';
import { correlationIdFor } from '../common/correlation';
import type { OvirtClient } from '../ovirt/client';
import { collection, Job, Step } from '../ovirt/representation';
import { EngineJobId } from '../common/search-attributes';
import { knownEngineJobIds, type FlowMemo } from '../common/flow-definitions';
import { externalTaskWorkflowId } from '../common/external-task-definitions';
import type { ExternalTaskStore } from '../db/external-tasks';

const REASONS: Record<string, string> = { TERMINATED: 'terminated in Temporal', TIMED_OUT: 'timed out in Temporal' };

export interface SweepOptions {
  client: Client;
  ovirt: OvirtClient;
  taskQueue: string;
  /** Flows closed within this many ms are looked at. @default 86400000 (a day) */
  withinMs?: number;
  /** Standalone external tasks' records, ended with their terminated workflows. @default none */
  externalTasks?: ExternalTaskStore;
}

/** Ends the STARTED engine jobs of the task queue's terminated or timed-out flows; answers the job ids it ended. */
export async function endJobsOfTerminatedFlows(opts: SweepOptions): Promise<string[]> {
  const since = new Date(Date.now() - (opts.withinMs ?? 86_400_000)).toISOString();
  const query =
    `TaskQueue = '${opts.taskQueue}' AND FlowKind IS NOT NULL AND ` +
    `ExecutionStatus IN ('Terminated', 'TimedOut') AND CloseTime > '${since}'`;
  const ended: string[] = [];
  for await (const flow of opts.client.workflow.list({ query })) {
    const reason = REASONS[flow.status.name] ?? 'closed in Temporal';
    const taskPrefix = externalTaskWorkflowId('');
    if (opts.externalTasks && flow.workflowId.startsWith(taskPrefix))
      await opts.externalTasks.end(
        flow.workflowId.slice(taskPrefix.length),
        'failed',
        `its workflow was ${reason}`,
        new Date().toISOString(),
      );
    const memo = (flow.memo ?? {}) as FlowMemo;
    const jobIds = knownEngineJobIds(memo, flow.typedSearchAttributes.get(EngineJobId));
    const correlationId = correlationIdFor(flow.workflowId);
    for (const jobId of jobIds) {
      const job = await opts.ovirt.get(`/jobs/${jobId}`, Job, { correlationId }).catch(() => undefined);
      if (job?.status !== 'started') continue;
      const description = `Failed: the flow was ${reason}; its steps were not undone`;
      const steps = await opts.ovirt.get(`/jobs/${jobId}/steps`, collection('step', Step), { correlationId });
      const step =
        steps.find((s) => s.description === description && !s.parent_step) ??
        (await opts.ovirt.post(`/jobs/${jobId}/steps`, { description, type: 'executing' }, Step, { correlationId }));
      await opts.ovirt.action(`/jobs/${jobId}/steps/${step.id}/end`, { succeeded: false }, { correlationId });
      await opts.ovirt.action(`/jobs/${jobId}/end`, { succeeded: false }, { correlationId });
      ended.push(jobId);
    }
  }
  return ended;
}

/** Sweeps every `intervalMs` (first after a short delay) until stopped; errors wait for the next round. */
export function sweepTerminatedFlows(
  opts: SweepOptions & { intervalMs?: number; log?: (m: string) => void },
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const round = async () => {
    try {
      const ended = await endJobsOfTerminatedFlows(opts);
      if (ended.length) opts.log?.(`Ended the engine jobs of terminated flows: ${ended.join(', ')}`);
    } catch {
      // Temporal or the engine unreachable: the next round tries again.
    }
    if (!stopped) timer = setTimeout(() => void round(), opts.intervalMs ?? 60_000).unref();
  };
  timer = setTimeout(() => void round(), 5_000).unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
