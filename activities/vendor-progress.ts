// Vendors report progress as heartbeat details (common/vendor-contract.ts). A webhook vendor's reach the flow as
// signals from the vendor API; a temporal-mode vendor heartbeats straight to Temporal, and a workflow cannot read
// heartbeats, so the watcher here reads the vendor activity's pending state and relays each change to the flow as a
// signal; the workflow then mirrors it onto the engine. Works for vendors in any SDK language.
//
// The watcher completes asynchronously: its loop runs in the worker process without holding an activity slot, so a
// thousand flows waiting on vendors do not starve the work. It reads the vendor activity every second, less often (up
// to every 5 s) once nothing has changed for 10 s, and heartbeats itself every 10 s. If the worker dies the loop
// dies with it; the watcher's heartbeat timeout then has Temporal run it again on another worker.
import { CompleteAsyncError, Context } from '@temporalio/activity';
import { ActivityCancelledError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { VendorProgress } from '../common/vendor-contract';
import { vendorProgressSignal } from '../common/flow-definitions';

/** The longest pause between two reads while the vendor's progress does not change. */
const MAX_INTERVAL_MS = 5_000;
/** Reads slow down only after the vendor's progress has not changed for this long (a vendor at work moves). */
const QUIET_MS = 10_000;
/** How often the watcher heartbeats (its heartbeat timeout is 30 s), which is also how it learns it was cancelled. */
const HEARTBEAT_MS = 10_000;

export function createVendorProgressActivities(deps: { client: Client; pollIntervalMs?: number }) {
  const firstInterval = deps.pollIntervalMs ?? 1000;

  /** Relays the vendor activity's progress until it ends, the flow ends, or the flow cancels the watcher. */
  function relay(taskToken: Uint8Array, workflowId: string, runId: string, activityId: string): void {
    const handle = deps.client.workflow.getHandle(workflowId, runId);
    let last = '';
    let seen = false;
    let interval = firstInterval;
    let heartbeatAt = 0;
    let changedAt = Date.now();
    const tick = async (): Promise<boolean> => {
      if (Date.now() >= heartbeatAt) {
        try {
          await deps.client.activity.heartbeat(taskToken);
          heartbeatAt = Date.now() + HEARTBEAT_MS;
        } catch (err) {
          // Cancelled: the vendor activity has ended. Anything else (the watcher timed out and runs elsewhere, the
          // worker is closing): this loop stops.
          if (err instanceof ActivityCancelledError) await deps.client.activity.reportCancellation(taskToken);
          return false;
        }
      }
      const { raw, status } = await handle.describe();
      const pending = raw.pendingActivities?.find((a) => a.activityId === activityId);
      if (status.name !== 'RUNNING' || (seen && !pending)) {
        await deps.client.activity.complete(taskToken, undefined);
        return false;
      }
      seen ||= !!pending;
      const payload = pending?.heartbeatDetails?.payloads?.[0];
      const details = payload ? JSON.stringify(defaultPayloadConverter.fromPayload<VendorProgress>(payload)) : last;
      if (details !== last) {
        last = details;
        changedAt = Date.now();
        interval = firstInterval;
        await handle.signal(vendorProgressSignal, { activityId, ...(JSON.parse(details) as VendorProgress) });
      } else if (Date.now() - changedAt > QUIET_MS) {
        interval = Math.min(interval * 1.25, MAX_INTERVAL_MS);
      }
      return true;
    };
    const next = () => {
      setTimeout(() => {
        tick()
          .catch(() => true) // Temporal unreachable for a moment: try again next time
          .then((goOn) => goOn && next())
          .catch(() => undefined);
      }, interval).unref();
    };
    next();
  }

  return {
    /**
     * Whether a vendor worker ever took the flow's activity `activityId` (so it may have acted on the array): it is
     * running now, or its history records a start. A vendor that never took it has nothing to undo, and its undo
     * would wait for a worker that may never come.
     */
    async vendorTookTask({ activityId }: { activityId: string }): Promise<boolean> {
      const execution = Context.current().info.workflowExecution;
      if (!execution) return true;
      const handle = deps.client.workflow.getHandle(execution.workflowId, execution.runId);
      const { raw } = await handle.describe();
      const pending = raw.pendingActivities?.find((a) => a.activityId === activityId);
      if (pending) return (pending.attempt ?? 1) > 1 || pending.lastStartedTime != null;
      const scheduled = new Set<string>();
      for (const event of (await handle.fetchHistory()).events ?? []) {
        if (event.activityTaskScheduledEventAttributes?.activityId === activityId) scheduled.add(String(event.eventId));
        const started = event.activityTaskStartedEventAttributes;
        if (started && scheduled.has(String(started.scheduledEventId))) return true;
      }
      return false;
    },

    /** Runs until cancelled by the workflow (when the vendor activity has ended); completes asynchronously. */
    async watchVendorProgress({ activityId }: { activityId: string }): Promise<void> {
      const { info } = Context.current();
      const execution = info.workflowExecution;
      if (!execution) return;
      relay(info.taskToken, execution.workflowId, execution.runId, activityId);
      throw new CompleteAsyncError();
    },
  };
}
