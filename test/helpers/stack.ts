// The whole hybridflow stack inside one test process: the real built-in engine (own SQLite in a temp dir),
// the real worker and demo vendor on task queues of this test alone, and the real API server on a free port,
// all against the run's shared Temporal dev server. Nothing is mocked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { vendorTaskQueue, type ResolvedVendor, type VendorActivities } from '../../common/vendor-contract';
import { createAcmeActivities } from '../../vendor-demo/activities';
import { OvirtClient } from '../../ovirt/client';
import { close, listen } from '../../cli/stack/listen';
import { startEngine, type EngineOptions, type RunningEngine } from '../../engine/start';
import { createApp } from '../../server/app';
import { createFlowService, type FlowServiceOptions } from '../../server/flows/service';
import { createFlowWatcher, type FlowWatcher } from '../../server/flows/watcher';
import { createInventoryService } from '../../server/inventory/service';
import { openServerDb } from '../../db/database';
import { createIdempotencyStore } from '../../db/idempotency-keys';
import { createSessionStore } from '../../db/sessions';
import { createExternalTaskStore, type ExternalTaskStore } from '../../db/external-tasks';
import { createExternalTaskService, type ExternalTaskServiceOptions } from '../../server/external-tasks/service';
import { createVendorTaskStore } from '../../db/vendor-tasks';
import { registerContractVendor } from '../../server/vendors/demo';
import { createVendorRegistry, type VendorRegistry } from '../../server/vendors/registry';
import { SecretBox } from '../../common/secret-box';
import { createVendorService } from '../../server/vendors/service';
import { createStorageArray } from '../../vendor-demo/storage-array';
import { createVendorWorker } from '../../vendor-demo/worker';
import { createMainWorker } from '../../worker/workers';
import { connectTemporal, temporalTestAddress, uniqueTaskQueue, workflowBundle } from './temporal';
import { ENGINE_PASSWORD } from './credentials';
import { eventually } from './eventually';

export { eventually };

export const TEST_TOKEN = 'test-token-0123456789abcdef';
export { ENGINE_PASSWORD };

export interface TestStack {
  apiUrl: string;
  /** The stack's data directory (engine, server database): a worker process of the stack takes it as HF_DATA_DIR. */
  dataDir: string;
  engine: RunningEngine;
  /** Stops the engine and starts it again on the same port and database, as an oVirt upgrade would. */
  restartEngine(): Promise<void>;
  /** An oVirt client of the engine, for assertions. */
  ovirt: OvirtClient;
  taskQueue: string;
  temporal: Awaited<ReturnType<typeof connectTemporal>>;
  /** The shared poller of the API's event streams (its stats show how many loops run). */
  watcher: FlowWatcher;
  /** Shuts the in-process main worker down (as if it crashed), waiting until it stopped. */
  stopMainWorker(): Promise<void>;
  /** Runs a new in-process main worker on the stack's task queue. */
  startMainWorker(): Promise<void>;
  /** The stack's vendor registry (its TEST_VENDORS registered, temporal mode, the whole storage contract). */
  vendors: VendorRegistry;
  /** A vendor as a flow gets it (what the API puts in a flow's input). */
  resolveVendor(id: string): Promise<ResolvedVendor>;
  /** The standalone external tasks' records (the server database the API and the worker share). */
  externalTaskStore: ExternalTaskStore;
  /** Calls the API with the operator token. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
}

export interface TestStackOptions {
  engine?: Partial<EngineOptions>;
  /** Run the main worker in this process. @default true (a test may run it as a separate process instead) */
  mainWorker?: boolean;
  /** How long the demo vendor's clone takes. @default 1500 */
  cloneMs?: number;
  /** Bounds of the API's flow reads. @default the service's */
  flowReads?: Pick<FlowServiceOptions, 'queryBoundMs' | 'engineBoundMs' | 'queryQuietMs'>;
  /** Host names the API server answers to besides loopback. @default none */
  allowedHosts?: string[];
  /** Options of the standalone external tasks' service. @default the service's */
  externalTasks?: Pick<ExternalTaskServiceOptions, 'historyEventsPerRun' | 'maxTimeoutSeconds'>;
}

