// Bulk clone: a pool of VMs from one source VM in one flow, each VM a child workflow mirrored under its own step of
// the flow's one engine job. Real Temporal dev server, built-in engine, vendors served by real workers.
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { BulkCloneInput, BulkCloneResult } from '../../workflows/bulk-clone';
import { collection, Disk, Job, Step } from '../../ovirt/representation';
import { vmsNamed } from '../../ovirt/vm-queries';
import { eventually } from '../helpers/eventually';
import { flowClosed, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('bulk-clone');
}, 120_000);
afterAll(() => stack?.stop());

let n = 0;
async function startBulk(
  input: Omit<BulkCloneInput, 'vendorRegistration' | 'vendor'> & { vendor?: string },
): Promise<WorkflowHandle> {
  const vendor = input.vendor ?? 'picky-storage';
  return stack.temporal.client.workflow.start('bulkClone', {
    taskQueue: stack.taskQueue,
    workflowId: `bulk-clone-${input.sourceVm}-${++n}-${Date.now()}`,
    args: [{ ...input, vendor, vendorRegistration: await stack.resolveVendor(vendor) }],
  });
}

const vmExists = async (name: string) => (await vmsNamed(stack.ovirt, name)).length > 0;
const disksNamed = async (prefix: string) =>
  (await stack.ovirt.get('/disks', collection('disk', Disk), { query: { search: `name=${prefix}*` } })).map(
    (d) => d.name,
  );
const jobOf = async (handle: WorkflowHandle) => {
  const { EngineJobId } = (await handle.describe()).searchAttributes as Record<string, string[]>;
  return EngineJobId![0]!;
};
const stepsOf = (jobId: string) => stack.ovirt.get(`/jobs/${jobId}/steps`, collection('step', Step));

test('a pool of 5 with one clone failing for good (keep-completed): the 4 others are built, one job holds a step per VM with its steps nested', async () => {
  const names = ['kp-1', 'kp-2', 'kp-3-bad', 'kp-4', 'kp-5'];
  const handle = await startBulk({ sourceVm: 'web-01', names, maxParallel: 2 });
  const result = (await handle.result()) as BulkCloneResult;
  expect(result).toMatchObject({ completed: 4, failed: 1 });
  expect(result.vms.map((v) => [v.name, v.status])).toEqual(
    names.map((name) => [name, name.includes('-bad') ? 'failed' : 'completed']),
  );
  expect(result.vms.find((v) => v.name === 'kp-3-bad')?.error).toMatch(/refuses to clone/);
  for (const name of names) expect(await vmExists(name)).toBe(!name.includes('-bad'));
  expect(await disksNamed('kp-3-bad')).toEqual([]);
  expect((await vmsNamed(stack.ovirt, 'web-01'))[0]?.status).toBe('up');

  // One engine job: the source's steps, a step per VM, that VM's steps under it (each once), the source started again.
  const jobId = await jobOf(handle);
  const job = await stack.ovirt.get(`/jobs/${jobId}`, Job);
  expect(job.description).toBe('Bulk clone of web-01 into 5 VMs');
  expect(job.status).toBe('failed'); // a failed step fails an oVirt job; the others are kept all the same
  const steps = await stepsOf(jobId);
  const top = steps.filter((s) => !s.parent_step).map((s) => s.description);
  expect(top).toEqual(
    expect.arrayContaining([
      'Read VM web-01',
      'Shut down VM web-01',
      'Merge the snapshots of web-01 (coalesce its disks)',
      ...names.map((name) => `Clone web-01 as ${name}`),
      'Start VM web-01 again',
    ]),
  );
  for (const name of names) {
    const vmStep = steps.find((s) => s.description === `Clone web-01 as ${name}`)!;
    const nested = steps.filter((s) => s.parent_step?.id === vmStep.id).map((s) => s.description);
    if (name.includes('-bad')) {
      expect(vmStep.status).toBe('failed');
      expect(nested).toContain(`picky-storage: clone disk web-01_Disk1 as ${name}_Disk1`);
      continue;
    }
    expect(vmStep.status).toBe('finished');
    expect(nested).toEqual([
      `picky-storage: clone disk web-01_Disk1 as ${name}_Disk1`,
      `picky-storage: write the metadata of ${name}_Disk1 in its storage domain`,
      `Register disk ${name}_Disk1`,
      `Create VM ${name} from the configuration of web-01`,
      `Attach disk ${name}_Disk1 to VM ${name}`,
    ]);
  }
}, 180_000);

