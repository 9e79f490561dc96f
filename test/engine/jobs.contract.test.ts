// One test per rule of the jobs and steps table in docs/ovirt-api.md: status code, fault body, resulting state.
import { engineForTests } from './engine-harness';
import type { TestEngine } from './engine-harness';

let e: TestEngine;
engineForTests((started) => (e = started));

const jobCount = async (): Promise<number> => ((await e.get('/jobs')).body.job ?? []).length;

describe('POST /jobs', () => {
  test('description is mandatory: 400 Incomplete parameters, nothing created', async () => {
    const before = await jobCount();
    const answer = await e.post('/jobs', { auto_cleared: true });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ reason: 'Incomplete parameters', detail: 'Job [description] required for add' });
    expect(await jobCount()).toBe(before);
  });

  test('a blank description is refused like a missing one', async () => {
    const before = await jobCount();
    const answer = await e.post('/jobs', { description: '   ' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ reason: 'Incomplete parameters', detail: 'Job [description] required for add' });
    expect(await jobCount()).toBe(before);
  });

  test('auto_cleared defaults to false; the job is external, started, owned by the caller, with times set', async () => {
    const before = Date.now();
    const answer = await e.post('/jobs', { description: 'clone web-01' });
    expect(answer.status).toBe(201);
    const job = (await e.get(`/jobs/${answer.body.id}`)).body;
    expect(job).toMatchObject({
      description: 'clone web-01',
      auto_cleared: 'false',
      external: 'true',
      status: 'started',
    });
    const root = (await e.get('/')).body;
    expect(job.owner).toEqual(root.authenticated_user);
    expect(job.start_time).toBeGreaterThanOrEqual(before);
    expect(job.last_updated).toBeGreaterThanOrEqual(job.start_time);
    expect(job.end_time).toBeUndefined();
  });

  test('auto_cleared is taken as true or "true"', async () => {
    expect((await e.addJob({ description: 'a', auto_cleared: true })).auto_cleared).toBe('true');
    expect((await e.addJob({ description: 'b', auto_cleared: 'true' })).auto_cleared).toBe('true');
    expect((await e.addJob({ description: 'c', auto_cleared: 'false' })).auto_cleared).toBe('false');
    const bad = await e.post('/jobs', { description: 'd', auto_cleared: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.reason).toBe('Invalid value');
  });

  test('other body fields are ignored', async () => {
    const job = await e.addJob({ description: 'x', status: 'finished', external: 'false', end_time: 5, id: 'mine' });
    expect(job).toMatchObject({ status: 'started', external: 'true' });
    expect(job.id).not.toBe('mine');
    expect(job.end_time).toBeUndefined();
  });

  test('a body that is not JSON is a 400 and creates nothing', async () => {
    const before = await jobCount();
    const answer = await e.post('/jobs', undefined, { raw: '{"description": ' });
    expect(answer.status).toBe(400);
    expect(answer.body.reason).toBeDefined();
    expect(answer.body.detail).toBeDefined();
    expect(await jobCount()).toBe(before);
  });
});

