// The Python example vendor (examples/python-vendor) as a real process, serving the vendor contract to the test
// stack: a rapid clone through it completes with its progress and sub-steps mirrored, a cancel stops its clone and
// the undo deletes the image through it, and SIGTERM stops it cleanly.
import { spawnSync } from 'node:child_process';
import { vendorTaskQueue } from '../../common/vendor-contract';
import { collection, DiskAttachment, Job, Step, Vm } from '../../ovirt/representation';
import { runPython, type Watched } from '../helpers/processes';
import { ENGINE_PASSWORD, eventually, flowClosed, startTestStack, type TestStack } from '../helpers/stack';
import { temporalTestAddress } from '../helpers/temporal';

const VENDOR = 'python-storage';
const PIP = 'python3 -m pip install --quiet --disable-pip-version-check -r examples/python-vendor/requirements.txt';

let stack: TestStack;
let vendor: Watched | undefined;

beforeAll(async () => {
  // Not skipped when Python lacks the SDK: CI installs it (.ci/run), and a developer is told how.
  const probe = spawnSync('python3', ['-c', 'import temporalio'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `The Python vendor example needs python3 with its requirements: run \`${PIP}\` ` +
        `(${(probe.error?.message ?? probe.stderr).trim().split('\n').pop()})`,
    );
  }
  stack = await startTestStack('python-vendor');
  vendor = runPython(['examples/python-vendor/vendor.py'], {
    TEMPORAL_ADDRESS: temporalTestAddress(),
    TEMPORAL_NAMESPACE: 'default',
    HF_VENDOR_TASK_QUEUE: vendorTaskQueue(stack.taskQueue, VENDOR),
    HF_ENGINE_URL: stack.engine.url,
    OVIRT_USER: 'admin@internal',
    OVIRT_PASSWORD: ENGINE_PASSWORD,
    HF_VENDOR_CLONE_MS: '5000',
  });
  await vendor.waitFor(/^Python vendor worker polling (\S+)$/m);
}, 120_000);

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

async function images(): Promise<{ id: string; name: string }[]> {
  const [sd] = (await (await fetchEngine('/ovirt-engine/api/storagedomains')).json()).storage_domain;
  return (await (await fetchEngine(`/builtin/storage-array/domains/${sd.id}/images`)).json()).images;
}
const fetchEngine = (p: string) =>
  fetch(stack.engine.url + p, {
    headers: {
      Accept: 'application/json',
      Authorization: `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}`,
    },
  });

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
const vendorStep = async (id: string): Promise<FlowStepDoc | undefined> =>
  (await stack.api('GET', `/api/v1/flows/${id}`)).body.steps.find((s: FlowStepDoc) => s.kind === 'external');

test('the Python worker polls its task queue', () => {
  expect(vendor!.output()).toContain(`Python vendor worker polling ${vendorTaskQueue(stack.taskQueue, VENDOR)}`);
});

