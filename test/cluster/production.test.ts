// Production on a real Temporal cluster (PostgreSQL, mTLS on its frontend: test/cluster/global-setup.ts): two API
// servers and two workers sharing one PostgreSQL database (DATABASE_URL), the demo vendor and the built-in engine,
// every one a real `hybridflow` process. Flows started through either server complete; vendor reports land on
// either server; a rolling restart of the workers loses no activity and runs none twice; an API server SIGKILLed
// mid-stream leaves its client resuming on the other, behind a load balancer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../common/config';
import { temporalConnectionOptions } from '../../cli/stack/temporal-connection';
import { OvirtClient } from '../../ovirt/client';
import { collection, Job } from '../../ovirt/representation';
import { eventually } from '../helpers/eventually';
import { contractRegistrations } from '../../common/storage-contract';
import { createStorageArray } from '../../vendor-demo/storage-array';
import { callApi, engineSteps } from '../helpers/external-tasks';
import { sample } from '../helpers/metrics';
import { freePort } from '../helpers/ports';
import { runCli, type Cli } from '../helpers/processes';
import { WebhookVendor } from '../helpers/webhook-vendor';
import { clusterEnv } from './cluster-info';
import { startLoadBalancer, type LoadBalancer } from './load-balancer';

const TOKEN = 'production-test-token-0123456789';
const ENGINE_PASSWORD = 'engine-password-0123456789';

let root: string;
let common: Record<string, string>;
let engineUrl: string;
const processes: Cli[] = [];
type Server = { url: string; cli: Cli };
let servers: [Server, Server];
let workers: [Cli, Cli];
let temporal: Client;
let connection: Connection;
let ovirt: OvirtClient;
let balancer: LoadBalancer;
let hook: WebhookVendor | undefined;

/** One `hybridflow <component>` with the deployment's variables and a data folder of its own. */
async function component(name: string, args: string[], env: Record<string, string> = {}): Promise<Cli> {
  const dataDir = fs.mkdtempSync(path.join(root, `${name}-`));
  const cli = runCli(args, { ...common, HF_DATA_DIR: dataDir, ...env });
  processes.push(cli);
  await cli.waitFor(/(Worker|API server|Vendor \(demo\)|Engine API):\s+\S/, 90_000);
  return cli;
}

/** A worker; it logs each activity it runs (info), which is how the tests see that none ran twice. */
const worker = (n: number) => component(`worker-${n}`, ['worker'], { HF_LOG_LEVEL: 'info' });
const workerLogs = () =>
  processes
    .filter((p) => p.process.spawnargs.includes('worker'))
    .map((p) => p.output())
    .join('\n');

async function apiServer(n: number) {
  const port = await freePort();
  const cli = await component(`server-${n}`, ['server'], { HF_API_PORT: String(port) });
  return { url: `http://127.0.0.1:${port}`, cli };
}

const api = (base: string, method: string, p: string, body?: unknown) => callApi(base, TOKEN, method, p, body);

/** Waits until the flow is no longer running, reading it through `base`. */
const closed = (base: string, id: string) =>
  eventually(
    async () => {
      const f = await api(base, 'GET', `/api/v1/flows/${id}`);
      return f.status === 200 && f.body.status !== 'running' ? f.body : undefined;
    },
    120_000,
    `flow ${id} to close`,
  );

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-production-'));
  const enginePort = await freePort();
  engineUrl = `http://127.0.0.1:${enginePort}/ovirt-engine/api`;
  common = {
    ...clusterEnv(),
    HF_TASK_QUEUE: `production-${Date.now()}`,
    HF_API_TOKEN: TOKEN,
    OVIRT_URL: engineUrl,
    OVIRT_PASSWORD: ENGINE_PASSWORD,
    HF_DEMO_VENDOR: 'true',
    HF_SHUTDOWN_GRACE: '30s',
    HF_LOG_LEVEL: 'warn',
  };
  // The VM shutdown takes 3 s on this engine: long enough for a worker to be stopped while it waits for one.
  await component('engine', ['engine'], { HF_ENGINE_PORT: String(enginePort), HF_ENGINE_TRANSITION_MS: '3000' });
  servers = [await apiServer(1), await apiServer(2)];
  workers = [await worker(1), await worker(2)];
  await component('vendor-demo', ['vendor-demo']);
  connection = await Connection.connect(temporalConnectionOptions(loadConfig(common)));
  temporal = new Client({ connection, namespace: common.TEMPORAL_NAMESPACE });
  ovirt = new OvirtClient({ url: engineUrl, password: ENGINE_PASSWORD });
  balancer = await startLoadBalancer(servers.map((s) => s.url));
}, 300_000);

