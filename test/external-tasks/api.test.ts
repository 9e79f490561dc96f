// Standalone external tasks through the real API, the real built-in engine and a real Temporal dev server: a
// vendor with its own key injects a task with steps nested three deep, reports progress and ends them; every
// refusal has its status; two vendors never see each other's tasks.
import { Job } from '../../ovirt/representation';
import { callApi, engineSteps } from '../helpers/external-tasks';
import { eventually, startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
let acmeKey: string;
let otherKey: string;

beforeAll(async () => {
  stack = await startTestStack('external-tasks');
  acmeKey = (await stack.vendors.newKey('acme-storage')).apiKey;
  otherKey = (await stack.vendors.newKey('broken-storage')).apiKey;
});
afterAll(() => stack?.stop());

const call = (token: string, method: string, path: string, body?: unknown) =>
  callApi(stack.apiUrl, token, method, path, body);
const acme = (method: string, path: string, body?: unknown) => call(acmeKey, method, path, body);

const stepsOf = (jobId: string) => engineSteps(stack.ovirt, jobId);

test('a task with steps nested three deep: mirrored into one engine job, progress shown, ended FINISHED', async () => {
  const created = await acme('POST', '/api/v1/vendor/jobs', { description: 'Replicate LUN 5 to the DR site' });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ status: 'started', vendor: 'acme-storage', timeoutSeconds: 3600 });
  const id = created.body.id as string;
  expect(created.body.engineJobId).toEqual(expect.any(String));
  const jobId = created.body.engineJobId as string;
  expect(await stack.ovirt.get(`/jobs/${jobId}`, Job)).toMatchObject({
    description: 'Replicate LUN 5 to the DR site',
    status: 'started',
    external: true,
  });

  const top = await acme('POST', `/api/v1/vendor/jobs/${id}/steps`, { description: 'Replicate volumes' });
  expect(top.status).toBe(201);
  const mid = await acme('POST', `/api/v1/vendor/jobs/${id}/steps`, {
    description: 'Replicate volume 1',
    parentStepId: top.body.id,
  });
  const leaf = await acme('POST', `/api/v1/vendor/jobs/${id}/steps`, {
    description: 'Copy extent 1',
    parentStepId: mid.body.id,
    type: 'validating',
  });
  expect(leaf.status).toBe(201);
  expect(leaf.body).toMatchObject({ status: 'started', type: 'validating', engineStepId: expect.any(String) });

  expect((await acme('POST', `/api/v1/vendor/jobs/${id}/steps/${mid.body.id}/progress`, { progress: 50 })).status).toBe(
    200,
  );
  await eventually(
    async () => {
      const steps = await stepsOf(jobId);
      const byDescription = new Map(steps.map((s) => [s.description, s]));
      const [t, m, l] = ['Replicate volumes', 'Replicate volume 1', 'Copy extent 1'].map((d) => byDescription.get(d));
      return t && m && l && m.parent_step?.id === t.id && l.parent_step?.id === m.id && Number(m.progress) === 50
        ? true
        : undefined;
    },
    15_000,
    'the three nested steps and the progress on the engine',
  );

  for (const step of [leaf, mid, top])
    expect(
      (await acme('POST', `/api/v1/vendor/jobs/${id}/steps/${step.body.id}/end`, { succeeded: true })).status,
    ).toBe(200);
  const ended = await acme('POST', `/api/v1/vendor/jobs/${id}/end`, { succeeded: true });
  expect(ended.status).toBe(200);
  expect(ended.body.status).toBe('finished');
  await eventually(
    async () => ((await stack.ovirt.get(`/jobs/${jobId}`, Job)).status === 'finished' ? true : undefined),
    15_000,
    'the engine job FINISHED',
  );
  expect((await stepsOf(jobId)).every((s) => s.status === 'finished')).toBe(true);

  // Anything on an ended task is a 410.
  expect((await acme('POST', `/api/v1/vendor/jobs/${id}/end`, { succeeded: true })).status).toBe(410);
  expect((await acme('POST', `/api/v1/vendor/jobs/${id}/steps`, { description: 'late' })).status).toBe(410);
  expect((await acme('POST', `/api/v1/vendor/jobs/${id}/steps/${top.body.id}/progress`, { progress: 10 })).status).toBe(
    410,
  );

  // The record shows the whole tree with its engine ids, to the vendor and to the operator.
  const shown = await eventually(
    async () => {
      const r = await call(TEST_TOKEN, 'GET', `/api/v1/external-jobs/${id}`);
      return r.body.engineJobIds?.length ? r : undefined;
    },
    10_000,
    'the recorded task',
  );
  expect(shown.body.steps).toHaveLength(1);
  expect(shown.body.steps[0].children[0].children[0]).toMatchObject({
    description: 'Copy extent 1',
    status: 'finished',
    engineStepId: leaf.body.engineStepId,
  });
});

