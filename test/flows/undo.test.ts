// Undo that does not depend on timing: each undo is registered before its step acts, so a step cancelled or failed
// half-way is undone as well; and a cancel never leaves an engine step for an activity that did not run. Real
// Temporal dev server and built-in engine, with slow VM transitions (3 s) so that a cancel lands mid-step.
import { defaultPayloadConverter } from '@temporalio/common';
import type { Vm } from '../../ovirt/representation';
import { collection, Job, Step } from '../../ovirt/representation';
import { vmsNamed } from '../../ovirt/vm-queries';
import { ENGINE_PASSWORD, flowClosed, startTestStack, stepRunning, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('undo', { engine: { transitionMs: 3000 } });
});
afterAll(() => stack?.stop());

interface ApiStep {
  description: string;
  status: string;
}
const vmStatus = async (name: string) => (await vmsNamed(stack.ovirt, name))[0]?.status;

async function images(): Promise<string[]> {
  const auth = {
    Authorization: `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}`,
    Accept: 'application/json',
  };
  const [sd] = (await (await fetch(`${stack.engine.url}/ovirt-engine/api/storagedomains`, { headers: auth })).json())
    .storage_domain;
  const list = (
    await (await fetch(`${stack.engine.url}/builtin/storage-array/domains/${sd.id}/images`, { headers: auth })).json()
  ).images;
  return list.map((i: { name: string }) => i.name);
}

/** The summaries of the activities the flow scheduled, from its history (each once). */
async function activitySummaries(id: string): Promise<Set<string>> {
  const history = await stack.temporal.client.workflow.getHandle(id).fetchHistory();
  const out = new Set<string>();
  for (const e of history.events ?? []) {
    if (e.activityTaskScheduledEventAttributes && e.userMetadata?.summary)
      out.add(defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary));
  }
  return out;
}

test('a cancel while the source shuts down: the shutdown completes in the engine, and the undo starts it again', async () => {
  expect(await vmStatus('web-01')).toBe('up');
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', { sourceVm: 'web-01', cloneName: 'web-01-undo' });
  await stepRunning(stack, start.body.id, (s) => s.description.startsWith('Shut down VM'), 'the shutdown');
  expect((await stack.api('POST', `/api/v1/flows/${start.body.id}/cancel`)).status).toBe(202);
  const flow = await flowClosed(stack, start.body.id, 90_000);
  expect(flow.status).toBe('cancelled');
  expect((flow.steps as ApiStep[]).find((s) => s.description === 'Undo: Start VM web-01 again')?.status).toBe(
    'finished',
  );
  expect(await vmStatus('web-01')).toBe('up');
});

test('a vendor clone that places the image and then fails for good: the image is deleted all the same', async () => {
  const start = await stack.api('POST', '/api/v1/flows/rapid-clone', {
    sourceVm: 'test-01',
    cloneName: 'test-01-lossy',
    vendor: 'lossy-storage',
  });
  const flow = await flowClosed(stack, start.body.id, 90_000);
  expect(flow.status).toBe('failed');
  expect(flow.error).toMatch(/lost the session/);
  expect(flow.error).toMatch(/Every step done was undone/);
  expect((flow.steps as ApiStep[]).find((s) => s.description.startsWith('Undo: delete the cloned image'))?.status).toBe(
    'finished',
  );
  expect((await images()).filter((n) => n.startsWith('test-01-lossy'))).toEqual([]);
  expect(await vmsNamed(stack.ovirt, 'test-01-lossy')).toEqual([]);
});

test('a cancel while the engine is slow to add a step: every engine step stands for an activity that was scheduled', async () => {
  // Adding a step takes 1.5 s: the cancel lands while the next step's engine step is being added.
  const faults = { rules: [{ pathPattern: '^/jobs/[^/]+/steps$', method: 'POST', latencyMs: 1500 }] };
  const auth = {
    Authorization: `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}`,
    'Content-Type': 'application/json',
  };
  expect(
    (await fetch(`${stack.engine.url}/builtin/faults`, { method: 'PUT', headers: auth, body: JSON.stringify(faults) }))
      .status,
  ).toBe(200);
  try {
    const start = await stack.api('POST', '/api/v1/flows/rapid-clone', { sourceVm: 'db-01', cloneName: 'db-01-slow' });
    await stepRunning(stack, start.body.id, (s) => s.description.startsWith('Merge the snapshots'), 'the merge');
    await stack.api('POST', `/api/v1/flows/${start.body.id}/cancel`);
    const flow = await flowClosed(stack, start.body.id, 90_000);
    expect(flow.status).toBe('cancelled');
    const scheduled = await activitySummaries(start.body.id);
    const [job] = (
      await stack.ovirt.get('/jobs', collection('job', Job), { query: { search: `correlation_id=${start.body.id}` } })
    ).filter((j) => j.external);
    const steps = await stack.ovirt.get(`/jobs/${job!.id}/steps`, collection('step', Step));
    const top = steps.filter((s) => !s.parent_step && !s.description.startsWith('Failed: '));
    expect(top.filter((s) => !scheduled.has(s.description)).map((s) => s.description)).toEqual([]);
    expect(steps.filter((s) => s.status === 'started')).toEqual([]);
  } finally {
    await fetch(`${stack.engine.url}/builtin/faults`, { method: 'DELETE', headers: auth });
  }
  expect((await vmsNamed(stack.ovirt, 'db-01'))[0]).toMatchObject<Partial<Vm>>({ status: 'up' });
});
