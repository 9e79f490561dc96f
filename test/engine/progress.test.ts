// The progress extension (not oVirt): PUT /builtin/jobs/{j}/steps/{s}/progress, and its discovery through
// GET /builtin/capabilities.
import { engineForTests } from './engine-harness';
import { ENGINE_PASSWORD } from '../helpers/credentials';
import type { Answer, Caller, TestEngine } from './engine-harness';

let e: TestEngine;
engineForTests((started) => (e = started));

async function builtin(
  method: string,
  path: string,
  body?: unknown,
  as: Caller = 'admin',
  contentType = 'application/json',
): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (as !== 'none') headers.authorization = `Bearer ${await e.token(as)}`;
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`${e.engine.url}${path}`, {
    method,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const progressPath = (jobId: string, stepId: string): string => `/builtin/jobs/${jobId}/steps/${stepId}/progress`;

describe('GET /builtin/capabilities', () => {
  test('answers progress: true to an authenticated caller', async () => {
    const answer = await builtin('GET', '/builtin/capabilities');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      progress: true,
      tasks_page: '/tasks',
      storage_array: '/builtin/storage-array',
      fault_injection: '/builtin/faults',
    });
  });

  test('needs credentials like the API (401 with a fault); Basic works too', async () => {
    const anonymous = await builtin('GET', '/builtin/capabilities', undefined, 'none');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ reason: 'Unauthorized', detail: expect.any(String) });
    const basic = await fetch(`${e.engine.url}/builtin/capabilities`, {
      headers: { authorization: `Basic ${Buffer.from(`admin@internal:${ENGINE_PASSWORD}`).toString('base64')}` },
    });
    expect(basic.status).toBe(200);
  });

  test('the oVirt API itself stays without the extension', async () => {
    const answer = await e.get('/builtin/capabilities');
    expect(answer.status).toBe(404);
  });
});

describe('PUT /builtin/jobs/{job}/steps/{step}/progress', () => {
  test('sets the progress of a STARTED step; the oVirt representation shows it as a string', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    expect(step.progress).toBeUndefined();
    const answer = await builtin('PUT', progressPath(job.id, step.id), { progress: 40 });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: step.id, progress: '40', status: 'started' });
    expect((await e.get(`/jobs/${job.id}/steps/${step.id}`)).body.progress).toBe('40');
    expect((await builtin('PUT', progressPath(job.id, step.id), { progress: '75' })).body.progress).toBe('75');
    expect((await e.get(`/jobs/${job.id}/steps`)).body.step[0].progress).toBe('75');
  });

  test('works on a nested step and touches the job', async () => {
    const job = await e.addJob();
    const parent = await e.addStep(job.id);
    const child = await e.addStep(job.id, { parent_step: { id: parent.id } });
    const before = (await e.get(`/jobs/${job.id}`)).body.last_updated as number;
    e.clock.advance(1000);
    expect((await builtin('PUT', progressPath(job.id, child.id), { progress: 100 })).status).toBe(200);
    expect((await e.get(`/jobs/${job.id}`)).body.last_updated).toBeGreaterThan(before);
    expect((await e.get(`/jobs/${job.id}/steps/${parent.id}`)).body.progress).toBeUndefined();
  });

  test.each([[-1], [101], [40.5], ['forty'], [''], [true], [null]])(
    '%p is a 400 naming the field, nothing changes',
    async (value) => {
      const job = await e.addJob();
      const step = await e.addStep(job.id);
      await builtin('PUT', progressPath(job.id, step.id), { progress: 10 });
      const answer = await builtin('PUT', progressPath(job.id, step.id), { progress: value });
      expect(answer.status).toBe(400);
      expect(answer.body.detail).toContain('progress');
      expect((await e.get(`/jobs/${job.id}/steps/${step.id}`)).body.progress).toBe('10');
    },
  );

  test('a missing progress is a 400 Incomplete parameters', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    const answer = await builtin('PUT', progressPath(job.id, step.id), {});
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ reason: 'Incomplete parameters', detail: 'Step [progress] required for progress' });
  });

  test('a body that is not JSON is a 415', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    const answer = await builtin(
      'PUT',
      progressPath(job.id, step.id),
      'progress=5',
      'admin',
      'application/x-www-form-urlencoded',
    );
    expect(answer.status).toBe(415);
    expect(answer.body.reason).toBe('Unsupported Media Type');
  });

  test('404 for an unknown step, or a step of another job', async () => {
    const job = await e.addJob();
    const other = await e.addJob();
    const step = await e.addStep(job.id);
    expect((await builtin('PUT', progressPath(job.id, 'no-such-step'), { progress: 5 })).status).toBe(404);
    const wrongJob = await builtin('PUT', progressPath(other.id, step.id), { progress: 5 });
    expect(wrongJob.status).toBe(404);
    expect(wrongJob.body).toEqual({ reason: 'Operation Failed', detail: `Entity not found: ${step.id}` });
  });

  test('409 with a fault for a step that is no longer STARTED; the step keeps its progress', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    await builtin('PUT', progressPath(job.id, step.id), { progress: 60 });
    await e.post(`/jobs/${job.id}/steps/${step.id}/end`, { succeeded: true });
    const answer = await builtin('PUT', progressPath(job.id, step.id), { progress: 90 });
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({
      reason: 'Operation Failed',
      detail: '[Cannot set progress of Step. The Step is finished, not started.]',
    });
    expect((await e.get(`/jobs/${job.id}/steps/${step.id}`)).body).toMatchObject({
      status: 'finished',
      progress: '60',
    });
  });

  test('400 for an internal step, as for ending it', async () => {
    const { jobId, stepId } = e.insertInternalJob();
    const answer = await builtin('PUT', progressPath(jobId, stepId), { progress: 5 });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toContain('The specified Step is not external.');
  });

  test('403 for a user without the external-task permission, 401 without credentials', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    const forbidden = await builtin('PUT', progressPath(job.id, step.id), { progress: 5 }, 'user');
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({
      reason: 'Operation Failed',
      detail: '[User is not authorized to perform this action.]',
    });
    expect((await builtin('PUT', progressPath(job.id, step.id), { progress: 5 }, 'none')).status).toBe(401);
    expect((await e.get(`/jobs/${job.id}/steps/${step.id}`)).body.progress).toBeUndefined();
  });

  test('other methods are a 405', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    expect((await builtin('POST', progressPath(job.id, step.id), { progress: 5 })).status).toBe(405);
  });
});
