// Rapid clone end to end on the real Temporal dev server and the built-in engine: the happy path, a vendor failing
// for good, a cancel mid-clone, a worker killed with SIGKILL mid-flow, an engine answering 503 for a while.
import { defaultPayloadConverter } from '@temporalio/common';
import { EngineJobId, FlowKind, OvirtVmId, Vendor } from '../../common/search-attributes';
import { collection, DiskAttachment, Job, Step, Vm } from '../../ovirt/representation';
import { runCli } from '../helpers/processes';
import {
  ENGINE_PASSWORD,
  eventually,
  flowClosed,
  startTestStack,
  stepRunning,
  workerEnv,
  type TestStack,
} from '../helpers/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('rapid-clone');
});
afterAll(() => stack?.stop());

const vmNamed = async (name: string) =>
  (await stack.ovirt.get('/vms', collection('vm', Vm), { query: { search: `name=${name}` } }))[0];

const engineSteps = (jobId: string) => stack.ovirt.get(`/jobs/${jobId}/steps`, collection('step', Step));

async function images(): Promise<{ id: string; name: string; registered: string | boolean }[]> {
  const [sd] = (await (await fetchEngine('/ovirt-engine/api/storagedomains')).json()).storage_domain;
  return (await (await fetchEngine(`/builtin/storage-array/domains/${sd.id}/images`)).json()).images;
}
const fetchEngine = (path: string, init: RequestInit = {}) =>
  fetch(stack.engine.url + path, {
    ...init,
    headers: {
      Accept: 'application/json',
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}`,
    },
  });

/** No VM named `cloneName`, no image or disk of it anywhere. */
async function expectNothingLeft(cloneName: string) {
  expect(await vmNamed(cloneName)).toBeUndefined();
  expect((await images()).filter((i) => i.name.startsWith(cloneName))).toEqual([]);
}

test('happy path: the clone exists with its disk attached and active, the source is up again, the job FINISHED', async () => {
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', { sourceVm: 'web-01', cloneName: 'web-01-clone' });
  expect(start.status).toBe(202);
  expect(start.body.id).toMatch(/^rapid-clone-web-01-[0-9a-f]{8}$/);
  // The vendor's heartbeats show while it works: progress between 0 and 100 on its step, a running sub-step.
  const live = await eventually(
    async () => {
      const f = await stack.api('GET', `/api/v1/flows/${start.body.id}`);
      const vendorStep = f.body.steps.find((s: { kind: string }) => s.kind === 'external');
      return vendorStep?.progress > 0 && vendorStep.progress < 100 ? vendorStep : undefined;
    },
    30_000,
    'live vendor progress',
  );
  expect(live.status).toBe('running');
  expect(live.children.length).toBeGreaterThan(0);
  const flow = await flowClosed(stack, start.body.id);
  expect(flow.error).toBeNull();
  expect(flow.status).toBe('completed');

  const job = await stack.ovirt.get(`/jobs/${flow.engineJobId}`, Job);
  expect(job).toMatchObject({ status: 'finished', description: 'Rapid clone of web-01 as web-01-clone' });
  const steps = await engineSteps(job.id);
  const top = steps.filter((s) => !s.parent_step).sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
  expect(top.map((s) => s.description)).toEqual([
    'Read VM web-01',
    'Shut down VM web-01',
    'Merge the snapshots of web-01 (coalesce its disks)',
    'acme-storage: clone disk web-01_Disk1 as web-01-clone_Disk1',
    'acme-storage: write the metadata of web-01-clone_Disk1 in its storage domain',
    'Register disk web-01-clone_Disk1',
    'Create VM web-01-clone from the configuration of web-01',
    'Attach disk web-01-clone_Disk1 to VM web-01-clone',
    'Start VM web-01 again',
  ]);
  expect(steps.every((s) => s.status === 'finished')).toBe(true);
  const cloneStep = top[3]!;
  const nested = steps.filter((s) => s.parent_step?.id === cloneStep.id);
  expect(nested.map((s) => s.description)).toEqual([
    'Snapshot volume of web-01_Disk1 on the array',
    expect.stringMatching(/^Copy \d+ GiB to a new volume$/),
    'Export the new volume into the storage domain',
  ]);
  expect(flow.steps[3].children).toHaveLength(3);

  const clone = await vmNamed('web-01-clone');
  expect(clone?.status).toBe('down');
  const attachments = await stack.ovirt.get(
    `/vms/${clone!.id}/diskattachments`,
    collection('disk_attachment', DiskAttachment),
  );
  expect(attachments).toHaveLength(1);
  expect(attachments[0]).toMatchObject({ active: true, bootable: true, disk: { id: flow.result.diskIds[0] } });
  expect((await vmNamed('web-01'))?.status).toBe('up');

  // Ops in the Temporal UI: typed search attributes, a static summary, activity summaries that read like the steps.
  const handle = stack.temporal.client.workflow.getHandle(start.body.id);
  const description = await handle.describe();
  expect(description.typedSearchAttributes.get(FlowKind)).toBe('rapid-clone');
  expect(description.typedSearchAttributes.get(Vendor)).toBe('acme-storage');
  expect(description.typedSearchAttributes.get(EngineJobId)).toBe(job.id);
  expect(description.typedSearchAttributes.get(OvirtVmId)).toBe((await vmNamed('web-01'))!.id);
  expect(await description.staticSummary()).toBe('Rapid clone of web-01 as web-01-clone (acme-storage)');
  const history = await handle.fetchHistory();
  const summaries = await Promise.all(
    (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) =>
        e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : undefined,
      ),
  );
  expect(summaries).toContain('Shut down VM web-01');
  expect(summaries.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
  // Each oVirt step is one activity that begins and ends its own engine step: no mirroring activity is scheduled for
  // it (the vendor steps, run by the vendor's worker, still have theirs), and the job is opened and ended by local
  // activities (markers).
  for (const step of ['Read VM web-01', 'Register disk web-01-clone_Disk1', 'Start VM web-01 again']) {
    expect(summaries).toContain(step);
    expect(summaries).not.toContain(`Mirror: ${step}`);
    expect(summaries).not.toContain(`Mirror: end ${step}`);
  }
  expect(summaries).toContain('Mirror: acme-storage: clone disk web-01_Disk1 as web-01-clone_Disk1');
  const markers = (history.events ?? []).filter(
    (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
  );
  expect(markers).toHaveLength(2);
});

test('a vendor failing for good: the steps done are undone and mirrored, the job FAILED, nothing left behind', async () => {
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'web-02',
    cloneName: 'web-02-broken',
    vendor: 'broken-storage',
  });
  const flow = await flowClosed(stack, start.body.id);
  expect(flow.status).toBe('failed');
  expect(flow.error).toMatch(/the array rejected the metadata/);
  const job = await stack.ovirt.get(`/jobs/${flow.engineJobId}`, Job);
  expect(job.status).toBe('failed');
  const steps = await engineSteps(job.id);
  const undo = steps.filter((s) => s.description.startsWith('Undo: ')).map((s) => [s.description, s.status]);
  expect(undo).toEqual([
    ['Undo: delete the cloned image web-02-broken_Disk1 on the array', 'finished'],
    ['Undo: Start VM web-02 again', 'finished'],
  ]);
  expect(steps.find((s) => s.description.startsWith('Failed: '))?.description).toMatch(/read-only/);
  await expectNothingLeft('web-02-broken');
  expect((await vmNamed('web-02'))?.status).toBe('up');
});

test('a cancel during the vendor clone undoes everything; the job FAILED, the flow cancelled', async () => {
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'db-01',
    cloneName: 'db-01-cancelled',
  });
  await stepRunning(stack, start.body.id, (s) => s.kind === 'external', 'the vendor clone');
  await stack.temporal.client.workflow.getHandle(start.body.id).cancel();
  const flow = await flowClosed(stack, start.body.id);
  expect(flow.status).toBe('cancelled');
  const job = await stack.ovirt.get(`/jobs/${flow.engineJobId}`, Job);
  expect(job.status).toBe('failed');
  const steps = await engineSteps(job.id);
  expect(steps.filter((s) => s.status === 'started')).toEqual([]);
  expect(steps.map((s) => s.description)).toContain('Undo: Start VM db-01 again');
  await expectNothingLeft('db-01-cancelled');
  expect((await vmNamed('db-01'))?.status).toBe('up');
});

test('an engine answering 503 for a while delays the flow but does not fail it', async () => {
  // The next 4 calls of the jobs API (mirroring, and waits on the engine's own jobs) get 503.
  const rules = [{ pathPattern: '^/jobs', failNext: 4 }];
  expect((await fetchEngine('/builtin/faults', { method: 'PUT', body: JSON.stringify(rules) })).status).toBeLessThan(
    300,
  );
  let flow;
  let faults;
  try {
    const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
      sourceVm: 'build-01',
      cloneName: 'build-01-clone',
    });
    flow = await flowClosed(stack, start.body.id);
    faults = await (await fetchEngine('/builtin/faults')).json();
  } finally {
    await fetchEngine('/builtin/faults', { method: 'DELETE' });
  }
  expect(faults.rules).toEqual([{ pathPattern: '^/jobs', failNext: 0 }]); // every injected 503 was met, and retried
  expect(flow.status).toBe('completed');
  const steps = await engineSteps(flow.engineJobId);
  expect(new Set(steps.map((s) => s.description)).size).toBe(steps.length); // one engine step per activity
  expect(steps.every((s) => s.status === 'finished')).toBe(true);
}, 120_000);

test('a VM conflict (409) on shutdown is retried with backoff until it clears, then the flow completes', async () => {
  // As oVirt answers while the VM is busy ("Cannot shutdown VM. ..."): the next two shutdown calls get a 409.
  const rules = [{ pathPattern: '^/vms/[^/]+/shutdown$', method: 'POST', failNext: 2, status: 409 }];
  expect((await fetchEngine('/builtin/faults', { method: 'PUT', body: JSON.stringify(rules) })).status).toBe(200);
  let start;
  let flow;
  try {
    start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
      sourceVm: 'web-02',
      cloneName: 'web-02-after-409',
    });
    flow = await flowClosed(stack, start.body.id, 90_000);
  } finally {
    await fetchEngine('/builtin/faults', { method: 'DELETE' });
  }
  expect(flow.status).toBe('completed');
  // The shutdown activity ran three times: two 409s, retried, then done; its engine step is one FINISHED step.
  const history = await stack.temporal.client.workflow.getHandle(start.body.id).fetchHistory();
  const scheduled = history.events!.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'shutdownVm',
  )!;
  const started = history.events!.find(
    (e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.eventId),
  )!;
  expect(started.activityTaskStartedEventAttributes!.attempt).toBe(3);
  expect(started.activityTaskStartedEventAttributes!.lastFailure?.message).toMatch(/409/);
  const steps = await engineSteps(flow.engineJobId);
  expect(steps.filter((s) => s.description === 'Shut down VM web-02').map((s) => s.status)).toEqual(['finished']);
}, 120_000);

test('the worker killed with SIGKILL mid-flow and started again: the flow completes with one engine step per activity', async () => {
  // The main worker runs as its own process here (the real `hybridflow worker`), against this test's engine.
  const killStack = await startTestStack('rapid-clone-kill', { mainWorker: false, cloneMs: 4000 });
  const env = workerEnv(killStack);
  try {
    let worker = runCli(['worker'], env);
    await worker.waitFor(/Worker:\s+polling/, 60_000);
    const start = await killStack.api('POST', '/api/v1/flows/rapid-clone', {
      sourceVm: 'test-01',
      cloneName: 'test-01-clone',
    });
    await stepRunning(killStack, start.body.id, (s) => s.kind === 'external', 'the vendor clone');
    worker.process.kill('SIGKILL');
    await worker.exited;
    worker = runCli(['worker'], env);
    const flow = await eventually(
      async () => {
        const f = await killStack.api('GET', `/api/v1/flows/${start.body.id}`);
        return f.body.status === 'running' ? undefined : f.body;
      },
      90_000,
      'the flow to complete after the restart',
    );
    worker.process.kill('SIGTERM');
    await worker.exited;
    expect(flow.status).toBe('completed');
    const steps = await killStack.ovirt.get(`/jobs/${flow.engineJobId}/steps`, collection('step', Step));
    const top = steps.filter((s) => !s.parent_step);
    expect(new Set(steps.map((s) => `${s.parent_step?.id}/${s.description}`)).size).toBe(steps.length);
    expect(top).toHaveLength(flow.steps.length);
    expect(steps.filter((s) => s.status !== 'finished')).toEqual([]);
    expect((await killStack.ovirt.get(`/jobs/${flow.engineJobId}`, Job)).status).toBe('finished');
  } finally {
    await killStack.stop();
  }
}, 180_000);