test("a VM failing the shared job while the pool goes on: the next VMs' steps go into that job, no second job", async () => {
  const handle = await startBulk({ sourceVm: 'web-01', names: ['sj-1', 'sj-2-bad'], maxParallel: 1 });
  const jobId = await eventually(async () => (await handle.describe()).searchAttributes.EngineJobId?.[0] as string);
  await eventually(
    async () => ((await stepsOf(jobId)).some((s) => s.description === 'Clone web-01 as sj-1') ? true : undefined),
    60_000,
    'the step of sj-1',
  );
  // What a VM's child does as its clone fails for good (here ahead of sj-2-bad's own failure, while sj-1 builds,
  // as a lane running beside it would): a step of its own ends FAILED, which fails the whole job at once (oVirt),
  // before the pool has heard of it.
  const part = await stack.ovirt.post(
    `/jobs/${jobId}/steps`,
    { description: 'A part failing', type: 'executing' },
    Step,
  );
  await stack.ovirt.action(`/jobs/${jobId}/steps/${part.id}/end`, { succeeded: false });
  expect((await stack.ovirt.get(`/jobs/${jobId}`, Job)).status).toBe('failed');

  expect(await handle.result()).toMatchObject({ completed: 1, failed: 1 });
  expect((await handle.describe()).searchAttributes.EngineJobId).toEqual([jobId]);
  const top = (await stepsOf(jobId)).filter((s) => !s.parent_step).map((s) => s.description);
  expect(top).toEqual(expect.arrayContaining(['Clone web-01 as sj-2-bad', 'Start VM web-01 again']));
  expect(await stack.ovirt.get(`/jobs/${jobId}`, Job)).toMatchObject({
    description: 'Bulk clone of web-01 into 2 VMs',
    status: 'failed',
  });
});

test('undo-all: one VM failing for good undoes every VM of the pool; the source is up again', async () => {
  const names = ['ua-1', 'ua-2-bad', 'ua-3', 'ua-4', 'ua-5'];
  const handle = await startBulk({ sourceVm: 'web-02', names, maxParallel: 3, onFailure: 'undo-all' });
  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  expect(String((err as WorkflowFailedError).cause?.message)).toMatch(
    /1 of 5 VMs failed \(ua-2-bad\), so all are undone/,
  );
  for (const name of names) expect(await vmExists(name)).toBe(false);
  expect(await disksNamed('ua-')).toEqual([]);
  expect((await vmsNamed(stack.ovirt, 'web-02'))[0]?.status).toBe('up');
  const steps = await stepsOf(await jobOf(handle));
  expect(steps.some((s) => s.description === 'Undo: remove VM ua-1' && s.status === 'finished')).toBe(true);
}, 180_000);

test('a cancel in the middle undoes the VMs in flight and keeps those built (keep-completed); none is half made', async () => {
  const names = ['cx-1', 'cx-2', 'cx-3', 'cx-4', 'cx-5', 'cx-6'];
  const handle = await startBulk({ sourceVm: 'db-01', names, maxParallel: 2, vendor: 'acme-storage' });
  // Cancel once the first VM is built and others are under way.
  await eventually(
    async () => ((await vmExists('cx-1')) || (await vmExists('cx-2')) ? true : undefined),
    60_000,
    'a VM built',
  );
  await handle.cancel();
  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  // Each VM either exists whole (its child completed) or not at all, with no disk of it left.
  for (const name of names) {
    const child = await stack.temporal.client.workflow
      .getHandle(`${handle.workflowId}-${name}`)
      .describe()
      .catch(() => undefined);
    const built = child?.status.name === 'COMPLETED';
    expect([name, await vmExists(name)]).toEqual([name, built]);
    expect([name, (await disksNamed(`${name}_`)).length]).toEqual([name, built ? 1 : 0]);
  }
  expect(await vmExists('cx-6')).toBe(false); // never begun: the cancel came first
  expect((await vmsNamed(stack.ovirt, 'db-01'))[0]?.status).toBe('up');
}, 180_000);

