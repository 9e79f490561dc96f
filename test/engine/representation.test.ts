// JSON as oVirt writes it: strings for booleans and integers, epoch-ms dates, links, actions, collections.
import { engineForTests } from './engine-harness';
import type { TestEngine } from './engine-harness';

let e: TestEngine;
engineForTests((started) => (e = started));

const API = '/ovirt-engine/api';

test('a job: every field oVirt writes, primitives as strings, dates as numbers, null fields left out', async () => {
  const created = await e.post('/jobs', { description: 'shape' });
  const job = (await e.get(`/jobs/${created.body.id}`)).body;
  const id = job.id as string;
  expect(job).toEqual({
    id,
    href: `${API}/jobs/${id}`,
    description: 'shape',
    status: 'started',
    external: 'true',
    auto_cleared: 'false',
    start_time: expect.any(Number),
    last_updated: expect.any(Number),
    owner: { id: expect.any(String), href: expect.stringMatching(new RegExp(`^${API}/users/`)) },
    link: [{ href: `${API}/jobs/${id}/steps`, rel: 'steps' }],
    actions: {
      link: [
        { href: `${API}/jobs/${id}/clear`, rel: 'clear' },
        { href: `${API}/jobs/${id}/end`, rel: 'end' },
      ],
    },
  });
  expect(job.owner.href).toBe(`${API}/users/${job.owner.id}`);
});

test('a step: job and parent_step links, number as string, end action', async () => {
  const job = await e.addJob();
  const parent = await e.addStep(job.id);
  const step = (
    await e.post(`/jobs/${job.id}/steps`, { description: 'child', type: 'finalizing', parent_step: { id: parent.id } })
  ).body;
  const base = `${API}/jobs/${job.id}/steps`;
  expect(step).toEqual({
    id: step.id,
    href: `${base}/${step.id}`,
    description: 'child',
    type: 'finalizing',
    number: '0',
    status: 'started',
    external: 'true',
    start_time: expect.any(Number),
    job: { id: job.id, href: `${API}/jobs/${job.id}` },
    parent_step: { id: parent.id, href: `${base}/${parent.id}` },
    actions: { link: [{ href: `${base}/${step.id}/end`, rel: 'end' }] },
  });
  await e.post(`/jobs/${job.id}/steps/${step.id}/end`, { succeeded: true });
  expect(typeof (await e.get(`/jobs/${job.id}/steps/${step.id}`)).body.end_time).toBe('number');
});

test('POST answers 201 with a Location header naming the new entity', async () => {
  const created = await e.post('/jobs', { description: 'located' });
  expect(created.status).toBe(201);
  expect(created.headers.get('location')).toContain(created.body.href);
  const step = await e.post(`/jobs/${created.body.id}/steps`, { description: 's', type: 'executing' });
  expect(step.headers.get('location')).toContain(step.body.href);
});

test('collections are keyed by the singular element name; an empty one is {} as in oVirt', async () => {
  const job = await e.addJob();
  expect(await e.get(`/jobs/${job.id}/steps`)).toMatchObject({ status: 200, body: {} });
  await e.addStep(job.id);
  const steps = (await e.get(`/jobs/${job.id}/steps`)).body;
  expect(Object.keys(steps)).toEqual(['step']);
  expect(Array.isArray(steps.step)).toBe(true);
  expect(Object.keys((await e.get('/jobs')).body)).toEqual(['job']);
});

test('the API root answers product_info, the user and links', async () => {
  const root = (await e.get('')).body;
  expect(root.product_info).toMatchObject({
    name: 'oVirt Engine',
    vendor: 'ovirt.org',
    version: { major: '4', minor: expect.any(String) },
  });
  expect(root.link).toContainEqual({ href: `${API}/jobs`, rel: 'jobs' });
  expect(root.authenticated_user.id).toBeDefined();
});

test('the Version: 4 header and the /v4/ prefix reach the same API', async () => {
  const job = await e.addJob();
  expect((await e.get(`/jobs/${job.id}`, { headers: { Version: '4' } })).body.id).toBe(job.id);
  const token = await e.token('admin');
  const res = await fetch(`${e.engine.url}/ovirt-engine/api/v4/jobs/${job.id}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { id: string }).id).toBe(job.id);
});

test('the Correlation-Id is echoed on any call and stored only on jobs that call creates', async () => {
  const read = await e.get('/jobs', { headers: { 'Correlation-Id': 'read-1' } });
  expect(read.headers.get('correlation-id')).toBe('read-1');
  const job = await e.addJob({ description: 'later' }, { headers: { 'Correlation-Id': 'write-1' } });
  await e.post(`/jobs/${job.id}/end`, { succeeded: true }, { headers: { 'Correlation-Id': 'write-2' } });
  expect((await e.get('/jobs?search=correlation_id%3Dwrite-1')).body.job).toHaveLength(1);
  expect((await e.get('/jobs?search=correlation_id%3Dwrite-2')).body).toEqual({});
  expect((await e.get('/jobs?search=correlation_id%3Dread-1')).body).toEqual({});
});

test('unknown API paths are a 404 with a fault; bodies neither JSON nor XML a 415', async () => {
  const missing = await e.get('/nothing-here');
  expect(missing.status).toBe(404);
  expect(missing.body).toEqual({ reason: expect.any(String), detail: expect.any(String) });
  const text = await e.post('/jobs', undefined, {
    raw: 'description=x',
    headers: { 'content-type': 'text/plain' },
  });
  expect(text.status).toBe(415);
  expect(text.body.reason).toBe('Unsupported Media Type');
  expect(text.body.detail).toContain('application/xml and application/json');
});
