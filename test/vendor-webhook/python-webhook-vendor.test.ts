// The Python webhook vendor example (examples/webhook-vendor: the standard library only, no SDK) as a real process:
// registered through the API as an operator would, it registers its own activities with its key, refuses badly
// signed or stale deliveries, and serves real rapid clones (live progress, its sub-steps finished, the clone VM
// built); a cancel reaches it as cancelRequested, it deletes what it placed and the flow ends cancelled; SIGTERM
// mid-clone fails its task as retryable and, started again, it takes the retry (a new task id); SIGTERM stops it
// cleanly.
import { createHmac } from 'node:crypto';
import { collection, DiskAttachment, Vm } from '../../ovirt/representation';
import { runPython, type Watched } from '../helpers/processes';
import { ENGINE_PASSWORD } from '../helpers/credentials';
import { freePort } from '../helpers/ports';
import { eventually, flowClosed, startTestStack, type TestStack } from '../helpers/stack';

const VENDOR = 'py-hook-storage';

let stack: TestStack;
let vendor: Watched | undefined;
let webhookUrl = '';
let apiKey = '';
let secret = '';

beforeAll(async () => {
  stack = await startTestStack('python-webhook-vendor');
  const port = await freePort();
  webhookUrl = `http://127.0.0.1:${port}/tasks`;
  const created = await stack.api('POST', '/api/v1/vendors', {
    id: VENDOR,
    name: 'Python webhook vendor',
    mode: 'webhook',
    webhook: { url: webhookUrl },
  });
  expect(created.status).toBe(201);
  ({ apiKey, webhookSecret: secret } = created.body as { apiKey: string; webhookSecret: string });
  vendor = await startVendor(port);
}, 120_000);

/** Runs examples/webhook-vendor/vendor.py on `port` until it listens. */
async function startVendor(port: number, env: NodeJS.ProcessEnv = {}): Promise<Watched> {
  const started = runPython(['examples/webhook-vendor/vendor.py'], {
    HF_API_URL: stack.apiUrl,
    HF_VENDOR_KEY: apiKey,
    HF_WEBHOOK_SECRET: secret,
    HF_VENDOR_HOST: '127.0.0.1',
    HF_VENDOR_PORT: String(port),
    HF_VENDOR_ID: VENDOR,
    HF_ENGINE_URL: stack.engine.url,
    OVIRT_USER: 'admin@internal',
    OVIRT_PASSWORD: ENGINE_PASSWORD,
    HF_VENDOR_CLONE_MS: '5000',
    ...env,
  });
  await started.waitFor(new RegExp(`^Webhook vendor listening on ${webhookUrl.replace(/\./g, '\\.')}$`, 'm'));
  return started;
}

afterAll(async () => {
  const child = vendor?.process;
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const stopped = await Promise.race([vendor!.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!stopped) {
      child.kill('SIGKILL');
      await vendor!.exited;
    }
  }
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const vmNamed = async (name: string) =>
  (await stack.ovirt.get('/vms', collection('vm', Vm), { query: { search: `name=${name}` } }))[0];

const fetchEngine = (p: string) =>
  fetch(stack.engine.url + p, {
    headers: {
      Accept: 'application/json',
      Authorization: `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}`,
    },
  });
async function images(): Promise<{ id: string; name: string }[]> {
  const [sd] = (await (await fetchEngine('/ovirt-engine/api/storagedomains')).json()).storage_domain;
  return (await (await fetchEngine(`/builtin/storage-array/domains/${sd.id}/images`)).json()).images;
}

/** `eventually`, its timeout error showing what the Python vendor printed. */
const eventuallyWithOutput = <T>(check: () => Promise<T | undefined | false>, what: string) =>
  eventually(check, 30_000, what).catch((err: Error) => {
    throw new Error(`${err.message}; the Python vendor printed:\n${vendor?.output()}`);
  });

interface FlowStepDoc {
  description: string;
  kind: string;
  status: string;
  progress?: number;
  children: FlowStepDoc[];
}
const cloneStep = async (id: string): Promise<FlowStepDoc | undefined> =>
  (await stack.api('GET', `/api/v1/flows/${id}`)).body.steps.find(
    (s: FlowStepDoc) => s.kind === 'external' && /clone disk/.test(s.description),
  );

/** Starts a rapid clone through the Python vendor and waits until its clone shows progress; answers the start. */
async function cloning(sourceVm: string, cloneName: string) {
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', { sourceVm, cloneName, vendor: VENDOR });
  expect(start.status).toBe(202);
  await eventuallyWithOutput(async () => {
    const step = await cloneStep(start.body.id);
    return step && step.progress! > 0 ? step : undefined;
  }, 'the Python clone to start');
  return start;
}

/** POSTs a delivery to the Python vendor as hybridflow would, signed with `signingSecret` at `timestamp`. */
function deliver(body: string, signingSecret: string, timestamp = Math.floor(Date.now() / 1000)) {
  const mac = createHmac('sha256', signingSecret).update(`${timestamp}.${body}`).digest('hex');
  return fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hybridflow-timestamp': String(timestamp),
      'x-hybridflow-signature': `v1=${mac}`,
    },
    body,
  });
}

