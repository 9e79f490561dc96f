// The HTTP API against the real stack: every endpoint and every error class, each answer checked against the
// server's own OpenAPI document, which itself must be a valid OpenAPI 3.1 document.
import SwaggerParser from '@apidevtools/swagger-parser';
import { collection, Job } from '../../ovirt/representation';
import { openApiChecker } from '../helpers/openapi';
import { eventually, startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
let checker: ReturnType<typeof openApiChecker>;

beforeAll(async () => {
  stack = await startTestStack('api');
  const doc = await (await fetch(`${stack.apiUrl}/api/openapi.json`)).json();
  checker = openApiChecker(doc);
});
afterAll(() => stack?.stop());

/** Calls the API and checks the answer against the OpenAPI document. */
async function call(
  method: string,
  path: string,
  template: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(stack.apiUrl + path, {
    method,
    headers: {
      Authorization: `Bearer ${TEST_TOKEN}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!;
  const json = contentType.endsWith('json') ? await res.json() : undefined;
  if (json !== undefined) checker.check(method, template, res.status, contentType, json);
  return { status: res.status, body: json, contentType, headers: res.headers };
}

const closed = (id: string) =>
  eventually(
    async () => {
      const { body } = await call('GET', `/api/v1/flows/${id}`, '/api/v1/flows/{id}');
      return body.status === 'running' ? undefined : body;
    },
    60_000,
    `flow ${id} to close`,
  );

describe('documents and health', () => {
  test('the OpenAPI document is valid OpenAPI 3.1 and served without a token, with a docs page', async () => {
    const res = await fetch(`${stack.apiUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    // Throws with the reasons unless the document is valid OpenAPI 3.1 (structure and schemas).
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/flows/rapid-clone', '/api/v1/flows', '/api/v1/flows/{id}', '/api/v1/vms']),
    );
    const docs = await fetch(`${stack.apiUrl}/api/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui-bundle.js');
    expect((await fetch(`${stack.apiUrl}/api/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  test('healthz and readyz answer without a token; readyz checks Temporal, the engine and the workers', async () => {
    expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${stack.apiUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { temporal: { ok: true }, engine: { ok: true }, workers: { ok: true } },
    });
  });
});

describe('authentication', () => {
  test('no token or a wrong one is a 401 problem', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: 'Bearer wrong-token-wrong-token' },
      { Authorization: 'Basic abc' },
    ];
    for (const headers of attempts) {
      const res = await fetch(`${stack.apiUrl}/api/v1/flows`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await res.json()).title).toBe('Unauthorized');
    }
  });

  test('pages log in with the token for an HttpOnly session cookie; cookie writes need X-Requested-By', async () => {
    const wrong = await fetch(`${stack.apiUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: 'nope' }),
    });
    expect(wrong.status).toBe(401);
    const login = await fetch(`${stack.apiUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: TEST_TOKEN }),
    });
    expect(login.status).toBe(204);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/hf_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).not.toContain(TEST_TOKEN);
    const cookie = setCookie.split(';')[0]!;
    expect((await fetch(`${stack.apiUrl}/api/v1/vendors`, { headers: { cookie } })).status).toBe(200);
    const forged = await fetch(`${stack.apiUrl}/api/v1/flows/x/cancel`, { method: 'POST', headers: { cookie } });
    expect(forged.status).toBe(403);
    const allowed = await fetch(`${stack.apiUrl}/api/v1/flows/x/cancel`, {
      method: 'POST',
      headers: { cookie, 'X-Requested-By': 'hybridflow' },
    });
    expect(allowed.status).toBe(404);
  });
});