describe('GET /jobs search and max', () => {
  test('the Correlation-Id header is sanitised, echoed, stored, and searchable', async () => {
    const created = await e.post(
      '/jobs',
      { description: 'correlated' },
      { headers: { 'Correlation-Id': 'rc-1 / web.01!' } },
    );
    expect(created.status).toBe(201);
    expect(created.headers.get('correlation-id')).toBe('rc-1web01');
    await e.addJob({ description: 'uncorrelated' });
    const found = await e.get('/jobs?search=correlation_id%3Drc-1web01');
    expect(found.status).toBe(200);
    expect(found.body.job.map((j: { id: string }) => j.id)).toEqual([created.body.id]);
  });

  test('the correlation_id query parameter works like the header; ids are cut to 36 characters', async () => {
    const long = 'q'.repeat(50);
    const created = await e.post(`/jobs?correlation_id=${long}`, { description: 'by query' });
    expect(created.headers.get('correlation-id')).toBe('q'.repeat(36));
    const found = await e.get(`/jobs?search=${encodeURIComponent(`correlation_id = ${'q'.repeat(36)}`)}`);
    expect(found.body.job).toHaveLength(1);
    expect(found.body.job[0].id).toBe(created.body.id);
  });

  test('an unknown correlation id finds nothing: an empty collection', async () => {
    const found = await e.get('/jobs?search=correlation_id%3Dnobody');
    expect(found.status).toBe(200);
    expect(found.body.job ?? []).toEqual([]);
  });

  test('correlation_id is the only search field for jobs', async () => {
    const answer = await e.get('/jobs?search=description%3Dx');
    expect(answer.status).toBe(400);
    expect(answer.body.reason).toBe('Operation Failed');
  });

  test('max limits the number of jobs; a bad max is a 400', async () => {
    await e.addJob();
    await e.addJob();
    expect((await e.get('/jobs?max=2')).body.job).toHaveLength(2);
    const bad = await e.get('/jobs?max=two');
    expect(bad.status).toBe(400);
    expect(bad.body.reason).toBe('Invalid value');
  });
});

describe('GET /jobs/{id}', () => {
  test('an unknown job is a 404 with a fault', async () => {
    const id = crypto.randomUUID();
    const answer = await e.get(`/jobs/${id}`);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ reason: 'Operation Failed', detail: `Entity not found: ${id}` });
  });
});

describe('POST /jobs/{id}/end', () => {
  test('an unknown job is a 400', async () => {
    const answer = await e.post(`/jobs/${crypto.randomUUID()}/end`, { succeeded: true });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ reason: 'Operation Failed', detail: '[Cannot Clear External Job. Job not found.]' });
  });

  test('a job that is not external is a 400 and stays started', async () => {
    const { jobId } = e.insertInternalJob();
    const answer = await e.post(`/jobs/${jobId}/end`, { succeeded: true });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      reason: 'Operation Failed',
      detail: '[Cannot Clear External Job. External steps can be added only to external jobs or steps.]',
    });
    expect((await e.get(`/jobs/${jobId}`)).body.status).toBe('started');
  });

  test('succeeded defaults to true: FINISHED with end_time and last_updated', async () => {
    const job = await e.addJob();
    const answer = await e.post(`/jobs/${job.id}/end`, {});
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'complete', job: { id: job.id, href: job.href } });
    const after = (await e.get(`/jobs/${job.id}`)).body;
    expect(after.status).toBe('finished');
    expect(after.end_time).toBeGreaterThanOrEqual(Number(job.start_time));
    expect(after.last_updated).toBe(after.end_time);
    expect(after.auto_cleared).toBe('false');
  });

  test('succeeded=false: FAILED', async () => {
    const job = await e.addJob();
    const answer = await e.post(`/jobs/${job.id}/end`, { succeeded: 'false' });
    expect(answer.status).toBe(200);
    expect(answer.body.succeeded).toBe('false');
    expect((await e.get(`/jobs/${job.id}`)).body.status).toBe('failed');
  });

  test('every STARTED step of the job, nested ones too, takes the job final status; ended steps keep theirs', async () => {
    const job = await e.addJob();
    const done = await e.addStep(job.id);
    await e.post(`/jobs/${job.id}/steps/${done.id}/end`, { succeeded: true });
    const open = await e.addStep(job.id);
    const nested = await e.addStep(job.id, { parent_step: { id: open.id } });
    await e.post(`/jobs/${job.id}/end`, { succeeded: false });
    const steps = (await e.get(`/jobs/${job.id}/steps`)).body.step as Record<string, unknown>[];
    const status = Object.fromEntries(steps.map((s) => [s.id, s.status]));
    expect(status).toEqual({ [done.id]: 'finished', [open.id]: 'failed', [nested.id]: 'failed' });
    expect(steps.every((s) => typeof s.end_time === 'number')).toBe(true);
  });

  test('force also sets auto_cleared=true', async () => {
    const job = await e.addJob();
    const answer = await e.post(`/jobs/${job.id}/end`, { succeeded: true, force: true });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ succeeded: 'true', force: 'true', status: 'complete' });
    expect((await e.get(`/jobs/${job.id}`)).body).toMatchObject({ status: 'finished', auto_cleared: 'true' });
  });

  test('only a STARTED job changes: ending an ended job answers complete and changes nothing', async () => {
    const job = await e.addJob();
    await e.post(`/jobs/${job.id}/end`, { succeeded: true });
    const first = (await e.get(`/jobs/${job.id}`)).body;
    const again = await e.post(`/jobs/${job.id}/end`, { succeeded: false, force: true });
    expect(again.status).toBe(200);
    expect((await e.get(`/jobs/${job.id}`)).body).toEqual(first);
  });

  test('only succeeded and force are read from the action', async () => {
    const job = await e.addJob({ description: 'keep me' });
    await e.post(`/jobs/${job.id}/end`, {
      succeeded: true,
      description: 'changed',
      status: 'failed',
      auto_cleared: true,
    });
    expect((await e.get(`/jobs/${job.id}`)).body).toMatchObject({
      description: 'keep me',
      status: 'finished',
      auto_cleared: 'false',
    });
  });
});

