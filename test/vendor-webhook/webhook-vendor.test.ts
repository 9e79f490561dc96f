// A webhook vendor (an HTTP server with nothing but fetch: no Temporal SDK) takes part in real rapid clones through
// signed deliveries and the vendor API: live progress and sub-steps, repeats and late reports answered, a webhook
// that is down then up, a silent vendor retried then given up (the clone undone), a cancel seen by the vendor.
import { contractRegistrations } from '../../common/storage-contract';
import { createStorageArray } from '../../vendor-demo/storage-array';
import { ENGINE_PASSWORD } from '../helpers/credentials';
import { eventually } from '../helpers/eventually';
import { sample } from '../helpers/metrics';
import { flowClosed, startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';
import { WebhookVendor } from '../helpers/webhook-vendor';

let stack: TestStack;
let vendor: WebhookVendor;

async function operator(method: string, path: string, body?: unknown) {
  const res = await fetch(stack.apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

/** Registers a webhook vendor at the test vendor's URL with the storage contract; returns its key and secret. */
async function registerHookVendor(id: string, url: string, timing: Record<string, unknown>) {
  const created = await operator('POST', '/api/v1/vendors', { id, name: id, mode: 'webhook', webhook: { url } });
  expect(created.status).toBe(201);
  const { apiKey, webhookSecret } = created.body as { apiKey: string; webhookSecret: string };
  for (const { name, ...registration } of contractRegistrations()) {
    const res = await fetch(`${stack.apiUrl}/api/v1/vendor/activities/${name}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...registration, ...timing }),
    });
    expect(res.status).toBe(201);
  }
  return { apiKey, webhookSecret };
}

beforeAll(async () => {
  stack = await startTestStack('webhook-vendor');
  const array = createStorageArray({ engineUrl: stack.engine.url, user: 'admin@internal', password: ENGINE_PASSWORD });
  vendor = new WebhookVendor({ apiUrl: stack.apiUrl, array, cloneMs: 1500 });
  await vendor.start();
  const { apiKey, webhookSecret } = await registerHookVendor('hook-storage', vendor.url, {
    heartbeatTimeout: '3s',
    retry: { maximumAttempts: 2, initialInterval: '1s', maximumInterval: '2s' },
  });
  vendor.key = apiKey;
  vendor.secret = webhookSecret;
});
afterAll(async () => {
  await vendor?.stop();
  await stack?.stop();
});

const clone = (cloneName: string) =>
  operator('POST', '/api/v1/flows/rapid-clone', { sourceVm: 'web-01', cloneName, vendor: 'hook-storage' });

test('a rapid clone through the webhook vendor: signed deliveries, live progress and sub-steps, the clone built', async () => {
  const started = await clone('hook-clone-1');
  expect(started.status).toBe(202);
  // Live: the vendor step shows progress and the vendor's running sub-step while the clone runs.
  await eventually(
    async () => {
      const flow = (await operator('GET', `/api/v1/flows/${started.body.id}`)).body;
      const step = (
        flow.steps as { kind: string; status: string; progress?: number; children: { status: string }[] }[]
      ).find((s) => s.kind === 'external' && s.status === 'running' && (s.progress ?? 0) > 0);
      return step && step.children.some((c) => c.status === 'running') ? true : undefined;
    },
    30_000,
    'the vendor step to show progress and a running sub-step',
  );
  const flow = await flowClosed(stack, started.body.id, 90_000);
  expect(flow.status).toBe('completed');
  const cloneStep = (flow.steps as { description: string; children: { description: string; status: string }[] }[]).find(
    (s) => /clone/i.test(s.description) && s.children.length > 0,
  );
  expect(cloneStep?.children.map((c) => [c.description, c.status])).toEqual([
    ['Snapshot the volume', 'finished'],
    ['Copy to a new volume', 'finished'],
  ]);
  const mine = vendor.deliveries.filter((d) => d.flowId === started.body.id);
  expect(mine.map((d) => d.activity)).toEqual(expect.arrayContaining(['cloneDisk', 'updateDiskMetadata']));
  expect(mine.every((d) => /^vt_[A-Za-z0-9_-]{32}$/.test(d.taskId) && d.attempt === 1)).toBe(true);
  // Each delivery names the engine job and step that mirror it.
  const cloneTask = mine.find((d) => d.activity === 'cloneDisk')!;
  const mirroring = (flow.steps as { children: unknown[]; engineStepId?: string; engineJobId?: string }[]).find(
    (s) => s.children.length > 0,
  )!;
  expect(cloneTask.engine).toEqual({ jobId: mirroring.engineJobId, stepId: mirroring.engineStepId });
  expect(cloneTask.engine.stepId).toEqual(expect.any(String));
  expect(vendor.badSignatures).toEqual([]);
  // The progress reached the flow as signals from the vendor API: no watcher asked Temporal for it.
  const events = (await stack.temporal.client.workflow.getHandle(started.body.id).fetchHistory()).events ?? [];
  const scheduled = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
  expect(scheduled).toContain('deliverVendorTask');
  expect(scheduled).not.toContain('watchVendorProgress');
  const signals = events.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'vendorProgress');
  expect(signals.length).toBeGreaterThan(0);

  // Repeats and late reports: the same completion again is a 200, another one a 409, a heartbeat a 410.
  const task = mine.find((d) => d.activity === 'updateDiskMetadata')!;
  expect((await vendor.call(`/api/v1/vendor/tasks/${task.taskId}/complete`, { output: null })).status).toBe(200);
  expect((await vendor.call(`/api/v1/vendor/tasks/${task.taskId}/complete`, { output: { other: 1 } })).status).toBe(
    409,
  );
  expect((await vendor.call(`/api/v1/vendor/tasks/${task.taskId}/fail`, { message: 'late' })).status).toBe(409);
  const late = await vendor.call(`/api/v1/vendor/tasks/${task.taskId}/heartbeat`, { progress: 50 });
  expect(late.status).toBe(410);
  expect(late.body.detail).toMatch(/completed/);
  const shown = await vendor.call(`/api/v1/vendor/tasks/${task.taskId}`);
  expect(shown.body).toMatchObject({ id: task.taskId, status: 'completed', activity: 'updateDiskMetadata' });
  expect(shown.body.outcome).toBeUndefined();
});

test("another vendor's key gets nowhere near the tasks: 404 on each, its own list empty", async () => {
  const other = await operator('POST', '/api/v1/vendors', { id: 'hook-other', name: 'Other', mode: 'temporal' });
  const key = other.body.apiKey as string;
  const [task] = vendor.deliveries;
  const bodies: Record<string, unknown> = {
    '': undefined,
    '/heartbeat': {},
    '/complete': { output: null },
    '/fail': { message: 'x' },
    '/steps': { key: 'x', description: 'x' },
  };
  for (const [what, body] of Object.entries(bodies)) {
    const { status } = await vendor.call(`/api/v1/vendor/tasks/${task!.taskId}${what}`, body, key);
    expect({ what, status }).toEqual({ what, status: 404 });
  }
  expect((await vendor.call('/api/v1/vendor/tasks', undefined, key)).body.items).toEqual([]);
  expect((await vendor.call('/api/v1/vendor/tasks', undefined)).body.items.length).toBeGreaterThan(0);
  // The operator token is not a vendor key.
  expect((await vendor.call(`/api/v1/vendor/tasks/${task!.taskId}`, undefined, TEST_TOKEN)).status).toBe(403);
});

test('an output that breaks the registered schema is a 422 and the task stays open', async () => {
  vendor.silentFor.add('checkCloneable');
  try {
    const started = await operator('POST', '/api/v1/flows/clone-preflight', {
      sourceVm: 'web-01',
      vendor: 'hook-storage',
    });
    const task = await eventually(async () => vendor.deliveries.find((d) => d.flowId === started.body.id), 30_000);
    const bad = await vendor.call(`/api/v1/vendor/tasks/${task.taskId}/complete`, { output: { vendor: 1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['body.output.vendor']),
    );
    expect((await vendor.call(`/api/v1/vendor/tasks/${task.taskId}`)).body.status).toBe('open');
    const good = { vendor: 'hook-storage', volumes: [] };
    expect((await vendor.call(`/api/v1/vendor/tasks/${task.taskId}/complete`, { output: good })).status).toBe(200);
    expect((await flowClosed(stack, started.body.id, 30_000)).status).toBe('completed');
  } finally {
    vendor.silentFor.delete('checkCloneable');
  }
});

test('a webhook that is down is tried again with backoff until it takes the task', async () => {
  vendor.failNext = 2;
  const started = await operator('POST', '/api/v1/flows/clone-preflight', {
    sourceVm: 'web-01',
    vendor: 'hook-storage',
  });
  const flow = await flowClosed(stack, started.body.id, 60_000);
  expect(flow.status).toBe('completed');
  expect(vendor.failNext).toBe(0);
  expect(vendor.deliveries.filter((d) => d.flowId === started.body.id)).toHaveLength(1);
});

test("the API's /metrics counts the vendor's reports by outcome, the worker's deliveries by outcome", async () => {
  const metrics = async () => (await fetch(`${stack.apiUrl}/metrics`)).text();
  const reports = (labels: Record<string, string>) =>
    metrics().then((t) => sample(t, 'hybridflow_vendor_reports_total', { vendor: 'hook-storage', ...labels }) ?? 0);
  const deliveries = (outcome: string) =>
    metrics().then((t) => sample(t, 'hybridflow_webhook_deliveries_total', { vendor: 'hook-storage', outcome }) ?? 0);
  const before = {
    completed: await reports({ report: 'complete', outcome: 'accepted' }),
    delivered: await deliveries('delivered'),
    refused: await deliveries('refused'),
  };
  vendor.failNext = 1;
  const started = await operator('POST', '/api/v1/flows/clone-preflight', {
    sourceVm: 'web-01',
    vendor: 'hook-storage',
  });
  expect((await flowClosed(stack, started.body.id, 60_000)).status).toBe('completed');
  expect(await reports({ report: 'complete', outcome: 'accepted' })).toBe(before.completed + 1);
  expect(await deliveries('delivered')).toBe(before.delivered + 1);
  expect(await deliveries('refused')).toBe(before.refused + 1);
  // A refused report is counted by why: a fail after the completion is a conflict (or the task is gone).
  const task = vendor.deliveries.find((d) => d.flowId === started.body.id)!;
  const late = await vendor.call(`/api/v1/vendor/tasks/${task.taskId}/fail`, { message: 'too late' });
  expect([409, 410]).toContain(late.status);
  expect(await reports({ report: 'fail', outcome: late.status === 409 ? 'conflict' : 'gone' })).toBeGreaterThan(0);
});

test('a silent vendor: its heartbeat timeout brings a new task (the old one 410 superseded), then the flow gives up and undoes', async () => {
  vendor.silentFor.add('cloneDisk');
  try {
    const started = await clone('hook-clone-silent');
    const flow = await flowClosed(stack, started.body.id, 90_000);
    expect(flow.status).toBe('failed');
    const tasks = vendor.deliveries.filter((d) => d.flowId === started.body.id && d.activity === 'cloneDisk');
    expect(tasks.map((t) => t.attempt)).toEqual([1, 2]);
    expect(new Set(tasks.map((t) => t.taskId)).size).toBe(2);
    const first = await vendor.call(`/api/v1/vendor/tasks/${tasks[0]!.taskId}/complete`, { output: {} });
    expect(first.status).toBe(410);
    expect(first.body.detail).toMatch(/superseded by attempt 2/);
    const second = await vendor.call(`/api/v1/vendor/tasks/${tasks[1]!.taskId}/heartbeat`, {});
    expect(second.status).toBe(410);
    // The undo ran: the image's deletion was delivered, and the source VM is up again.
    expect(vendor.deliveries.some((d) => d.flowId === started.body.id && d.activity === 'deleteImage')).toBe(true);
  } finally {
    vendor.silentFor.delete('cloneDisk');
  }
});

test('a cancelled flow reaches the vendor as cancelRequested; the undo waits until the vendor has stopped', async () => {
  const started = await clone('hook-clone-cancel');
  const task = await eventually(
    async () => vendor.deliveries.find((d) => d.flowId === started.body.id && d.activity === 'cloneDisk'),
    30_000,
  );
  expect((await operator('POST', `/api/v1/flows/${started.body.id}/cancel`)).status).toBe(202);
  await eventually(async () => vendor.cancelled.has(task.taskId) || undefined, 30_000, 'the vendor to see the cancel');
  expect((await flowClosed(stack, started.body.id, 60_000)).status).toBe('cancelled');
  expect((await vendor.call(`/api/v1/vendor/tasks/${task.taskId}`)).body.status).toBe('cancelled');
  // The vendor's report after the cancel is taken (200), and only then is the undo's deleteImage delivered.
  const report = vendor.cancelReports.get(task.taskId)!;
  expect(report.status).toBe(200);
  const undo = vendor.deliveries.findIndex((d) => d.flowId === started.body.id && d.activity === 'deleteImage');
  expect(undo).toBeGreaterThanOrEqual(report.deliveriesBefore);
});

test("removing a vendor fails its open tasks at once ('vendor ... removed'): the flow ends and undoes", async () => {
  const { apiKey, webhookSecret } = await registerHookVendor('hook-removed', vendor.url, { heartbeatTimeout: '60s' });
  const saved = { key: vendor.key, secret: vendor.secret };
  Object.assign(vendor, { key: apiKey, secret: webhookSecret });
  vendor.silentFor.add('cloneDisk');
  try {
    const me = await vendor.call('/api/v1/vendor/me');
    expect(me.body).toMatchObject({ id: 'hook-removed', mode: 'webhook', webhook: { url: vendor.url } });
    const started = await operator('POST', '/api/v1/flows/rapid-clone', {
      sourceVm: 'web-01',
      cloneName: 'hook-clone-removed',
      vendor: 'hook-removed',
    });
    await eventually(
      async () => vendor.deliveries.find((d) => d.flowId === started.body.id && d.activity === 'cloneDisk'),
      30_000,
    );
    expect((await operator('DELETE', '/api/v1/vendors/hook-removed')).status).toBe(204);
    const flow = await flowClosed(stack, started.body.id, 30_000);
    expect(flow.status).toBe('failed');
    expect(flow.error).toMatch(/vendor hook-removed removed/);
  } finally {
    vendor.silentFor.delete('cloneDisk');
    Object.assign(vendor, saved);
  }
});