afterAll(async () => {
  await hook?.stop();
  await balancer?.close();
  await Promise.all(
    processes.map(async (p) => {
      if (p.process.exitCode === null && p.process.signalCode === null) p.process.kill('SIGTERM');
      await p.exited;
    }),
  );
  await ovirt?.close();
  await connection?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
}, 120_000);

/**
 * Every activity of the flow completed, and none ran twice. A worker logs each run of an activity (`activity
 * completed`, with the flow and activity ids). A later attempt is allowed only where Temporal timed out an earlier
 * one that never ran: a task already on its way to a worker's poll as that worker stopped (Temporal 1.30 has no
 * server-assisted poll shutdown) comes again after its start-to-close timeout; what matters is that it ran once.
 */
async function ranOnce(id: string, workerLogs?: string) {
  const history = await temporal.workflow.getHandle(id).fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes);
  const closedIds = new Set(
    events.flatMap((e) => {
      const closed =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskCanceledEventAttributes ??
        e.activityTaskCancelRequestedEventAttributes; // the flow cancels its watchers and does not wait for them
      return closed ? [Number(closed.scheduledEventId)] : [];
    }),
  );
  expect(scheduled.length).toBeGreaterThan(0);
  // No activity lost: each one scheduled completed (or was cancelled by the flow, as its progress watchers are).
  expect(
    scheduled
      .filter((e) => !closedIds.has(Number(e.eventId)))
      .map((e) => e.activityTaskScheduledEventAttributes!.activityType?.name),
  ).toEqual([]);
  expect(events.filter((e) => e.activityTaskFailedEventAttributes)).toEqual([]);
  const retried = events.filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
  expect(retried.map((e) => e.activityTaskStartedEventAttributes!.lastFailure?.message)).toEqual(
    retried.map(() => 'activity StartToClose timeout'),
  );
  if (workerLogs === undefined) return;
  const runs = new Map<string, number>();
  for (const line of workerLogs.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; flowId?: string; activityId?: string };
    if (entry.flowId !== id || !entry.msg?.startsWith('activity ')) continue;
    runs.set(entry.activityId!, (runs.get(entry.activityId!) ?? 0) + 1);
  }
  expect(runs.size).toBeGreaterThan(0);
  expect([...runs].filter(([, n]) => n > 1)).toEqual([]);
}

test('flows started through either API server complete, and either server reads them', async () => {
  const [a, b] = servers;
  const viaA = await api(a.url, 'POST', '/api/v1/flows/rapid-clone', { sourceVm: 'web-01', cloneName: 'web-01-a' });
  const viaB = await api(b.url, 'POST', '/api/v1/flows/rapid-clone', { sourceVm: 'web-02', cloneName: 'web-02-b' });
  expect([viaA.status, viaB.status]).toEqual([202, 202]);
  // Each read through the server that did not start it.
  const [flowA, flowB] = await Promise.all([closed(b.url, viaA.body.id), closed(a.url, viaB.body.id)]);
  expect([flowA.status, flowB.status]).toEqual(['completed', 'completed']);
  // One Idempotency-Key, sent to each server: one flow.
  const body = { sourceVm: 'test-01', cloneName: 'test-01-idem' };
  const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'prod-1' };
  const answers = await Promise.all(
    [a, b].map(async (s) =>
      (
        await fetch(`${s.url}/api/v1/flows/rapid-clone`, { method: 'POST', headers, body: JSON.stringify(body) })
      ).json(),
    ),
  );
  expect(answers[0].id).toBe(answers[1].id);
  expect((await closed(a.url, answers[0].id)).status).toBe('completed');
});

