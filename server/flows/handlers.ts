// What the flow routes of the API (declared in ../api/routes.ts) do: checks against the inventory, then the flow
// service; the event stream is written by events.ts.
import { ANSWERED, type Handlers } from '../api/router';
import type { InventoryService } from '../inventory/service';
import { streamFlowEvents } from './events';
import type { VendorService } from '../vendors/service';
import type { FlowService } from './service';
import type { FlowWatcher } from './watcher';

export interface FlowHandlerDeps {
  flows: FlowService;
  watcher: FlowWatcher;
  /** Checks against the inventory before a flow starts: the source VM (resolved), the clone name. */
  inventory: Pick<InventoryService, 'resolveSource' | 'requireFreeName' | 'storageInputs'>;
  /** The vendor, resolved to its registration (400 if unknown or lacking the storage contract). */
  vendors: Pick<VendorService, 'resolve' | 'checkInputs'>;
  /** Aborted as the server shuts down: open event streams end, so their clients reconnect to another server. */
  draining?: AbortSignal;
}

type FlowRoute = 'startRapidClone' | 'startClonePreflight' | 'listFlows' | 'getFlow' | 'cancelFlow' | 'flowEvents';

export function flowHandlers({ flows, watcher, inventory, vendors, draining }: FlowHandlerDeps): Handlers<FlowRoute> {
  return {
    async startRapidClone({ body, headers }) {
      const key = headers['Idempotency-Key'];
      const vendor = await vendors.resolve(body.vendor);
      const source = await inventory.resolveSource(body);
      await vendors.checkInputs(vendor.id, await inventory.storageInputs(source, body.cloneName));
      // A repeated key finds its flow (or is a 422 with another request), even though the clone's name is taken by now.
      const existing = key ? await flows.findRapidClone(body, source, key) : undefined;
      if (existing) return existing;
      await inventory.requireFreeName(body.cloneName);
      return flows.startRapidClone(body, source, vendor, key);
    },
    async startClonePreflight({ body }) {
      const vendor = await vendors.resolve(body.vendor);
      const source = await inventory.resolveSource(body);
      await vendors.checkInputs(vendor.id, await inventory.storageInputs(source));
      return flows.startClonePreflight(body, source, vendor);
    },
    listFlows: ({ query }) => flows.listFlows(query),
    getFlow: ({ params }) => flows.getFlow(params.id),
    cancelFlow: ({ params }) => flows.cancel(params.id),
    async flowEvents({ params }, { req, res }): Promise<typeof ANSWERED> {
      await streamFlowEvents(flows, watcher, params.id, req, res, draining);
      return ANSWERED;
    },
  };
}
