// `hybridflow worker`: the Temporal worker of the main task queue (workflows and oVirt activities).
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { OvirtClient } from '../../ovirt/client';
import { loadConfig } from '../../common/config';
import { engineEndpoint, serverKey } from '../../common/secrets';
import { SecretBox } from '../../common/secret-box';
import { openServerDb, serverDbLocation } from '../../db/database';
import { createExternalTaskStore } from '../../db/external-tasks';
import { createVendorTaskStore } from '../../db/vendor-tasks';
import { createVendorRegistry } from '../../server/vendors/registry';
import { sweepTerminatedFlows } from '../../worker/terminated-flows';
import { createMainWorker } from '../../worker/workers';
import { runComponent } from '../stack/component';
import { temporalAddress, temporalConnectionOptions } from '../stack/temporal-connection';
import { installRuntime } from '../stack/temporal-runtime';
import { createLogger } from '../../common/log';
import { startTracing } from '../../common/tracing';
import { serveWorkerMetrics } from '../../worker/metrics-server';
import { freePort } from '../stack/ports';

export const workerCommand = () =>
  runComponent('worker', async () => {
    const config = loadConfig();
    const log = createLogger('worker', { level: config.HF_LOG_LEVEL });
    // The SDK's own metrics (temporal_*) on a loopback port, appended to this worker's /metrics answer.
    const sdkMetricsPort = await freePort(); // for the SDK's exporter, which binds it itself
    installRuntime('WARN', { log, metricsBindAddress: `127.0.0.1:${sdkMetricsPort}` });
    const metrics = await serveWorkerMetrics({
      port: config.HF_METRICS_PORT,
      host: config.HF_HOST,
      token: config.HF_METRICS_TOKEN,
      sdkMetricsUrl: `http://127.0.0.1:${sdkMetricsPort}/metrics`,
      log,
    });
    const tracing = startTracing(config, 'worker');
    const temporalOptions = temporalConnectionOptions(config); // read the TLS files once for both connections
    const connection = await NativeConnection.connect(temporalOptions);
    const clientConnection = await Connection.connect(temporalOptions);
    const temporal = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
    const ovirt = new OvirtClient(engineEndpoint(config));
    // Webhook vendors' tasks and secrets live in the server database, shared with the API server.
    const db = await openServerDb(serverDbLocation(config));
    const registry = createVendorRegistry({
      db,
      box: new SecretBox(serverKey(config)),
      taskQueue: config.HF_TASK_QUEUE,
    });
    const externalTasks = createExternalTaskStore(db);
    const worker = await createMainWorker({
      connection,
      temporal,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.HF_TASK_QUEUE,
      ovirt,
      webhook: {
        tasks: createVendorTaskStore(db),
        secret: (id) => registry.webhookSecret(id).catch(() => undefined),
        seen: (id) => registry.touch(id),
      },
      externalTasks,
      // SIGTERM (a rolling restart): polling stops at once, running activities get this long to finish.
      shutdownGraceTime: config.HF_SHUTDOWN_GRACE,
      maxCachedWorkflows: config.HF_WORKER_CACHED_FLOWS,
      log,
      tracing,
    });
    const running = worker.run();
    const stopSweep = sweepTerminatedFlows({
      client: temporal,
      ovirt,
      taskQueue: config.HF_TASK_QUEUE,
      externalTasks,
      log: (m) => log.info(m),
    });
    return {
      urls: [
        `Worker:           polling task queue ${config.HF_TASK_QUEUE} on ${temporalAddress(config)}`,
        `Worker metrics:   http://127.0.0.1:${metrics.port}/metrics`,
      ],
      stop: async () => {
        stopSweep();
        worker.shutdown();
        await running;
        await connection.close();
        await clientConnection.close();
        await ovirt.close();
        await db.destroy();
        await metrics.close();
        await tracing?.shutdown();
      },
    };
  });