test('every refusal has its status and names the bad field', async () => {
  const bad = await acme('POST', '/api/v1/vendor/jobs', { description: '  ' });
  expect(bad.status).toBe(400);
  expect(bad.body.errors[0].field).toBe('body.description');
  const tooLong = await acme('POST', '/api/v1/vendor/jobs', { description: 'x', timeoutSeconds: 10_000_000 });
  expect(tooLong.status).toBe(400);
  expect(tooLong.body.errors[0].field).toBe('body.timeoutSeconds');

  const { body: task } = await acme('POST', '/api/v1/vendor/jobs', { description: 'Refusals' });
  const noParent = await acme('POST', `/api/v1/vendor/jobs/${task.id}/steps`, {
    description: 'orphan',
    parentStepId: 'no-such-step',
  });
  expect(noParent.status).toBe(400);
  expect(noParent.body.errors[0].field).toBe('body.parentStepId');
  const step = await acme('POST', `/api/v1/vendor/jobs/${task.id}/steps`, { description: 'one' });
  for (const progress of [-1, 101, 'half'])
    expect(
      (await acme('POST', `/api/v1/vendor/jobs/${task.id}/steps/${step.body.id}/progress`, { progress })).status,
    ).toBe(400);
  // A fraction is kept as a whole percent, as oVirt shows progress.
  const fraction = await acme('POST', `/api/v1/vendor/jobs/${task.id}/steps/${step.body.id}/progress`, {
    progress: 42.6,
  });
  expect([fraction.status, fraction.body.progress]).toEqual([200, 43]);
  expect((await acme('POST', `/api/v1/vendor/jobs/${task.id}/steps/nope/progress`, { progress: 1 })).status).toBe(404);
  expect((await acme('GET', '/api/v1/vendor/jobs/no-such-task')).status).toBe(404);

  // Ending a step again the same way changes nothing; the other way is a conflict.
  expect(
    (await acme('POST', `/api/v1/vendor/jobs/${task.id}/steps/${step.body.id}/end`, { succeeded: true })).status,
  ).toBe(200);
  expect(
    (await acme('POST', `/api/v1/vendor/jobs/${task.id}/steps/${step.body.id}/end`, { succeeded: true })).status,
  ).toBe(200);
  expect(
    (await acme('POST', `/api/v1/vendor/jobs/${task.id}/steps/${step.body.id}/end`, { succeeded: false })).status,
  ).toBe(409);

  // The same correlation id answers the first task.
  const first = await acme('POST', '/api/v1/vendor/jobs', { description: 'Once', correlationId: 'lun-7' });
  const again = await acme('POST', '/api/v1/vendor/jobs', { description: 'Twice', correlationId: 'lun-7' });
  expect([first.status, again.status]).toEqual([201, 200]);
  expect(again.body.id).toBe(first.body.id);
  expect(again.body.description).toBe('Once');
});

test("vendors are isolated: another vendor's task is a 404, the operator's token and operator paths are 403", async () => {
  const { body: task } = await acme('POST', '/api/v1/vendor/jobs', { description: 'Mine' });
  const other = (method: string, path: string, body?: unknown) => call(otherKey, method, path, body);
  expect((await other('GET', `/api/v1/vendor/jobs/${task.id}`)).status).toBe(404);
  expect((await other('POST', `/api/v1/vendor/jobs/${task.id}/steps`, { description: 'x' })).status).toBe(404);
  expect((await other('POST', `/api/v1/vendor/jobs/${task.id}/end`, { succeeded: false })).status).toBe(404);
  expect((await other('GET', '/api/v1/vendor/jobs')).body.items.map((t: { id: string }) => t.id)).not.toContain(
    task.id,
  );
  expect((await other('GET', '/api/v1/external-jobs')).status).toBe(403);
  expect((await call(TEST_TOKEN, 'POST', '/api/v1/vendor/jobs', { description: 'x' })).status).toBe(403);
  const listed = await call(TEST_TOKEN, 'GET', '/api/v1/external-jobs?vendor=acme-storage&status=started');
  expect(listed.body.items.map((t: { id: string }) => t.id)).toContain(task.id);
});