test("a vendor's reports land on either API server: one task, its steps in order, mirrored into one engine job", async () => {
  const [a, b] = servers;
  const vendor = await api(a.url, 'POST', '/api/v1/vendors', {
    id: 'prod-vendor',
    name: 'Prod vendor',
    mode: 'temporal',
  });
  expect(vendor.status).toBe(201);
  const key = vendor.body.apiKey as string;
  const as = (s: { url: string }, method: string, p: string, body?: unknown) => callApi(s.url, key, method, p, body);
  const task = await as(b, 'POST', '/api/v1/vendor/jobs', { description: 'Replicate LUN 7', correlationId: 'prod-7' });
  expect(task.status).toBe(201);
  const id = task.body.id as string;
  const first = await as(a, 'POST', `/api/v1/vendor/jobs/${id}/steps`, { description: 'Copy volume 1' });
  const second = await as(b, 'POST', `/api/v1/vendor/jobs/${id}/steps`, { description: 'Copy volume 2' });
  expect([first.status, second.status]).toEqual([201, 201]);
  expect(
    (await as(a, 'POST', `/api/v1/vendor/jobs/${id}/steps/${second.body.id}/progress`, { progress: 40 })).status,
  ).toBe(200);
  expect(
    (await as(b, 'POST', `/api/v1/vendor/jobs/${id}/steps/${first.body.id}/end`, { succeeded: true })).status,
  ).toBe(200);
  expect(
    (await as(a, 'POST', `/api/v1/vendor/jobs/${id}/steps/${second.body.id}/end`, { succeeded: true })).status,
  ).toBe(200);
  // The same correlation id on the other server answers the same task.
  expect(
    (await as(a, 'POST', '/api/v1/vendor/jobs', { description: 'Replicate LUN 7', correlationId: 'prod-7' })).body.id,
  ).toBe(id);
  expect((await as(b, 'POST', `/api/v1/vendor/jobs/${id}/end`, { succeeded: true })).status).toBe(200);
  // A report after the end, through either server, is refused the same way.
  expect((await as(a, 'POST', `/api/v1/vendor/jobs/${id}/steps`, { description: 'late' })).status).toBe(410);

  const ended = await eventually(
    async () => {
      const t = await api(a.url, 'GET', `/api/v1/external-jobs/${id}`);
      return t.body.engineJobId && t.body.status === 'finished' ? t.body : undefined;
    },
    60_000,
    'the task to be mirrored and ended',
  );
  const job = await eventually(
    async () => {
      const j = await ovirt.get(`/jobs/${ended.engineJobId}`, Job);
      return j.status === 'finished' ? j : undefined;
    },
    60_000,
    'the engine job to finish',
  );
  expect(job.description).toBe('Replicate LUN 7');
  const steps = await engineSteps(ovirt, ended.engineJobId);
  expect(steps.map((s) => [s.description, s.status])).toEqual([
    ['Copy volume 1', 'finished'],
    ['Copy volume 2', 'finished'],
  ]);
});

