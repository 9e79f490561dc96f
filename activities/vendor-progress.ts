// Vendors report progress as heartbeat details (common/vendor-contract.ts). A workflow cannot read heartbeats,
// so this activity watches the vendor activity's pending state and relays each change to the workflow as a
// signal; the workflow then mirrors it onto the engine. Works for vendors in any SDK language.
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { VendorProgress } from '../common/vendor-contract';
import { vendorProgressSignal } from '../workflows/definitions';

export function createVendorProgressActivities(deps: { client: Client; pollIntervalMs?: number }) {
  return {
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
