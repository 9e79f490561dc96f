// `hybridflow server`: the API server and web UI.
import { Client, Connection } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time';
import { loadConfig } from '../../common/config';
import { apiToken, engineEndpoint, serverKey } from '../../common/secrets';
import { API_BASE } from '../../server/api/route';
import { createApp } from '../../server/app';
import { OvirtClient } from '../../ovirt/client';
import { createFlowService } from '../../server/flows/service';
import { createInventoryService } from '../../server/inventory/service';
import { openServerDb, serverDbLocation } from '../../db/database';
import { createIdempotencyStore } from '../../db/idempotency-keys';
import { createSessionStore } from '../../db/sessions';
import { createExternalTaskStore } from '../../db/external-tasks';
import { createExternalTaskService } from '../../server/external-tasks/service';
import { createVendorTaskStore } from '../../db/vendor-tasks';
import { DEMO_VENDOR, registerContractVendor } from '../../server/vendors/demo';
import { createVendorRegistry } from '../../server/vendors/registry';
import { SecretBox } from '../../common/secret-box';
import { createVendorService } from '../../server/vendors/service';
import { runComponent } from '../stack/component';
import { createLogger } from '../../common/log';
import { startTracing } from '../../common/tracing';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { close, listen } from '../stack/listen';
import { temporalConnectionOptions, temporalUiUrl } from '../stack/temporal-connection';

export const serverCommand = () =>
  runComponent('server', async () => {
    const config = loadConfig();
    const connection = await Connection.connect(temporalConnectionOptions(config));
    const log = createLogger('server', { level: config.HF_LOG_LEVEL });
    // With tracing on, each flow's start, signals and queries open spans the workflow's own spans continue.
    const tracing = startTracing(config, 'server');
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      ...(tracing
        ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] } }
        : {}),
    });
    const engine = engineEndpoint(config);
    const ovirt = new OvirtClient(engine);
    // Servers sharing a database serve one deployment: a token generated into one machine's data dir would differ.
    if (config.DATABASE_URL && !config.HF_API_TOKEN)
      throw new Error('HF_API_TOKEN: is required when DATABASE_URL is set');
    const token = apiToken(config);
    const db = await openServerDb(serverDbLocation(config));
    const flows = createFlowService({
      client,
      taskQueue: config.HF_TASK_QUEUE,
      ovirt,
      temporalUiUrl: temporalUiUrl(config),
      engineTasksUrl: engine.builtIn ? `http://127.0.0.1:${config.HF_ENGINE_PORT}/tasks` : undefined,
      // Every API server of a deployment shares the token, so a page token from one is good on the others.
      pageTokenKey: `page-tokens:${token}`,
      idempotency: createIdempotencyStore(db),
    });
    const inventory = createInventoryService({ ovirt });
    const registry = createVendorRegistry({
      db,
      box: new SecretBox(serverKey(config)),
      taskQueue: config.HF_TASK_QUEUE,
    });
    if (config.HF_DEMO_VENDOR ?? engine.builtIn) await registerContractVendor(registry, DEMO_VENDOR);
    const vendors = createVendorService({
      registry,
      tasks: createVendorTaskStore(db),
      client,
      defaults: {
        heartbeatTimeout: config.HF_VENDOR_HEARTBEAT_TIMEOUT,
        maximumAttempts: config.HF_VENDOR_MAX_ATTEMPTS,
      },
    });
    const externalTasks = createExternalTaskService({
      store: createExternalTaskStore(db),
      client,
      ovirt,
      taskQueue: config.HF_TASK_QUEUE,
      maxTimeoutSeconds: config.HF_EXTERNAL_TASK_MAX_TIMEOUT,
      engineTasksUrl: engine.builtIn ? `http://127.0.0.1:${config.HF_ENGINE_PORT}/tasks` : undefined,
    });
    const draining = new AbortController();
    const app = createApp({
      log,
      metricsToken: config.HF_METRICS_TOKEN,
      draining: draining.signal,
      allowedHosts: config.HF_ALLOWED_HOSTS,
      listenHost: config.HF_HOST,
      token,
      flows,
      inventory,
      vendors,
      externalTasks,
      sessions: createSessionStore(db),
      client,
      ovirt,
      taskQueue: config.HF_TASK_QUEUE,
    });
    const server = await listen(app, config.HF_API_PORT, config.HF_HOST, 'HF_API_PORT');
    return {
      urls: [
        `Web UI:           http://127.0.0.1:${config.HF_API_PORT}/ (log in with the API token)`,
        `API server:       http://127.0.0.1:${config.HF_API_PORT}${API_BASE} (docs: /api/docs; Authorization: Bearer <token>)`,
      ],
      stop: async () => {
        // Not ready from now on, event streams end (their clients reconnect elsewhere), no new connections; the
        // requests in flight get HF_SHUTDOWN_GRACE to finish.
        draining.abort();
        await close(server, msToNumber(config.HF_SHUTDOWN_GRACE));
        await connection.close();
        await ovirt.close();
        await db.destroy();
        await tracing?.shutdown();
      },
    };
  });