test("a webhook vendor's reports land on either API server (through the balancer): the clone completes", async () => {
  const [a, b] = servers;
  const array = createStorageArray({
    engineUrl: new URL(engineUrl).origin,
    user: 'admin@internal',
    password: ENGINE_PASSWORD,
  });
  // Every call the vendor makes goes through the balancer: its reports alternate between the two servers.
  hook = new WebhookVendor({ apiUrl: balancer.url, array, cloneMs: 1500 });
  await hook.start();
  const created = await api(a.url, 'POST', '/api/v1/vendors', {
    id: 'prod-hook',
    name: 'Prod webhook vendor',
    mode: 'webhook',
    webhook: { url: hook.url },
  });
  expect(created.status).toBe(201);
  hook.key = created.body.apiKey;
  hook.secret = created.body.webhookSecret;
  for (const { name, ...registration } of contractRegistrations()) {
    const put = await callApi(b.url, hook.key, 'PUT', `/api/v1/vendor/activities/${name}`, registration);
    expect(put.status).toBe(201);
  }
  const started = await api(a.url, 'POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'build-01',
    cloneName: 'build-01-hook',
    vendor: 'prod-hook',
  });
  expect(started.status).toBe(202);
  const flow = await closed(b.url, started.body.id);
  expect(flow.status).toBe('completed');
  expect(hook.deliveries.length).toBeGreaterThanOrEqual(2); // clone disk, write metadata
  // Both servers took some of its reports, and accepted them.
  for (const s of servers) {
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(
      sample(metrics, 'hybridflow_vendor_reports_total', { vendor: 'prod-hook', outcome: 'accepted' }),
    ).toBeGreaterThan(0);
  }
  await ranOnce(started.body.id, workerLogs());
});

test('a rolling restart of the workers (SIGTERM one, wait, then the other) loses no activity and runs none twice', async () => {
  const [a] = servers;
  const ids: string[] = [];
  for (const [vm, clone] of [
    ['web-01', 'web-01-roll'],
    ['web-02', 'web-02-roll'],
    ['db-01', 'db-01-roll'],
  ]) {
    const started = await api(a.url, 'POST', '/api/v1/flows/rapid-clone', { sourceVm: vm, cloneName: clone });
    expect(started.status).toBe(202);
    ids.push(started.body.id);
  }
  // The VMs are shutting down (3 s each on this engine): activities are running on the workers.
  await eventually(
    async () => {
      const flows = await Promise.all(ids.map((id) => api(a.url, 'GET', `/api/v1/flows/${id}`)));
      return flows.every((f) => f.body.steps?.some((s: { status: string }) => s.status === 'running')) || undefined;
    },
    60_000,
    'every flow to have a running step',
  );
  for (const n of [0, 1] as const) {
    workers[n].process.kill('SIGTERM');
    expect(await workers[n].exited).toBe(0);
    workers[n] = await worker(n + 1);
  }
  const flows = await Promise.all(ids.map((id) => closed(a.url, id)));
  expect(flows.map((f) => f.status)).toEqual(['completed', 'completed', 'completed']);
  for (const id of ids) await ranOnce(id, workerLogs());
  // No engine job has a step twice: each mirrored step was made once.
  for (const id of ids) {
    const [job] = await ovirt.get('/jobs', collection('job', Job), { query: { search: `correlation_id=${id}` } });
    const descriptions = (await engineSteps(ovirt, job!.id)).map((s) => `${s.parent_step?.id ?? ''}/${s.description}`);
    expect(new Set(descriptions).size).toBe(descriptions.length);
  }
}, 240_000);

test('an API server SIGKILLed mid-stream: its client resumes on the other server through the load balancer', async () => {
  const clone = runCli(['clone', '--vm', 'web-02', '--name', 'web-02-failover', '--wait'], {
    HF_API_URL: balancer.url,
    HF_API_TOKEN: TOKEN,
    HF_DATA_DIR: fs.mkdtempSync(path.join(root, 'cli-')),
  });
  processes.push(clone);
  const id = (await clone.waitFor(/Rapid clone started: (\S+)/))[1]!;
  // The CLI follows the flow over an event stream; kill the server holding it.
  const holder = await eventually(
    async () => [...balancer.streams.entries()].find(([p]) => p.includes(`/flows/${id}/events`))?.[1],
    30_000,
    'the event stream to open',
  );
  servers[holder]!.cli.process.kill('SIGKILL');
  await servers[holder]!.cli.exited;
  expect(await clone.exited).toBe(0);
  expect(clone.output()).toMatch(/^✓ Clone web-02-failover is ready \(VM id \S+\), in /m);
  const other = servers[1 - holder]!;
  expect((await api(other.url, 'GET', `/api/v1/flows/${id}`)).body.status).toBe('completed');
  await ranOnce(id, workerLogs());
}, 180_000);