describe('starting a rapid clone', () => {
  test('bad input is a 400 naming each bad field', async () => {
    const res = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', {
      sourceVm: '',
      cloneName: 'bad name!',
      startClone: 'yes',
      extra: 1,
    });
    expect(res.status).toBe(400);
    expect(res.contentType).toBe('application/problem+json');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body',
      'body.cloneName',
      'body.sourceVm',
      'body.startClone',
    ]);
    expect(res.body.errors.find((e: { field: string }) => e.field === 'body.cloneName').message).toMatch(
      /letters, digits/,
    );
  });

  test('a malformed body, the wrong content type and too large a body get 400, 415 and 413', async () => {
    expect((await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', '{"sourceVm":')).status).toBe(
      400,
    );
    const text = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', 'sourceVm=web-01', {
      'Content-Type': 'text/plain',
    });
    expect(text.status).toBe(415);
    const huge = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', {
      sourceVm: 'web-01',
      cloneName: 'x',
      pad: 'x'.repeat(100_000),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.title).toBe('Request body too large');
  });

  test('a clone name that is taken is a 409, an unknown source VM a 400, both before any flow starts', async () => {
    const taken = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', {
      sourceVm: 'web-01',
      cloneName: 'web-02',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.detail).toBe('A VM named web-02 already exists.');
    const unknown = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', {
      sourceVm: 'nope-01',
      cloneName: 'nope-01-clone',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'body.sourceVm', message: 'no VM named or with id "nope-01"' }]);
    const vendor = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', {
      sourceVm: 'web-01',
      cloneName: 'web-01-v',
      vendor: 'nobody',
    });
    expect(vendor.status).toBe(400);
    expect(vendor.body.errors).toEqual([
      {
        field: 'body.vendor',
        message: expect.stringMatching(/^is not a registered vendor \(registered: acme-storage/),
      },
    ]);
  });

  test('the same Idempotency-Key returns the same flow and never starts a second clone', async () => {
    const body = { sourceVm: 'test-01', cloneName: 'test-01-idem' };
    const first = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', body, {
      'Idempotency-Key': 'key-123',
    });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({
      kind: 'rapid-clone',
      status: 'running',
      links: { self: `/api/v1/flows/${first.body.id}` },
    });
    // The start does not wait for the worker to open the engine job: its id comes with the flow's document.
    expect(first.body.engineJobId).toBeNull();
    const withJob = await eventually(
      async () => {
        const { body: f } = await call('GET', `/api/v1/flows/${first.body.id}`, '/api/v1/flows/{id}');
        return f.engineJobId ? f : undefined;
      },
      15_000,
      'the engine job id',
    );
    expect(withJob.links.engineTasks).toContain(withJob.engineJobId);
    expect(withJob.engineJobIds).toEqual([withJob.engineJobId]);
    const second = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', body, {
      'Idempotency-Key': 'key-123',
    });
    expect(second.body.id).toBe(first.body.id);
    const flow = await closed(first.body.id);
    expect(flow.status).toBe('completed');
    const third = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', body, {
      'Idempotency-Key': 'key-123',
    });
    expect(third.status).toBe(202);
    expect(third.body).toMatchObject({ id: first.body.id, status: 'completed' });
    const jobs = await stack.ovirt.get('/jobs', collection('job', Job), {
      query: { search: `correlation_id=${first.body.id}` },
    });
    expect(jobs.filter((j) => j.external)).toHaveLength(1);
  });
});

describe('reading, following and cancelling flows', () => {
  let completedId: string;

  test('a flow reads back with input, result, steps and links; its events end with a flow event', async () => {
    const start = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', {
      sourceVm: 'build-01',
      cloneName: 'build-01-api',
    });
    const events: { event: string; data: { status: string; steps: unknown[] } }[] = [];
    const res = await fetch(`${stack.apiUrl}/api/v1/flows/${start.body.id}/events`, {
      headers: { Authorization: `Bearer ${TEST_TOKEN}` },
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text(); // the stream ends once the flow has closed
    for (const block of text.split('\n\n')) {
      const event = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) });
    }
    expect(events.length).toBeGreaterThan(1);
    expect(events.slice(0, -1).every((e) => e.event === 'step')).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'flow', data: { status: 'completed' } });
    for (const e of events) checker.check('GET', '/api/v1/flows/{id}', 200, 'application/json', e.data);

    const flow = await call('GET', `/api/v1/flows/${start.body.id}`, '/api/v1/flows/{id}');
    expect(flow.body).toMatchObject({
      status: 'completed',
      kind: 'rapid-clone',
      input: { sourceVm: 'build-01', cloneName: 'build-01-api' },
      error: null,
    });
    expect(flow.body.result.cloneName).toBe('build-01-api');
    expect(flow.body.steps.every((s: { status: string }) => s.status === 'finished')).toBe(true);
    completedId = start.body.id;
  });

  test('the list pages through flows and filters by status and kind', async () => {
    const all = await call('GET', '/api/v1/flows?pageSize=1', '/api/v1/flows');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(1);
    expect(all.body.nextPageToken).toEqual(expect.any(String));
    const next = await call('GET', `/api/v1/flows?pageSize=1&pageToken=${all.body.nextPageToken}`, '/api/v1/flows');
    expect(next.body.items[0].id).not.toBe(all.body.items[0].id);
    const completed = await eventually(
      async () => {
        const r = await call('GET', '/api/v1/flows?status=completed&kind=rapid-clone', '/api/v1/flows');
        return r.body.items.some((f: { id: string }) => f.id === completedId) ? r : undefined;
      },
      15_000,
      'visibility to list the completed flow',
    );
    expect(
      completed.body.items.every(
        (f: { status: string; kind: string }) => f.status === 'completed' && f.kind === 'rapid-clone',
      ),
    ).toBe(true);
    const item = completed.body.items.find((f: { id: string }) => f.id === completedId);
    expect(item).toMatchObject({
      vendor: 'acme-storage',
      summary: 'Rapid clone of build-01 as build-01-api (acme-storage)',
    });
    expect(item.engineJobId).toEqual(expect.any(String));
    const bad = await call('GET', '/api/v1/flows?status=sleeping&pageSize=500', '/api/v1/flows');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.pageSize', 'query.status']);
  });

  test('an unknown flow is a 404 for show, cancel and events; cancelling a closed flow is a 409', async () => {
    expect((await call('GET', '/api/v1/flows/no-such-flow', '/api/v1/flows/{id}')).status).toBe(404);
    expect((await call('POST', '/api/v1/flows/no-such-flow/cancel', '/api/v1/flows/{id}/cancel')).status).toBe(404);
    expect((await call('GET', '/api/v1/flows/no-such-flow/events', '/api/v1/flows/{id}/events')).status).toBe(404);
    const closedFlow = await call('POST', `/api/v1/flows/${completedId}/cancel`, '/api/v1/flows/{id}/cancel');
    expect(closedFlow.status).toBe(409);
    expect(closedFlow.body.detail).toMatch(/is completed/);
  });

  test('cancel stops a running flow, which ends cancelled with its steps undone', async () => {
    const start = await call('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', {
      sourceVm: 'db-01',
      cloneName: 'db-01-api',
    });
    const cancel = await call('POST', `/api/v1/flows/${start.body.id}/cancel`, '/api/v1/flows/{id}/cancel');
    expect(cancel.status).toBe(202);
    const flow = await closed(start.body.id);
    expect(flow.status).toBe('cancelled');
    expect(flow.error).toMatch(/cancelled/);
  });
});

