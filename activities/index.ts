// All activities of the main task queue, built once per worker around one oVirt client and one Temporal client.
import type { Client } from '@temporalio/client';
import type { OvirtClient } from '../ovirt/client';
import { createDiskActivities } from './disks';
import { createEngineJobActivities } from './engine-job';
import { createExternalTaskActivities } from './external-task';
import type { ExternalTaskStore } from '../db/external-tasks';
import { createVendorProgressActivities } from './vendor-progress';
import { createVendorWebhookActivities, type WebhookDeps } from './vendor-webhook';
import { createVmActivities } from './vms';

export interface ActivityDeps {
  ovirt: OvirtClient;
  /** Used to read vendor activities' heartbeats (see vendor-progress.ts). */
  temporal: Client;
  /** How often waits poll the engine and the vendor's heartbeats. @default 1000 */
  pollIntervalMs?: number;
  /** Webhook vendors' task store and secrets. @default none: a webhook vendor's step fails */
  webhook?: WebhookDeps;
  /** Standalone external tasks' records (the server database). @default none: such a task cannot end */
  externalTasks?: ExternalTaskStore;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createEngineJobActivities(deps.ovirt),
    ...createVmActivities(deps),
    ...createDiskActivities(deps),
    ...createVendorProgressActivities({ client: deps.temporal, pollIntervalMs: deps.pollIntervalMs }),
    ...createVendorWebhookActivities(deps.webhook && { client: deps.temporal, ...deps.webhook }),
    ...createExternalTaskActivities(deps.externalTasks),
  };
}

export type Activities = ReturnType<typeof createActivities>;
