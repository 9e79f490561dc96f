// Vendors report progress as heartbeat details (common/vendor-contract.ts). A workflow cannot read heartbeats,
// so this activity watches the vendor activity's pending state and relays each change to the workflow as a
// signal; the workflow then mirrors it onto the engine. Works for vendors in any SDK language.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { VendorProgress } from '../common/vendor-contract';
import { vendorProgressSignal } from '../common/flow-definitions';

export function createVendorProgressActivities(deps: { client: Client; pollIntervalMs?: number }) {
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

    /** Runs until cancelled by the workflow (when the vendor activity has ended). */
    async watchVendorProgress({ activityId }: { activityId: string }): Promise<void> {
      const ctx = Context.current();
      const execution = ctx.info.workflowExecution;
      if (!execution) return;
      const handle = deps.client.workflow.getHandle(execution.workflowId, execution.runId);
      let last = '';
      let seen = false;
      for (;;) {
        ctx.heartbeat();
        const { raw, status } = await handle.describe();
        const pending = raw.pendingActivities?.find((a) => a.activityId === activityId);
        // The vendor activity has ended (or the flow has): nothing more to relay.
        if (status.name !== 'RUNNING' || (seen && !pending)) return;
        seen ||= !!pending;
        const payload = pending?.heartbeatDetails?.payloads?.[0];
        if (payload) {
          const details = defaultPayloadConverter.fromPayload<VendorProgress>(payload);
          const now = JSON.stringify(details);
          if (now !== last) {
            last = now;
            await handle.signal(vendorProgressSignal, { activityId, ...details });
          }
        }
        await ctx.sleep(deps.pollIntervalMs ?? 1000);
      }
    },
  };
}
