// The first hybrid flow end to end: API -> Temporal -> worker -> built-in engine (oVirt REST) and the demo vendor
// (its own task queue) -> one engine job with one step per activity.
import { collection, Job, Step } from '../../ovirt/representation';
import { FlowKind } from '../../common/search-attributes';
import { flowClosed, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('preflight');
});
afterAll(() => stack?.stop());

test('a clone preflight reads the VM over oVirt REST, asks the vendor, and mirrors both as one FINISHED job', async () => {
  const start = await stack.api('POST', '/api/v1/flows/clone-preflight', { sourceVm: 'web-01' });
  expect(start.status).toBe(202);
  expect(start.body).toMatchObject({
    kind: 'clone-preflight',
    status: 'running',
    links: { self: `/api/v1/flows/${start.body.id}` },
  });
  expect(start.body.id).toMatch(/^clone-preflight-web-01-[0-9a-f]{8}$/);
  // The engine job is opened by the workflow, after the start answered: its id comes with the flow's reads.
  expect(start.body).toHaveProperty('engineJobId');

  const flow = await flowClosed(stack, start.body.id, 30_000);
  expect(flow.status).toBe('completed');
  expect(flow.result.cloneable).toBe(true);
  expect(flow.result.vm.name).toBe('web-01');
  expect(flow.result.report.volumes).toHaveLength(flow.result.vm.disks.length);
  expect(flow.steps.map((s: { kind: string; status: string }) => [s.kind, s.status])).toEqual([
    ['ovirt', 'finished'],
    ['external', 'finished'],
  ]);

  expect(flow.engineJobIds).toEqual([flow.engineJobId]);
  const job = await stack.ovirt.get(`/jobs/${flow.engineJobId}`, Job);
  expect(job).toMatchObject({
    status: 'finished',
    external: true,
    description: 'Clone preflight of web-01 with acme-storage',
  });
  const steps = await stack.ovirt.get(`/jobs/${job.id}/steps`, collection('step', Step));
  expect(steps.map((s) => [s.description, s.status]).sort()).toEqual([
    ['Read VM web-01 and its disks', 'finished'],
    ['acme-storage: check that the disks of web-01 can be cloned', 'finished'],
  ]);
  expect(flow.steps.map((s: { engineStepId: string }) => s.engineStepId).sort()).toEqual(steps.map((s) => s.id).sort());
});

test('a VM that does not exist is a 400 from the API; a flow given one anyway fails at once, its job and step FAILED', async () => {
  const refused = await stack.api('POST', '/api/v1/flows/clone-preflight', { sourceVm: 'no-such-vm' });
  expect(refused.status).toBe(400);
  expect(refused.body.errors).toEqual([{ field: 'body.sourceVm', message: 'no VM named or with id "no-such-vm"' }]);
  // The workflow checks again for itself (the VM may vanish between the API's check and the flow's first step).
  const handle = await stack.temporal.client.workflow.start('clonePreflight', {
    workflowId: `clone-preflight-no-such-vm-${Date.now()}`,
    taskQueue: stack.taskQueue,
    args: [
      {
        sourceVm: 'no-such-vm',
        vendor: 'acme-storage',
        vendorRegistration: {
          id: 'acme-storage',
          mode: 'temporal',
          taskQueue: `${stack.taskQueue}.vendor.acme-storage`,
          activities: {},
        },
      },
    ],
    typedSearchAttributes: [{ key: FlowKind, value: 'clone-preflight' }],
  });
  const flow = await flowClosed(stack, handle.workflowId, 30_000);
  expect(flow.status).toBe('failed');
  expect(flow.error).toMatch(/No VM named "no-such-vm"/);
  const job = await stack.ovirt.get(`/jobs/${flow.engineJobId}`, Job);
  expect(job.status).toBe('failed');
  const steps = await stack.ovirt.get(`/jobs/${job.id}/steps`, collection('step', Step));
  expect(steps.map((s) => [s.description, s.status])).toEqual([['Read VM no-such-vm and its disks', 'failed']]);
});

test('a preflight with an unknown vendor is a 400 naming body.vendor, and starts nothing', async () => {
  const res = await stack.api('POST', '/api/v1/flows/clone-preflight', {
    sourceVm: 'web-01',
    vendor: 'no-such-vendor',
  });
  expect(res.status).toBe(400);
  expect(res.body.errors[0].field).toBe('body.vendor');
});

test('bad input is a 400 problem naming the field; no token is a 401', async () => {
  const bad = await stack.api('POST', '/api/v1/flows/clone-preflight', { sourceVm: '', extra: 1 });
  expect(bad.status).toBe(400);
  expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body', 'body.sourceVm']);
  const anonymous = await fetch(`${stack.apiUrl}/api/v1/flows/x`);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);
  const missing = await stack.api('GET', '/api/v1/flows/no-such-flow');
  expect(missing.status).toBe(404);
});
