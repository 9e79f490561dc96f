// Liveness and readiness: /healthz answers while the process runs; /readyz only when Temporal and the engine answer.
// A main task queue without a worker is a warning, not unreadiness: flows still start (and wait for a worker).
import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { OvirtClient } from '../ovirt/client';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref()),
  ]);

/** A poller seen this recently counts as a running worker (Temporal lists pollers for minutes after they stop). */
const WORKER_SEEN_MS = 90_000;
const CHECK_MS = 3000;
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPES = { workflow: 1, activity: 2 } as const;

/** Whether a worker polls `taskQueue` for workflow and activity tasks. */
async function workerCheck(client: Client, taskQueue: string) {
  const seen = async (taskQueueType: number) => {
    const answer = await client.withDeadline(Date.now() + CHECK_MS, () =>
      client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
        taskQueueType,
      }),
    );
    const since = Date.now() - WORKER_SEEN_MS;
    return (answer.pollers ?? []).some(
      (p) => p.lastAccessTime?.seconds != null && Number(p.lastAccessTime.seconds) * 1000 >= since,
    );
  };
  const [workflow, activity] = await Promise.all([seen(TASK_QUEUE_TYPES.workflow), seen(TASK_QUEUE_TYPES.activity)]);
  if (workflow && activity) return { ok: true };
  const what = workflow ? 'for activities' : activity ? 'for workflows' : '';
  return {
    ok: false,
    warning: `No worker has polled task queue ${taskQueue}${what ? ` ${what}` : ''} in the last ${WORKER_SEEN_MS / 1000} s: flows start but do not progress until a worker runs`,
  };
}

export function healthRoutes(deps: {
  client: Client;
  ovirt: OvirtClient;
  taskQueue?: string;
  draining?: AbortSignal;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    // Shutting down: a load balancer sends nothing more here while the requests in flight finish.
    if (deps.draining?.aborted) return void res.status(503).json({ status: 'draining', checks: {} });
    const check = (p: Promise<unknown>) =>
      withTimeout(p, CHECK_MS).then(
        () => ({ ok: true }),
        (err: Error) => ({ ok: false, error: err.message }),
      );
    const [temporal, engine, workers] = await Promise.all([
      check(deps.client.workflowService.getSystemInfo({})),
      check(deps.ovirt.get('/', z.unknown())),
      deps.taskQueue
        ? withTimeout(workerCheck(deps.client, deps.taskQueue), CHECK_MS).catch((err: Error) => ({
            ok: false,
            warning: `Workers not known: ${err.message}`,
          }))
        : undefined,
    ]);
    const ready = temporal.ok && engine.ok;
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not ready', checks: { temporal, engine, ...(workers ? { workers } : {}) } });
  });
  return router;
}
