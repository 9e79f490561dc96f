// What a vendor's client needs to retry safely and to say why: a step added again with the same key is the first
// one (200), a key used for another step is a 409; a task ended as failed carries the vendor's reason (or the step
// that failed) into the API and, as a FAILED step, into the engine job.
import { engineJob, engineSteps, externalTaskClient, type ExternalTaskClient } from '../helpers/external-tasks';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let vendor: ExternalTaskClient;
beforeAll(async () => {
  stack = await startTestStack('external-task-retries');
  vendor = externalTaskClient(stack.apiUrl, (await stack.vendors.newKey('acme-storage')).apiKey);
});
afterAll(() => stack?.stop());

/** The ended task, once its workflow has ended its engine job too. */
const recorded = (id: string) =>
  eventually(
    async () => {
      const r = await vendor.get(id);
      if (r.body.status === 'started' || !r.body.engineJobId) return undefined;
      return (await engineJob(stack.ovirt, r.body.engineJobId)).status === 'started' ? undefined : r.body;
    },
    15_000,
    'the ended task with its engine job ended',
  );

test('a step added again with its key is the first one; the key of another step is a 409', async () => {
  const { body: task } = await vendor.create({ description: 'Keyed steps' });
  const first = await vendor.addStep(task.id, { description: 'Copy volume 1', key: 'vol-1' });
  const again = await vendor.addStep(task.id, { description: 'Copy volume 1', key: 'vol-1' });
  expect([first.status, again.status]).toEqual([201, 200]);
  expect(again.body.id).toBe(first.body.id);
  expect(again.body.key).toBe('vol-1');
  const other = await vendor.addStep(task.id, { description: 'Copy volume 2', key: 'vol-1' });
  expect(other.status).toBe(409);
  await vendor.end(task.id);
  const shown = await recorded(task.id);
  expect(shown.steps).toHaveLength(1);
  expect(await engineSteps(stack.ovirt, shown.engineJobId)).toHaveLength(1);
});

test("a task ended as failed with a reason: the API and the engine job say why; a failed step's name otherwise", async () => {
  const { body: task } = await vendor.create({ description: 'Replicate LUN 8' });
  await vendor.addStep(task.id, { description: 'Replicate volume 1' });
  const ended = await vendor.call('POST', `/api/v1/vendor/jobs/${task.id}/end`, {
    succeeded: false,
    reason: 'the DR array went read-only',
  });
  expect(ended.status).toBe(200);
  expect(ended.body).toMatchObject({ status: 'failed', reason: 'the DR array went read-only' });
  const shown = await recorded(task.id);
  expect((await engineJob(stack.ovirt, shown.engineJobId)).status).toBe('failed');
  const steps = await engineSteps(stack.ovirt, shown.engineJobId);
  expect(steps.find((s) => s.description === 'Failed: the DR array went read-only')?.status).toBe('failed');
  expect(steps.find((s) => s.description === 'Replicate volume 1')?.status).toBe('failed');

  const { body: second } = await vendor.create({ description: 'Replicate LUN 9' });
  const step = await vendor.addStep(second.id, { description: 'Replicate volume 2' });
  await vendor.endStep(second.id, step.body.id, false);
  expect((await vendor.end(second.id, false)).body).toMatchObject({
    status: 'failed',
    reason: 'step "Replicate volume 2" failed',
  });
  expect(
    (await vendor.call('POST', `/api/v1/vendor/jobs/${second.id}/end`, { succeeded: true, reason: '' })).status,
  ).toBe(400);
});