describe('POST /jobs/{id}/clear', () => {
  test('sets auto_cleared=true on an external job, whatever its status', async () => {
    const job = await e.addJob();
    const answer = await e.post(`/jobs/${job.id}/clear`, {});
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'complete', job: { id: job.id, href: job.href } });
    expect((await e.get(`/jobs/${job.id}`)).body).toMatchObject({ auto_cleared: 'true', status: 'started' });
  });

  test('external jobs only: an internal job is a 400 and keeps its flag', async () => {
    const { jobId } = e.insertInternalJob();
    e.withDatabase((db) => db.prepare('UPDATE jobs SET auto_cleared = 0 WHERE id = ?').run(jobId));
    const answer = await e.post(`/jobs/${jobId}/clear`, {});
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      reason: 'Operation Failed',
      detail: '[Cannot Clear External Job. External steps can be added only to external jobs or steps.]',
    });
    expect((await e.get(`/jobs/${jobId}`)).body.auto_cleared).toBe('false');
  });

  test('an unknown job is a 400', async () => {
    const answer = await e.post(`/jobs/${crypto.randomUUID()}/clear`, {});
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ reason: 'Operation Failed', detail: '[Cannot Clear External Job. Job not found.]' });
  });
});

describe('POST /jobs/{id}/steps', () => {
  test('description and type are mandatory: 400 naming the missing ones, nothing added', async () => {
    const job = await e.addJob();
    const none = await e.post(`/jobs/${job.id}/steps`, {});
    expect(none.status).toBe(400);
    expect(none.body).toEqual({ reason: 'Incomplete parameters', detail: 'Step [description, type] required for add' });
    const noType = await e.post(`/jobs/${job.id}/steps`, { description: 'x' });
    expect(noType.body).toEqual({ reason: 'Incomplete parameters', detail: 'Step [type] required for add' });
    expect((await e.get(`/jobs/${job.id}/steps`)).body.step).toBeUndefined();
  });

  test('an invalid type is a 400 Invalid value listing the step types', async () => {
    const job = await e.addJob();
    const answer = await e.post(`/jobs/${job.id}/steps`, { description: 'x', type: 'copying' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      reason: 'Invalid value',
      detail:
        'copying is not a member of StepEnum. Possible values for StepEnum are: validating, executing, finalizing, rebalancing_volume, removing_bricks, unknown',
    });
    expect((await e.get(`/jobs/${job.id}/steps`)).body.step).toBeUndefined();
  });

  test('the parent must be an existing job or step: 400 otherwise', async () => {
    const unknownJob = await e.post(`/jobs/${crypto.randomUUID()}/steps`, { description: 'x', type: 'executing' });
    expect(unknownJob.status).toBe(400);
    expect(unknownJob.body).toEqual({
      reason: 'Operation Failed',
      detail: '[Cannot add External Job. Step should be a child of the Job or other Step.]',
    });
    const job = await e.addJob();
    const unknownStep = await e.post(`/jobs/${job.id}/steps`, {
      description: 'x',
      type: 'executing',
      parent_step: { id: crypto.randomUUID() },
    });
    expect(unknownStep.status).toBe(400);
    expect(unknownStep.body.detail).toBe('[Cannot add External Job. Step should be a child of the Job or other Step.]');
    expect((await e.get(`/jobs/${job.id}/steps`)).body.step).toBeUndefined();
  });

  test('a step directly under a job needs an external job', async () => {
    const { jobId } = e.insertInternalJob();
    const answer = await e.post(`/jobs/${jobId}/steps`, { description: 'x', type: 'executing' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      reason: 'Operation Failed',
      detail: '[Cannot add External Job. External steps can be added only to external jobs or steps.]',
    });
    expect((await e.get(`/jobs/${jobId}/steps`)).body.step).toHaveLength(1);
  });

  test('number is the count of existing siblings; nesting goes through parent_step', async () => {
    const job = await e.addJob();
    const first = await e.addStep(job.id);
    const second = await e.addStep(job.id);
    const child0 = await e.addStep(job.id, { parent_step: { id: first.id } });
    const child1 = await e.addStep(job.id, { parent_step: { id: first.id } });
    const third = await e.addStep(job.id);
    expect([first.number, second.number, third.number]).toEqual(['0', '1', '2']);
    expect([child0.number, child1.number]).toEqual(['0', '1']);
    expect(child0.parent_step).toEqual({ id: first.id, href: first.href });
    expect(first.parent_step).toBeUndefined();
  });

  test('status is always STARTED on add, whatever the body says; type is taken as written', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id, { status: 'finished', type: 'validating', end_time: 1 });
    expect(step).toMatchObject({ status: 'started', type: 'validating', external: 'true' });
    expect(step.end_time).toBeUndefined();
  });
});

