// Webhook vendors' activities: the flow's vendor step runs here, on the main task queue. Each attempt opens a task
// (a retry is a new task with a new id; the earlier one answers 410), POSTs it to the vendor's URL signed with the
// vendor's secret, retrying an unreachable webhook or an error answer with backoff, then completes asynchronously:
// the vendor reports through the vendor API, which completes the activity by workflow id + activity id (a task
// token would die with its attempt).
import { ApplicationFailure, CompleteAsyncError, Context } from '@temporalio/activity';
import { causeMessages } from '../common/errors';
import { webhookDeliveries } from '../common/metrics';
import type { Client } from '@temporalio/client';
import { vendorStepQuery } from '../common/flow-definitions';
import { pollUntil } from '../common/poll';
import { webhookSignature } from '../common/webhook-signature';
import type { VendorTaskStore } from '../db/vendor-tasks';

export interface WebhookDeps {
  tasks: VendorTaskStore;
  /** Asks the flow which engine step mirrors the task (sent with the task). @default not asked */
  client?: Client;
  /** The vendor's signing secret (sealed in the database). */
  secret: (vendorId: string) => Promise<string | undefined>;
  /** Records that the vendor took a delivery (its online state). @default not recorded */
  seen?: (vendorId: string) => Promise<void>;
  /** First pause between deliveries, doubled up to 30 s. @default 1000 */
  retryMs?: number;
}

export interface VendorTaskRequest {
  vendorId: string;
  webhookUrl: string;
  activity: string;
  input: unknown;
}

/** The task's engine job and step: the flow opens the step as it schedules the task, so it is waited for briefly. */
async function engineStepOf(client: Client | undefined, workflowId: string, activityId: string) {
  const none = { jobId: null, stepId: null };
  if (!client) return none;
  const handle = client.workflow.getHandle(workflowId);
  const ctx = Context.current();
  return pollUntil(
    async () => {
      const step = await client
        .withDeadline(Date.now() + 2000, () => handle.query(vendorStepQuery, activityId))
        .catch(() => null);
      if (!step) return none; // not a mirrored vendor step (or the flow does not answer): nothing to wait for
      return step.engineStepId ? { jobId: step.engineJobId, stepId: step.engineStepId } : undefined;
    },
    { what: 'the engine step', timeoutMs: 5000, intervalMs: 200, onWait: () => ctx.heartbeat() },
  ).catch(() => none); // without the engine (down, or not mirrored yet), the task goes out all the same
}

export function createVendorWebhookActivities(deps?: WebhookDeps) {
  return {
    async deliverVendorTask(req: VendorTaskRequest): Promise<unknown> {
      if (!deps)
        throw ApplicationFailure.nonRetryable('This worker runs without the vendor task store', 'VendorNotFound');
      const ctx = Context.current();
      const { info } = ctx;
      const workflowId = info.workflowExecution?.workflowId ?? info.activityId;
      const secret = await deps.secret(req.vendorId);
      if (!secret)
        throw ApplicationFailure.nonRetryable(`Vendor ${req.vendorId} is not a webhook vendor`, 'VendorNotFound');
      const deadline = new Date(Date.now() + (info.startToCloseTimeoutMs || 3_600_000)).toISOString();
      const taskId = await deps.tasks.open({
        vendorId: req.vendorId,
        activity: req.activity,
        workflowId,
        activityId: info.activityId,
        attempt: info.attempt,
        input: req.input,
        deadline,
      });
      const engine = await engineStepOf(deps.client, workflowId, info.activityId);
      const body = JSON.stringify({
        taskId,
        activity: req.activity,
        input: req.input,
        attempt: info.attempt,
        deadline,
        flowId: workflowId,
        engine,
      });
      try {
        for (let wait = deps.retryMs ?? 1000; ; wait = Math.min(wait * 2, 30_000)) {
          const timestamp = Math.floor(Date.now() / 1000);
          let failure: string;
          try {
            const res = await fetch(req.webhookUrl, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'x-hybridflow-timestamp': String(timestamp),
                'x-hybridflow-signature': webhookSignature(secret, timestamp, body),
              },
              body,
              redirect: 'error', // a redirect could send the signed task elsewhere
              signal: AbortSignal.timeout(10_000),
            });
            await res.body?.cancel();
            webhookDeliveries.inc({ vendor: req.vendorId, outcome: res.ok ? 'delivered' : 'refused' });
            if (res.ok) break;
            failure = `the webhook answered ${res.status}`;
          } catch (err) {
            webhookDeliveries.inc({ vendor: req.vendorId, outcome: 'unreachable' });
            failure = `the webhook is unreachable (${causeMessages(err).at(-1) ?? 'network error'})`;
          }
          ctx.heartbeat({ message: `Delivery of task ${taskId} failed: ${failure}; trying again in ${wait / 1000} s` });
          await ctx.sleep(wait); // throws once the flow cancelled the step
        }
      } catch (err) {
        await deps.tasks.close(taskId, 'cancelled', 'the flow cancelled it before the vendor took it');
        throw err;
      }
      await deps.tasks.close(taskId, 'open', null, undefined, ['delivering']);
      await deps.seen?.(req.vendorId).catch(() => undefined);
      throw new CompleteAsyncError();
    },
  };
}
