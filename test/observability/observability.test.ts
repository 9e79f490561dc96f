// Observability against the real stack: a rapid clone is started through a real `hybridflow server` process and runs
// on a real `hybridflow worker` process (JSON logs on its stdout, /metrics on HF_METRICS_PORT), both behind
// HF_METRICS_TOKEN and tracing to an OTLP/HTTP receiver of this test; the engine, vendor and Temporal are the stack's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { close, listen } from '../../cli/stack/listen';
import { startTracing } from '../../common/tracing';
import { sample } from '../helpers/metrics';
import { freePort } from '../helpers/ports';
import { runCli, type Cli } from '../helpers/processes';
import { ENGINE_PASSWORD, eventually, startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** A tiny OTLP/HTTP receiver: keeps each POST /v1/traces body (JSON, as the exporter sends it). */
async function otlpReceiver() {
  const batches: string[] = [];
  const app = express();
  app.post('/v1/traces', express.text({ type: '*/*', limit: '20mb' }), (req, res) => {
    batches.push(String(req.body));
    res.json({});
  });
  const server = await listen(app, 0, '127.0.0.1', 'OTLP_PORT');
  return { batches, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => close(server) };
}

let stack: TestStack;
let worker: Cli;
let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
let server: Cli;
let serverUrl: string;
let serverDataDir: string;
let workerMetricsUrl: string;
let flowId: string;

/** Calls the API server process with the operator token. */
async function api(method: string, p: string, body?: unknown) {
  const res = await fetch(serverUrl + p, {
    method,
    headers: { Authorization: `Bearer ${TEST_TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}
const metrics = (url: string, token?: string) =>
  fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

beforeAll(async () => {
  stack = await startTestStack('observability', { mainWorker: false });
  receiver = await otlpReceiver();
  const metricsPort = await freePort();
  workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const env = {
    TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
    HF_TASK_QUEUE: stack.taskQueue,
    OVIRT_URL: stack.engine.apiUrl,
    OVIRT_PASSWORD: ENGINE_PASSWORD,
    HF_API_TOKEN: TEST_TOKEN,
    HF_METRICS_TOKEN: METRICS_TOKEN,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  };
  worker = runCli(['worker'], {
    ...env,
    HF_DATA_DIR: stack.dataDir,
    HF_METRICS_PORT: String(metricsPort),
    OTEL_SERVICE_NAME: 'hybridflow-worker-test',
  });
  const apiPort = await freePort();
  serverUrl = `http://127.0.0.1:${apiPort}`;
  serverDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-observability-server-'));
  server = runCli(['server'], {
    ...env,
    HF_DATA_DIR: serverDataDir,
    HF_API_PORT: String(apiPort),
    HF_DEMO_VENDOR: 'true', // served by the stack's vendor worker on this task queue
    OTEL_SERVICE_NAME: 'hybridflow-server-test',
  });
  await worker.waitFor(new RegExp(`Worker metrics:\\s+http://127.0.0.1:${metricsPort}/metrics`), 90_000);
  await server.waitFor(/API server:\s+http/, 90_000);
  const start = await api('POST', '/api/v1/flows/rapid-clone', { sourceVm: 'web-01', cloneName: 'web-01-obs' });
  expect(start.status).toBe(202);
  flowId = start.body.id;
  const flow = await eventually(
    async () => {
      const f = await api('GET', `/api/v1/flows/${flowId}`);
      return f.body.status === 'running' ? undefined : f.body;
    },
    90_000,
    'the flow to close',
  );
  expect(flow.status).toBe('completed');
}, 180_000);

afterAll(async () => {
  for (const child of [server, worker]) {
    if (child && child.process.exitCode === null) {
      child.process.kill('SIGTERM');
      await child.exited;
    }
  }
  if (serverDataDir) fs.rmSync(serverDataDir, { recursive: true, force: true });
  await receiver?.close();
  await stack?.stop();
});

test("the API server's /metrics: requests by route template and status, flows started by kind, engine calls by call", async () => {
  // Outside /api/v1: the metrics token, no API token or session.
  const res = await metrics(`${serverUrl}/metrics`, METRICS_TOKEN);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  const requests = 'hybridflow_http_request_duration_seconds_count';
  expect(sample(text, requests, { method: 'POST', route: '/api/v1/flows/rapid-clone', status: '202' })).toBe(1);
  expect(sample(text, requests, { method: 'GET', route: '/api/v1/flows/:id', status: '200' })).toBeGreaterThan(0);
  // Route templates only: no flow id in a label, whatever was requested.
  expect(text).not.toContain(flowId);
  expect(sample(text, 'hybridflow_flows_started_total', { kind: 'rapid-clone' })).toBe(1);
  // The API reads the engine too (the source VM, the clone name's check): a latency histogram by call.
  const calls = 'hybridflow_engine_call_duration_seconds_count';
  expect(sample(text, calls, { call: 'GET /vms', outcome: 'ok' })).toBeGreaterThan(0);
  expect(text).toMatch(
    /^hybridflow_engine_call_duration_seconds_bucket\{le="0.1",call="GET \/vms",outcome="ok"\} \d+$/m,
  );
  expect(text).toMatch(/^process_cpu_user_seconds_total /m);
});

test('/metrics with HF_METRICS_TOKEN set refuses a missing or wrong token (the API token too) with 401; unset, it is open', async () => {
  for (const url of [`${serverUrl}/metrics`, workerMetricsUrl]) {
    expect((await metrics(url)).status).toBe(401);
    expect((await metrics(url, `${METRICS_TOKEN}x`)).status).toBe(401);
    expect((await metrics(url, TEST_TOKEN)).status).toBe(401);
    expect((await metrics(url, METRICS_TOKEN)).status).toBe(200);
  }
  // The API token does not open it either as a session would: /metrics is not behind the login.
  expect((await api('GET', '/metrics')).status).toBe(401);
  // The in-process stack's API server has no metrics token: open to anyone who reaches it.
  expect((await metrics(`${stack.apiUrl}/metrics`)).status).toBe(200);
});

test("the worker's /metrics: the flow's end by kind and outcome, engine calls by call, the SDK's own", async () => {
  const read = async () =>
    (await fetch(workerMetricsUrl, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  // The flow's end is counted when the worker finishes the workflow task, just after Temporal closed it.
  const text = await eventually(
    async () => {
      const t = await read();
      return sample(t, 'hybridflow_flows_ended_total', { kind: 'rapid-clone', outcome: 'completed' }) ? t : undefined;
    },
    30_000,
    'the ended flow to be counted',
  );
  expect(sample(text, 'hybridflow_flows_ended_total', { kind: 'rapid-clone', outcome: 'completed' })).toBe(1);
  expect(sample(text, 'hybridflow_flows_ended_total', { kind: 'rapid-clone', outcome: 'failed' })).toBeUndefined();
  const calls = 'hybridflow_engine_call_duration_seconds_count';
  expect(sample(text, calls, { call: 'POST /vms/{id}/shutdown', outcome: 'ok' })).toBe(1);
  expect(sample(text, calls, { call: 'POST /jobs/{id}/steps', outcome: 'ok' })).toBeGreaterThan(0);
  // The Temporal SDK's metrics from the core runtime's exporter, in the same answer.
  expect(text).toMatch(/^temporal_\w+/m);
  expect(text).toMatch(/^temporal_workflow_completed\S* /m);
});

test("an activity's log line is JSON with the flow id, its engine job and no secret", () => {
  const output = worker.output();
  const lines = output.split('\n').filter((l) => l.startsWith('{'));
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const shutdown = entries.find((e) => e.msg === 'activity completed' && e.activity === 'shutdownVm');
  // The step's engine job comes from its mirror header (the activity begins and ends its own engine step).
  expect(shutdown).toMatchObject({ level: 'info', component: 'worker', flowId, attempt: 1 });
  expect(shutdown?.engineJobId).toEqual(expect.any(String));
  expect(typeof shutdown!.durationMs).toBe('number');
  expect(entries).toContainEqual(
    expect.objectContaining({ msg: 'flow ended', flowId, kind: 'rapid-clone', outcome: 'completed' }),
  );
  // Every line but the banner is JSON, and no secret is in any of them.
  const plain = output.split('\n').filter((l) => l && !l.startsWith('{'));
  expect(plain.every((l) => /^Worker( metrics)?:/.test(l))).toBe(true);
  for (const secret of [ENGINE_PASSWORD, TEST_TOKEN, METRICS_TOKEN]) expect(output).not.toContain(secret);
});

test("tracing: the server's start span and the worker's workflow and activity spans reach the OTLP endpoint, in one trace", async () => {
  type OtlpSpan = { traceId: string; name: string; attributes?: { key: string; value: { stringValue?: string } }[] };
  type Batch = {
    resourceSpans: {
      resource: { attributes: { key: string; value: { stringValue?: string } }[] };
      scopeSpans: { spans: OtlpSpan[] }[];
    }[];
  };
  const spansOf = () =>
    receiver.batches.flatMap((b) =>
      (JSON.parse(b) as Batch).resourceSpans.flatMap((r) => {
        const service = r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
        return r.scopeSpans.flatMap((s) => s.spans.map((span) => ({ ...span, service })));
      }),
    );
  const spans = await eventually(
    async () => {
      const all = spansOf();
      const names = new Set(all.map((s) => s.name));
      return ['StartWorkflow:rapidClone', 'RunWorkflow:rapidClone', 'RunActivity:shutdownVm'].every((n) => names.has(n))
        ? all
        : undefined;
    },
    30_000,
    'the spans to arrive',
  );
  const started = spans.find((s) => s.name === 'StartWorkflow:rapidClone')!;
  const run = spans.find((s) => s.name === 'RunWorkflow:rapidClone')!;
  const shutdown = spans.find((s) => s.name === 'RunActivity:shutdownVm')!;
  expect(started.service).toBe('hybridflow-server-test');
  expect(run.service).toBe('hybridflow-worker-test');
  expect(shutdown.service).toBe('hybridflow-worker-test');
  expect(run.traceId).toBe(started.traceId);
  expect(shutdown.traceId).toBe(started.traceId);
  expect(JSON.stringify(started.attributes)).toContain(flowId);
});

test('tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set', () => {
  expect(startTracing({ OTEL_SERVICE_NAME: 'x' }, 'worker')).toBeUndefined();
});