describe('GET steps', () => {
  test('list and get; unknown job or step is a 404', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    expect((await e.get(`/jobs/${job.id}/steps`)).body.step.map((s: { id: string }) => s.id)).toEqual([step.id]);
    expect((await e.get(`/jobs/${job.id}/steps/${step.id}`)).body).toEqual(step);
    const missingJob = await e.get(`/jobs/${crypto.randomUUID()}/steps`);
    expect(missingJob.status).toBe(404);
    expect(missingJob.body.reason).toBe('Operation Failed');
    const other = await e.addJob();
    const wrongJob = await e.get(`/jobs/${other.id}/steps/${step.id}`);
    expect(wrongJob.status).toBe(404);
    expect(wrongJob.body).toEqual({ reason: 'Operation Failed', detail: `Entity not found: ${step.id}` });
  });
});

describe('POST /jobs/{j}/steps/{s}/end', () => {
  test('the step must exist: 400 otherwise', async () => {
    const job = await e.addJob();
    const answer = await e.post(`/jobs/${job.id}/steps/${crypto.randomUUID()}/end`, { succeeded: true });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ reason: 'Operation Failed', detail: '[Cannot ${action} ${type}. Step not found.]' });
    expect((await e.get(`/jobs/${job.id}`)).body.status).toBe('started');
  });

  test('the step must be external: 400 otherwise, unchanged', async () => {
    const { jobId, stepId } = e.insertInternalJob();
    const answer = await e.post(`/jobs/${jobId}/steps/${stepId}/end`, { succeeded: true });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      reason: 'Operation Failed',
      detail: '[Cannot ${action} ${type}. External steps can be added only to external jobs or steps.]',
    });
    expect((await e.get(`/jobs/${jobId}/steps/${stepId}`)).body.status).toBe('started');
  });

  test('succeeded is mandatory for a step', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    const answer = await e.post(`/jobs/${job.id}/steps/${step.id}/end`, {});
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ reason: 'Incomplete parameters', detail: 'Action [succeeded] required for end' });
    expect((await e.get(`/jobs/${job.id}/steps/${step.id}`)).body.status).toBe('started');
  });

  test('success: the step FINISHES and the job stays STARTED, even when every step is finished', async () => {
    const job = await e.addJob();
    const a = await e.addStep(job.id);
    const b = await e.addStep(job.id);
    const answer = await e.post(`/jobs/${job.id}/steps/${a.id}/end`, { succeeded: true });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ succeeded: 'true', status: 'complete', step: { id: a.id, href: a.href } });
    await e.post(`/jobs/${job.id}/steps/${b.id}/end`, { succeeded: 'true' });
    const steps = (await e.get(`/jobs/${job.id}/steps`)).body.step as Record<string, unknown>[];
    expect(steps.map((s) => s.status)).toEqual(['finished', 'finished']);
    expect(steps.every((s) => typeof s.end_time === 'number')).toBe(true);
    const after = (await e.get(`/jobs/${job.id}`)).body;
    expect(after.status).toBe('started');
    expect(after.end_time).toBeUndefined();
  });

  test('failure: the step FAILS, the whole job FAILS and its other STARTED steps are closed', async () => {
    const job = await e.addJob();
    const done = await e.addStep(job.id);
    await e.post(`/jobs/${job.id}/steps/${done.id}/end`, { succeeded: true });
    const failing = await e.addStep(job.id);
    const sibling = await e.addStep(job.id);
    const nested = await e.addStep(job.id, { parent_step: { id: sibling.id } });
    const answer = await e.post(`/jobs/${job.id}/steps/${failing.id}/end`, { succeeded: false });
    expect(answer.status).toBe(200);
    expect(answer.body.succeeded).toBe('false');
    const after = (await e.get(`/jobs/${job.id}`)).body;
    expect(after.status).toBe('failed');
    expect(typeof after.end_time).toBe('number');
    const status = Object.fromEntries(
      ((await e.get(`/jobs/${job.id}/steps`)).body.step as Record<string, string>[]).map((s) => [s.id, s.status]),
    );
    expect(status).toEqual({
      [done.id]: 'finished',
      [failing.id]: 'failed',
      [sibling.id]: 'failed',
      [nested.id]: 'failed',
    });
  });

  test('no status guard: an ended step can be ended again', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    await e.post(`/jobs/${job.id}/steps/${step.id}/end`, { succeeded: true });
    const again = await e.post(`/jobs/${job.id}/steps/${step.id}/end`, { succeeded: false });
    expect(again.status).toBe(200);
    expect((await e.get(`/jobs/${job.id}/steps/${step.id}`)).body.status).toBe('failed');
    expect((await e.get(`/jobs/${job.id}`)).body.status).toBe('failed');
  });

  test('force is ignored for steps', async () => {
    const job = await e.addJob();
    const step = await e.addStep(job.id);
    const answer = await e.post(`/jobs/${job.id}/steps/${step.id}/end`, { succeeded: true, force: true });
    expect(answer.body).toEqual({ succeeded: 'true', status: 'complete', step: { id: step.id, href: step.href } });
    expect((await e.get(`/jobs/${job.id}`)).body).toMatchObject({ status: 'started', auto_cleared: 'false' });
  });
});

describe('no update, no delete', () => {
  test('PUT and DELETE on a job are refused and change nothing', async () => {
    const job = await e.addJob({ description: 'stay' });
    const put = await e.call('PUT', `/jobs/${job.id}`, { description: 'new' });
    expect(put.status).toBe(405);
    expect(put.body.reason).toBe('Method Not Allowed');
    expect((await e.call('DELETE', `/jobs/${job.id}`)).status).toBe(405);
    expect((await e.get(`/jobs/${job.id}`)).body.description).toBe('stay');
  });
});
