// Vendors as the API shows them: the registry's records with their online state (does a worker poll the vendor's
// task queue?), and what a flow needs of a vendor: every activity of the storage contract, resolved to how it runs.
import type { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { storageActivityNames } from '../../common/storage-contract';
import type { ResolvedVendor, VendorTiming } from '../../common/vendor-contract';
import { HttpProblem } from '../problem';
import type { VendorTaskStore } from '../../db/vendor-tasks';
import type { VendorRegistry } from './registry';
import { compileSchema } from './contract-check';
import { createTaskService } from './tasks';
import type { Vendor } from './schemas';

/** A webhook vendor heard from this recently counts as online. */
const WEBHOOK_SEEN_MS = 5 * 60_000;

export interface VendorServiceOptions {
  registry: VendorRegistry;
  /** Webhook vendors' tasks (shared with the worker, which opens them). */
  tasks: VendorTaskStore;
  client: Client;
  /** What a registration leaves out: heartbeat timeout and attempts (HF_VENDOR_HEARTBEAT_TIMEOUT / _MAX_ATTEMPTS). */
  defaults?: VendorTiming;
}

export function createVendorService({ registry, tasks, client, defaults = {} }: VendorServiceOptions) {
  async function online(v: Omit<Vendor, 'online'>): Promise<Vendor> {
    if (v.mode !== 'temporal' || !v.taskQueue)
      return { ...v, online: v.lastSeenAt !== null && Date.now() - Date.parse(v.lastSeenAt) < WEBHOOK_SEEN_MS };
    const queue = await client.workflowService
      .describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: v.taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      })
      .catch(() => undefined);
    return { ...v, online: (queue?.pollers?.length ?? 0) > 0 };
  }

  const unusable = (id: string, message: string) =>
    new HttpProblem({
      status: 400,
      title: 'Invalid request',
      detail: `vendor ${id} ${message}`,
      errors: [{ field: 'body.vendor', message }],
    });

  return {
    registry,
    tasks: createTaskService({ tasks, registry, client }),
    list: async () => ({ items: await Promise.all((await registry.list()).map(online)) }),
    get: async (id: string) => online(await registry.get(id)),

    /**
     * The vendor a flow will use, resolved to everything the workflow needs to call it (so its history shows what
     * ran and a replay needs no lookup). 400 if it is unknown or lacks an activity of the storage contract.
     */
    async resolve(id: string): Promise<ResolvedVendor> {
      const v = await registry.find(id);
      if (!v) {
        const known = (await registry.list()).map((x) => x.id);
        throw unusable(id, `is not a registered vendor (registered: ${known.join(', ') || 'none'})`);
      }
      const missing = storageActivityNames.filter((n) => !v.activities.some((a) => a.name === n));
      if (missing.length)
        throw unusable(id, `has not registered the storage contract's ${missing.join(', ')} (see GET /vendors/{id})`);
      const where =
        v.mode === 'temporal' && v.taskQueue
          ? { mode: 'temporal' as const, taskQueue: v.taskQueue }
          : { mode: 'webhook' as const, webhookUrl: v.webhook?.url ?? '' };
      return {
        id: v.id,
        ...where,
        activities: Object.fromEntries(
          v.activities.map((a) => [
            a.name,
            {
              // The schemas admit only durations Temporal reads ("30s", "5m").
              startToCloseTimeout: (a.startToCloseTimeout ?? undefined) as Duration | undefined,
              heartbeatTimeout: (a.heartbeatTimeout ?? defaults.heartbeatTimeout) as Duration | undefined,
              retry: a.retry
                ? {
                    maximumAttempts: a.retry.maximumAttempts,
                    initialInterval: a.retry.initialInterval as Duration,
                    maximumInterval: a.retry.maximumInterval as Duration,
                  }
                : defaults.maximumAttempts
                  ? { maximumAttempts: defaults.maximumAttempts }
                  : undefined,
            },
          ]),
        ),
      };
    },

    /** 400 if the vendor registered an input schema that refuses what this flow will send it. */
    async checkInputs(id: string, inputs: Partial<Record<string, unknown[]>>): Promise<void> {
      for (const activity of await registry.activities(id)) {
        const valid = compileSchema(activity.inputSchema, 'registration.inputSchema');
        const refused = (inputs[activity.name] ?? []).find((input) => !valid(input));
        if (refused !== undefined) {
          const why = (valid.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
          throw unusable(id, `registered a ${activity.name} input schema that refuses this flow's input (${why})`);
        }
      }
    },
  };
}

export type VendorService = ReturnType<typeof createVendorService>;