test('it registers its four activities with its key, and its schemas are the ones kept', async () => {
  const res = await fetch(`${stack.apiUrl}/api/v1/vendor/activities`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  expect(res.status).toBe(200);
  const { items } = (await res.json()) as { items: { name: string; inputSchema: { required: string[] } }[] };
  expect(items.map((a) => a.name).sort()).toEqual(['checkCloneable', 'cloneDisk', 'deleteImage', 'updateDiskMetadata']);
  expect(items.find((a) => a.name === 'cloneDisk')?.inputSchema.required).toEqual([
    'sourceDisk',
    'storageDomainId',
    'imageId',
    'name',
  ]);
  expect(vendor!.output()).toMatch(/registered cloneDisk \(new\)/);
});

test('it refuses a delivery with a bad signature or a stale timestamp (401), and takes nothing from it', async () => {
  const body = JSON.stringify({ taskId: `vt_${'x'.repeat(32)}`, activity: 'deleteImage', input: {} });
  expect((await deliver(body, 'not-the-secret')).status).toBe(401);
  expect((await deliver(body, secret, Math.floor(Date.now() / 1000) - 600)).status).toBe(401);
  expect((await deliver(body, secret)).status).toBe(202);
  // That last one was signed right: the vendor took it, and the API told it the task is not its own (404).
  await vendor!.waitFor(
    /deleteImage task vt_x+ \(attempt 1\): the vendor API refused a report, stopped \(.*404/,
    10_000,
  );
  expect(vendor!.output()).toMatch(/refused a delivery from 127\.0\.0\.1: bad signature or stale timestamp/);
});

test('a rapid clone through the Python webhook vendor completes, with live progress and its sub-steps finished', async () => {
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'web-01',
    cloneName: 'web-01-pyhook',
    vendor: VENDOR,
  });
  expect(start.status).toBe(202);
  // Its heartbeats show while it works: progress between 0 and 100 on the vendor step, a running sub-step.
  const live = await eventuallyWithOutput(async () => {
    const step = await cloneStep(start.body.id);
    const running = step?.children.some((c) => c.status === 'running');
    return step && step.progress! > 0 && step.progress! < 100 && running ? step : undefined;
  }, 'live progress from the Python webhook vendor');
  expect(live.status).toBe('running');

  const flow = await flowClosed(stack, start.body.id, 90_000);
  expect(flow.error).toBeNull();
  expect(flow.status).toBe('completed');
  const done = flow.steps.find(
    (s: FlowStepDoc) => s.kind === 'external' && /clone disk/.test(s.description),
  ) as FlowStepDoc;
  expect(done.status).toBe('finished');
  expect(done.children.map((c) => [c.description, c.status])).toEqual([
    ['Snapshot volume of web-01_Disk1 on the array', 'finished'],
    [expect.stringMatching(/^Copy \d+ GiB to a new volume$/), 'finished'],
    ['Export the new volume into the storage domain', 'finished'],
  ]);

  // The clone exists with the disk the Python vendor placed, attached and active.
  const clone = await vmNamed('web-01-pyhook');
  expect(clone).toBeDefined();
  const attachments = await stack.ovirt.get(
    `/vms/${clone!.id}/diskattachments`,
    collection('disk_attachment', DiskAttachment),
  );
  expect(attachments).toHaveLength(1);
  expect(attachments[0]).toMatchObject({ active: true, disk: { id: flow.result.diskIds[0] } });
  expect((await vmNamed('web-01'))?.status).toBe('up');
  expect(vendor!.output()).toMatch(/cloneDisk task vt_\S+ \(attempt 1\): done/);
  expect(vendor!.output()).toMatch(/updateDiskMetadata task vt_\S+ \(attempt 1\): done/);
}, 120_000);