test('a rapid clone through the Python vendor completes, with its progress and sub-steps mirrored', async () => {
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'web-01',
    cloneName: 'web-01-py',
    vendor: VENDOR,
  });
  expect(start.status).toBe(202);
  // Python's heartbeats show while it works: progress between 0 and 100 on the vendor step, a running sub-step.
  const live = await eventuallyWithOutput(async () => {
    const step = await vendorStep(start.body.id);
    const running = step?.children.some((c) => c.status === 'running');
    return step && step.progress! > 0 && step.progress! < 100 && running ? step : undefined;
  }, 'live progress from the Python vendor');
  expect(live.status).toBe('running');

  const flow = await flowClosed(stack, start.body.id, 90_000);
  expect(flow.error).toBeNull();
  expect(flow.status).toBe('completed');
  const done = flow.steps.find((s: FlowStepDoc) => s.kind === 'external') as FlowStepDoc;
  expect(done).toMatchObject({ description: 'python-storage: clone disk web-01_Disk1 as web-01-py_Disk1' });
  expect(done.progress).toBe(100);
  expect(done.children.map((c) => [c.description, c.status])).toEqual([
    ['Snapshot volume of web-01_Disk1 on the array', 'finished'],
    [expect.stringMatching(/^Copy \d+ GiB to a new volume$/), 'finished'],
    ['Export the new volume into the storage domain', 'finished'],
  ]);

  // The engine job: every step finished, the sub-steps nested under the vendor's clone step.
  const job = await stack.ovirt.get(`/jobs/${flow.engineJobId}`, Job);
  expect(job.status).toBe('finished');
  const steps = await stack.ovirt.get(`/jobs/${job.id}/steps`, collection('step', Step));
  expect(steps.every((s) => s.status === 'finished')).toBe(true);
  const cloneStep = steps.find((s) => s.description === done.description)!;
  expect(steps.filter((s) => s.parent_step?.id === cloneStep.id).map((s) => s.description)).toEqual([
    'Snapshot volume of web-01_Disk1 on the array',
    expect.stringMatching(/^Copy \d+ GiB to a new volume$/),
    'Export the new volume into the storage domain',
  ]);
  expect(steps.map((s) => s.description)).toContain(
    'python-storage: write the metadata of web-01-py_Disk1 in its storage domain',
  );

  // The clone exists with the disk the Python vendor placed, attached and active.
  const clone = await vmNamed('web-01-py');
  expect(clone).toBeDefined();
  const attachments = await stack.ovirt.get(
    `/vms/${clone!.id}/diskattachments`,
    collection('disk_attachment', DiskAttachment),
  );
  expect(attachments).toHaveLength(1);
  expect(attachments[0]).toMatchObject({ active: true, disk: { id: flow.result.diskIds[0] } });
  expect((await vmNamed('web-01'))?.status).toBe('up');
  expect(vendor!.output()).toMatch(/cloneDisk web-01_Disk1 as image \S+: done/);
  expect(vendor!.output()).toMatch(/updateDiskMetadata of image \S+: done/);
}, 120_000);

test('a cancel during the Python clone stops it, and the undo deletes its image through it', async () => {
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'db-01',
    cloneName: 'db-01-py-cancelled',
    vendor: VENDOR,
  });
  expect(start.status).toBe(202);
  // Cancel once the Python clone is under way (it has heartbeated some progress).
  await eventuallyWithOutput(async () => {
    const step = await vendorStep(start.body.id);
    return step && step.progress! > 0 ? step : undefined;
  }, 'the Python clone to start');
  await stack.temporal.client.workflow.getHandle(start.body.id).cancel();
  const [, imageId] = await vendor!.waitFor(/cloneDisk db-01_Disk1 as image (\S+): cancelled \(.+\), stopped/, 30_000);
  await vendor!.waitFor(new RegExp(`deleteImage ${imageId}: done`), 60_000);

  const flow = await flowClosed(stack, start.body.id, 90_000);
  expect(flow.status).toBe('cancelled');
  const steps = await stack.ovirt.get(`/jobs/${flow.engineJobId}/steps`, collection('step', Step));
  expect(steps.filter((s) => s.status === 'started')).toEqual([]);
  expect(steps.map((s) => [s.description, s.status])).toEqual(
    expect.arrayContaining([
      ['Undo: delete the cloned image db-01-py-cancelled_Disk1 on the array', 'finished'],
      ['Undo: Start VM db-01 again', 'finished'],
    ]),
  );
  expect(vendor!.output()).not.toMatch(/cloneDisk db-01_Disk1 as image \S+: done/);
  expect(await vmNamed('db-01-py-cancelled')).toBeUndefined();
  expect((await images()).filter((i) => i.name.startsWith('db-01-py-cancelled'))).toEqual([]);
  expect((await vmNamed('db-01'))?.status).toBe('up');
}, 120_000);

test('SIGTERM stops the Python worker cleanly', async () => {
  const before = vendor!.output().length;
  vendor!.process.kill('SIGTERM');
  expect(await vendor!.exited).toBe(0);
  const after = vendor!.output().slice(before);
  expect(after).toMatch(/python-vendor: stopped/);
  expect(after).not.toMatch(/Traceback|Error/);
});