test('a worker killed mid-pool: the pool completes, every VM step mirrored once', async () => {
  const names = ['wk-1', 'wk-2', 'wk-3', 'wk-4'];
  const handle = await startBulk({ sourceVm: 'build-01', names, maxParallel: 2 });
  await eventually(
    async () => ((await vmExists('wk-1')) || (await vmExists('wk-2')) ? true : undefined),
    60_000,
    'a VM built',
  );
  await stack.stopMainWorker();
  await new Promise((r) => setTimeout(r, 1500));
  await stack.startMainWorker();
  const result = (await handle.result()) as BulkCloneResult;
  expect(result.completed).toBe(4);
  const steps = await stepsOf(await jobOf(handle));
  // Each step once under its parent (the vendor's sub-steps read alike under every VM).
  const keys = steps.filter((s) => s.status !== 'unknown').map((s) => `${s.parent_step?.id}/${s.description}`);
  expect(new Set(keys).size).toBe(keys.length);
  for (const name of names) expect(await vmExists(name)).toBe(true);
}, 180_000);

test('100 VMs in one flow: every VM built, each of its steps mirrored once, the parent history bounded', async () => {
  const names = Array.from({ length: 100 }, (_, i) => `hd-${String(i + 1).padStart(3, '0')}`);
  const handle = await startBulk({ sourceVm: 'test-01', names, maxParallel: 20 });
  const result = (await handle.result()) as BulkCloneResult;
  expect(result).toMatchObject({ completed: 100, failed: 0 });
  const history = await handle.fetchHistory();
  // About a dozen events per VM (its step, its child), whatever each VM's own steps: far from Temporal's limits.
  expect(history.events!.length).toBeLessThan(100 * 20);
  const steps = await stepsOf(await jobOf(handle));
  const keys = steps.map((s) => `${s.parent_step?.id}/${s.description}`);
  expect(new Set(keys).size).toBe(keys.length);
  const descriptions = steps.map((s) => s.description);
  expect(descriptions.filter((d) => d.startsWith('Clone test-01 as '))).toHaveLength(100);
  expect(descriptions.filter((d) => d.startsWith('Register disk hd-'))).toHaveLength(100);
  expect(steps.every((s) => s.status === 'finished')).toBe(true);
}, 600_000);

test('through the API: prefix and count name the pool, the flow lists each VM, taken and invalid names are a 400 each', async () => {
  const started = await stack.api('POST', '/api/v1/flows/bulk-clone', {
    sourceVm: 'web-01',
    prefix: 'api-pool-',
    count: 3,
    vendor: 'picky-storage',
  });
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ kind: 'bulk-clone', status: 'running' });
  expect(started.body.id).toMatch(/^bulk-clone-web-01-[0-9a-f]{8}$/);
  const flow = await flowClosed(stack, started.body.id);
  expect(flow.status).toBe('completed');
  expect(flow.result.vms.map((v: { name: string; status: string }) => [v.name, v.status])).toEqual([
    ['api-pool-1', 'completed'],
    ['api-pool-2', 'completed'],
    ['api-pool-3', 'completed'],
  ]);
  expect(flow.steps.map((s: { description: string }) => s.description)).toContain('Clone web-01 as api-pool-2');

  // The same names again: each taken one named; invalid and contradictory requests named by field.
  const taken = await stack.api('POST', '/api/v1/flows/bulk-clone', {
    sourceVm: 'web-01',
    names: ['api-pool-1', 'api-pool-new', 'api-pool-3'],
  });
  expect(taken.status).toBe(400);
  expect(taken.body.errors).toEqual([
    { field: 'body.names.0', message: 'api-pool-1 is taken' },
    { field: 'body.names.2', message: 'api-pool-3 is taken' },
  ]);
  const invalid = await stack.api('POST', '/api/v1/flows/bulk-clone', {
    sourceVm: 'web-01',
    names: ['ok-1', 'bad name'],
  });
  expect(invalid.status).toBe(400);
  expect(invalid.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.names.1']);
  const both = await stack.api('POST', '/api/v1/flows/bulk-clone', {
    sourceVm: 'web-01',
    names: ['x-1'],
    prefix: 'x-',
    count: 2,
  });
  expect(both.status).toBe(400);
  expect(both.body.errors.map((e: { field: string }) => e.field)).toContain('body.names');
  const tooMany = await stack.api('POST', '/api/v1/flows/bulk-clone', { sourceVm: 'web-01', prefix: 'x-', count: 101 });
  expect(tooMany.status).toBe(400);
  expect(tooMany.body.errors.map((e: { field: string }) => e.field)).toEqual(['body.count']);
  for (const name of ['api-pool-new', 'ok-1', 'x-1']) expect(await vmExists(name)).toBe(false);
}, 180_000);