describe('inventory for the wizard', () => {
  test('VMs with status and disks, searchable', async () => {
    const all = await call('GET', '/api/v1/vms', '/api/v1/vms');
    expect(all.body.items.map((v: { name: string }) => v.name)).toEqual(
      expect.arrayContaining(['web-01', 'web-02', 'db-01']),
    );
    expect(all.body.items.find((v: { name: string }) => v.name === 'web-01').disks[0]).toMatchObject({
      name: 'web-01_Disk1',
      sizeBytes: expect.any(Number),
    });
    const web = await call('GET', '/api/v1/vms?search=web', '/api/v1/vms');
    expect(web.body.items.map((v: { name: string }) => v.name).sort()).toEqual(
      expect.arrayContaining(['web-01', 'web-02']),
    );
    expect(web.body.items.every((v: { name: string }) => v.name.includes('web'))).toBe(true);
  });

  test('clone names are checked: valid and free, taken, invalid', async () => {
    const free = await call('GET', '/api/v1/vms/name-check?name=web-01-new', '/api/v1/vms/name-check');
    expect(free.body).toEqual({ name: 'web-01-new', valid: true, available: true, problem: null });
    const taken = await call('GET', '/api/v1/vms/name-check?name=web-02', '/api/v1/vms/name-check');
    expect(taken.body).toMatchObject({ valid: true, available: false, problem: 'A VM named web-02 already exists.' });
    const invalid = await call('GET', '/api/v1/vms/name-check?name=no%20spaces', '/api/v1/vms/name-check');
    expect(invalid.body).toMatchObject({ valid: false, available: false });
    expect(invalid.body.problem).toMatch(/letters, digits/);
  });

  test('vendors list whether their worker is online, with their registered activities', async () => {
    const vendors = await call('GET', '/api/v1/vendors', '/api/v1/vendors');
    const brief = vendors.body.items.map((v: { id: string; online: boolean; taskQueue: string; mode: string }) => ({
      id: v.id,
      mode: v.mode,
      online: v.online,
      taskQueue: v.taskQueue,
    }));
    const queue = (id: string) => `${stack.taskQueue}.vendor.${id}`;
    expect(brief).toEqual([
      { id: 'acme-storage', mode: 'temporal', online: true, taskQueue: queue('acme-storage') },
      { id: 'broken-storage', mode: 'temporal', online: true, taskQueue: queue('broken-storage') },
      { id: 'idle-storage', mode: 'temporal', online: false, taskQueue: queue('idle-storage') },
      { id: 'lossy-storage', mode: 'temporal', online: true, taskQueue: queue('lossy-storage') },
      { id: 'picky-storage', mode: 'temporal', online: true, taskQueue: queue('picky-storage') },
      { id: 'python-storage', mode: 'temporal', online: false, taskQueue: queue('python-storage') },
    ]);
    for (const v of vendors.body.items)
      expect(v.activities.map((a: { name: string }) => a.name)).toEqual([
        'checkCloneable',
        'cloneDisk',
        'deleteImage',
        'updateDiskMetadata',
      ]);
    expect(JSON.stringify(vendors.body)).not.toMatch(/hfv_/);
  });
});

test('unknown paths are a 404 problem, never a stack trace', async () => {
  const res = await fetch(`${stack.apiUrl}/api/v1/nothing-here`, {
    headers: { Authorization: `Bearer ${TEST_TOKEN}` },
  });
  expect(res.status).toBe(404);
  expect(await res.text()).not.toMatch(/\bat .+\.ts:\d+/);
});