test('a cancel reaches the Python vendor as cancelRequested: it stops, nothing is left on the array', async () => {
  const start = await cloning('db-01', 'db-01-pyhook-cancelled');
  expect((await stack.api('POST', `/api/v1/flows/${start.body.id}/cancel`)).status).toBe(202);
  const [, taskId] = await vendor!.waitFor(
    /cloneDisk task (vt_\S+) \(attempt \d+\): cancelled by the flow, stopped/,
    30_000,
  );

  const flow = await flowClosed(stack, start.body.id, 90_000);
  expect(flow.status).toBe('cancelled');
  const task = await fetch(`${stack.apiUrl}/api/v1/vendor/tasks/${taskId}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  expect(((await task.json()) as { status: string }).status).toBe('cancelled');
  expect(vendor!.output()).not.toMatch(new RegExp(`cloneDisk task ${taskId} \\(attempt \\d+\\): done`));
  expect(await vmNamed('db-01-pyhook-cancelled')).toBeUndefined();
  expect((await images()).filter((i) => i.name.startsWith('db-01-pyhook-cancelled'))).toEqual([]);
  expect((await vmNamed('db-01'))?.status).toBe('up');
}, 120_000);

test('SIGTERM mid-clone fails its task as retryable; started again, the vendor takes the retry as a new task', async () => {
  const start = await cloning('web-01', 'web-01-pyhook-restarted');

  const first = vendor!;
  const before = first.output().length;
  first.process.kill('SIGTERM');
  expect(await first.exited).toBe(0);
  const stopped = first.output().slice(before);
  const [, oldTask] = stopped.match(
    /cloneDisk task (vt_\S+) \(attempt 1\): failed \(the vendor is stopping; retryable\)/,
  )!;
  expect(stopped).toMatch(/webhook-vendor: stopped/);
  expect(stopped).not.toMatch(/Traceback|Error/);

  // Down for a moment: hybridflow keeps delivering the retry until the vendor is back (without registering again).
  vendor = await startVendor(Number(new URL(webhookUrl).port), { HF_VENDOR_REGISTER: '0' });
  expect(vendor.output()).not.toMatch(/registered/);
  const [, newTask] = await vendor.waitFor(/cloneDisk task (vt_\S+) \(attempt 2\): done/, 60_000);
  expect(newTask).not.toBe(oldTask);
  const flow = await flowClosed(stack, start.body.id, 90_000);
  expect(flow.status).toBe('completed');
  expect(await vmNamed('web-01-pyhook-restarted')).toBeDefined();
  const old = await fetch(`${stack.apiUrl}/api/v1/vendor/tasks/${oldTask}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  expect(((await old.json()) as { status: string }).status).toBe('failed');
}, 150_000);

test('SIGTERM stops the idle Python webhook vendor cleanly', async () => {
  const before = vendor!.output().length;
  vendor!.process.kill('SIGTERM');
  expect(await vendor!.exited).toBe(0);
  const after = vendor!.output().slice(before);
  expect(after).toMatch(/webhook-vendor: stopped/);
  expect(after).not.toMatch(/Traceback|Error/);
});