/**
 * Vendors the test API server knows: the demo vendor, `broken-storage`, `lossy-storage` and `picky-storage` (served
 * by the stack),
 * `idle-storage` (never served: a flow waits at its vendor step until cancelled), and `python-storage` (served by
 * examples/python-vendor when its test runs it).
 */
export const TEST_VENDORS = [
  'acme-storage',
  'broken-storage',
  'lossy-storage',
  'picky-storage',
  'idle-storage',
  'python-storage',
];

export async function startTestStack(name: string, options: TestStackOptions = {}): Promise<TestStack> {
  const engineOptions = options.engine ?? {};
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `hf-${name}-`));
  let engine = await startEngine({
    port: 0,
    dataDir,
    adminPassword: ENGINE_PASSWORD,
    transitionMs: 100,
    ...engineOptions,
  });
  const ovirt = new OvirtClient({ url: engine.apiUrl, password: ENGINE_PASSWORD });
  const temporal = await connectTemporal();
  const taskQueue = uniqueTaskQueue(name);
  const workers: Worker[] = [];
  const db = await openServerDb({ dataDir });
  const registry = createVendorRegistry({
    db,
    box: new SecretBox(`test-server-key-${name}-0123456789abcdef`),
    taskQueue,
  });
  for (const id of TEST_VENDORS) await registerContractVendor(registry, { id, name: id });
  const tasks = createVendorTaskStore(db);
  const externalTaskStore = createExternalTaskStore(db);
  const newMainWorker = async () =>
    createMainWorker({
      connection: temporal.nativeConnection,
      temporal: temporal.client,
      namespace: 'default',
      taskQueue,
      ovirt,
      pollIntervalMs: 100,
      workflowBundle: await workflowBundle(),
      webhook: {
        tasks,
        secret: (id) => registry.webhookSecret(id).catch(() => undefined),
        seen: (id) => registry.touch(id),
        retryMs: 200,
      },
      externalTasks: externalTaskStore,
    });
  let main: { worker: Worker; running: Promise<void> } | undefined;
  // broken-storage: a vendor whose metadata step fails for good, as a real worker on its own task queue; flows
  // that use it fail after cloning, so everything they did must be undone.
  const array = createStorageArray({ engineUrl: engine.url, user: 'admin@internal', password: ENGINE_PASSWORD });
  const broken: VendorActivities = {
    ...createAcmeActivities({ array, cloneMs: 200 }),
    async updateDiskMetadata() {
      throw ApplicationFailure.nonRetryable('the array rejected the metadata (volume is read-only)', 'VendorRejected');
    },
  };
  workers.push(
    await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue: vendorTaskQueue(taskQueue, 'broken-storage'),
      activities: broken,
    }),
  );
  // lossy-storage: its clone places the image on the array, then fails for good (the array lost the session):
  // the flow must delete that image although the clone step never succeeded.
  const acme = createAcmeActivities({ array, cloneMs: 200 });
  const lossy: VendorActivities = {
    ...acme,
    async cloneDisk(input) {
      await acme.cloneDisk(input);
      throw ApplicationFailure.nonRetryable('the array lost the session after placing the image', 'VendorRejected');
    },
  };
  workers.push(
    await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue: vendorTaskQueue(taskQueue, 'lossy-storage'),
      activities: lossy,
    }),
  );
  // picky-storage: clones like acme-storage, but refuses for good any image whose name contains "-bad": one VM of a
  // bulk clone fails while the others are built.
  const picky: VendorActivities = {
    ...acme,
    async cloneDisk(input) {
      if (input.name.includes('-bad'))
        throw ApplicationFailure.nonRetryable(`the array refuses to clone into ${input.name}`, 'VendorRejected');
      return acme.cloneDisk(input);
    },
  };
  workers.push(
    await Worker.create({
      connection: temporal.nativeConnection,
      taskQueue: vendorTaskQueue(taskQueue, 'picky-storage'),
      activities: picky,
    }),
  );
  workers.push(
    await createVendorWorker({
      connection: temporal.nativeConnection,
      namespace: 'default',
      queuePrefix: taskQueue,
      array,
      cloneMs: options.cloneMs ?? 1500,
    }),
  );
  const running = workers.map((w) => w.run());
  const startMainWorker = async () => {
    if (main) return;
    const worker = await newMainWorker();
    main = { worker, running: worker.run() };
  };
  const stopMainWorker = async () => {
    if (!main) return;
    const { worker, running: done } = main;
    main = undefined;
    worker.shutdown();
    await done;
  };
  if (options.mainWorker !== false) await startMainWorker();
  const flows = createFlowService({
    client: temporal.client,
    taskQueue,
    ovirt,
    engineTasksUrl: `${engine.url}/tasks`,
    idempotency: createIdempotencyStore(db),
    ...options.flowReads,
  });
  const watcher = createFlowWatcher(flows);
  const inventory = createInventoryService({ ovirt });
  const vendors = createVendorService({ registry, tasks, client: temporal.client });
  const externalTasks = createExternalTaskService({
    store: externalTaskStore,
    client: temporal.client,
    ovirt,
    taskQueue,
    engineTasksUrl: `${engine.url}/tasks`,
    ...options.externalTasks,
  });
  const app = createApp({
    token: TEST_TOKEN,
    flows,
    inventory,
    vendors,
    externalTasks,
    sessions: createSessionStore(db),
    client: temporal.client,
    ovirt,
    taskQueue,
    watcher,
    allowedHosts: options.allowedHosts,
  });
  const server = await listen(app, 0, '127.0.0.1', 'HF_API_PORT');
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const stack: TestStack = {
    apiUrl,
    dataDir,
    externalTaskStore,
    engine,
    async restartEngine() {
      const port = Number(new URL(engine.url).port);
      await engine.close();
      engine = await startEngine({
        dataDir,
        adminPassword: ENGINE_PASSWORD,
        transitionMs: 100,
        ...engineOptions,
        port,
      });
      stack.engine = engine;
    },
    ovirt,
    taskQueue,
    temporal,
    watcher,
    vendors: registry,
    resolveVendor: (id) => vendors.resolve(id),
    stopMainWorker,
    startMainWorker,
    async api(method, p, body) {
      const res = await fetch(apiUrl + p, {
        method,
        headers: {
          Authorization: `Bearer ${TEST_TOKEN}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      await close(server);
      await stopMainWorker();
      workers.forEach((w) => w.shutdown());
      await Promise.all(running);
      await temporal.close();
      await ovirt.close();
      await engine.close();
      await db.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** A flow's document once it has closed (read through the stack's API). */
/**
 * The environment of a `hybridflow worker` process for the stack: its Temporal, task queue, engine and server
 * database (never the repository's .data).
 */
export const workerEnv = (stack: Pick<TestStack, 'taskQueue' | 'engine' | 'dataDir'>) => ({
  TEMPORAL_ADDRESS: temporalTestAddress(),
  HF_TASK_QUEUE: stack.taskQueue,
  OVIRT_URL: stack.engine.apiUrl,
  OVIRT_PASSWORD: ENGINE_PASSWORD,
  HF_DATA_DIR: stack.dataDir,
});

export const flowClosed = (stack: Pick<TestStack, 'api'>, id: string, timeoutMs = 60_000) =>
  eventually(
    async () => {
      const flow = await stack.api('GET', `/api/v1/flows/${id}`);
      return flow.body.status === 'running' ? undefined : flow.body;
    },
    timeoutMs,
    `flow ${id} to close`,
  );

/** Resolves once a top-level step of the flow that `matches` is running. */
export const stepRunning = (
  stack: Pick<TestStack, 'api'>,
  id: string,
  matches: (step: { description: string; kind: string }) => boolean,
  what: string,
) =>
  eventually(
    async () => {
      const flow = await stack.api('GET', `/api/v1/flows/${id}`);
      return (flow.body.steps as { description: string; kind: string; status: string }[]).some(
        (s) => s.status === 'running' && matches(s),
      )
        ? true
        : undefined;
    },
    30_000,
    `${what} to run`,
  );
