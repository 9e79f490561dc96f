// Builds the worker of the main task queue: every workflow, and the activities that call oVirt.
import { type NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { createActivities } from '../activities';
import type { WebhookDeps } from '../activities/vendor-webhook';
import type { ExternalTaskStore } from '../db/external-tasks';
import type { OvirtClient } from '../ovirt/client';
import { createLogger, type Logger } from '../common/log';
import type { Tracing } from '../common/tracing';
import { mainWorkerInterceptors } from './interceptors';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  ovirt: OvirtClient;
  /** A Temporal client (the activities read vendor heartbeats with it). */
  temporal: Client;
  /** How often activities poll the engine. @default 1000 */
  pollIntervalMs?: number;
  /** Webhook vendors' task store and secrets (the server database). @default none */
  webhook?: WebhookDeps;
  /** Standalone external tasks' records (the server database). @default none */
  externalTasks?: ExternalTaskStore;
  /** Flows kept in memory between their tasks (HF_WORKER_CACHED_FLOWS). @default the SDK's */
  maxCachedWorkflows?: number;
  /** On shutdown, how long running activities may go on before they are cancelled. @default the SDK's (0) */
  shutdownGraceTime?: Duration;
  /** A pre-built bundle (tests build one per suite); omitted = bundle `workflows/` at start. */
  workflowBundle?: WorkflowBundle;
  /** Where activity lines go (the command passes one at HF_LOG_LEVEL). @default a `worker` logger, errors only */
  log?: Logger;
  /** OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT). @default off */
  tracing?: Tracing;
}

export function createMainWorker(opts: WorkerOptions): Promise<Worker> {
  return Worker.create({
    ...mainWorkerInterceptors({
      log: opts.log ?? createLogger('worker', { level: 'error' }),
      tracing: opts.tracing,
      prebuiltBundle: Boolean(opts.workflowBundle),
      ovirt: opts.ovirt,
    }),
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.shutdownGraceTime ? { shutdownGraceTime: opts.shutdownGraceTime } : {}), // undefined is not "unset"
    ...(opts.maxCachedWorkflows ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({
      ovirt: opts.ovirt,
      temporal: opts.temporal,
      pollIntervalMs: opts.pollIntervalMs,
      webhook: opts.webhook,
      externalTasks: opts.externalTasks,
    }),
  });
}
