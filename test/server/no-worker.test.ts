// The API with its main worker down: every call answers within a second from what Temporal and the engine know,
// a flow whose worker stopped mid-way shows the engine's steps until a worker is back, and the event streams of one
// flow share one poller. Real Temporal dev server, real engine, real workers (started and stopped in process).
import { openApiChecker } from '../helpers/openapi';
import { eventually, startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
let checker: ReturnType<typeof openApiChecker>;

beforeAll(async () => {
  // A long vendor clone, so a flow is still cloning when its worker stops and when it comes back.
  stack = await startTestStack('no-worker', { mainWorker: false, cloneMs: 12_000, flowReads: { queryQuietMs: 1000 } });
  checker = openApiChecker(await (await fetch(`${stack.apiUrl}/api/openapi.json`)).json());
});
afterAll(() => stack?.stop());

/** Calls the API, checks the answer against the OpenAPI document, and measures how long it took. */
async function timed(
  method: string,
  path: string,
  template: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const started = Date.now();
  const res = await fetch(stack.apiUrl + path, {
    method,
    headers: {
      Authorization: `Bearer ${TEST_TOKEN}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  const ms = Date.now() - started;
  const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!;
  if (template) checker.check(method, template, res.status, contentType, json);
  return { status: res.status, body: json, ms };
}

/** Opens the flow's event stream; resolves with the first event and how long it took, and a way to close it. */
async function firstEvent(id: string) {
  const controller = new AbortController();
  const started = Date.now();
  const res = await fetch(`${stack.apiUrl}/api/v1/flows/${id}/events`, {
    headers: { Authorization: `Bearer ${TEST_TOKEN}` },
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the stream ended before its first event');
    text += decoder.decode(value, { stream: true });
    const block = text.split('\n\n').find((b) => /^event: /m.test(b) && /^data: /m.test(b));
    if (block) {
      const event = { event: /^event: (.+)$/m.exec(block)![1]!, data: JSON.parse(/^data: (.+)$/m.exec(block)![1]!) };
      return { ...event, ms: Date.now() - started, close: () => controller.abort() };
    }
  }
}

const flat = (
  steps: { description: string; children: unknown[] }[],
): { description: string; kind: string; status: string; children: unknown[] }[] =>
  steps.flatMap((s) => [s as never, ...flat(s.children as never)]);

describe('with no worker polling the main task queue', () => {
  test('every API call answers in under 1 s: start, repeated key, show, list, events, readyz, cancel', async () => {
    const body = { sourceVm: 'build-01', cloneName: 'build-01-noworker' };
    const key = { 'Idempotency-Key': 'no-worker-key-1' };
    const start = await timed('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', body, key);
    expect(start.status).toBe(202);
    expect(start.body).toMatchObject({
      id: expect.any(String),
      kind: 'rapid-clone',
      status: 'running',
      engineJobId: null,
    });
    expect(start.body.links.engineTasks).toBeUndefined();
    expect(start.ms).toBeLessThan(1000);
    const id = start.body.id as string;

    const again = await timed('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', body, key);
    expect(again).toMatchObject({ status: 202, body: { id, status: 'running', engineJobId: null } });
    expect(again.ms).toBeLessThan(1000);

    const preflight = await timed('POST', '/api/v1/flows/clone-preflight', '/api/v1/flows/clone-preflight', {
      sourceVm: 'web-02',
    });
    expect(preflight).toMatchObject({ status: 202, body: { kind: 'clone-preflight', engineJobId: null } });
    expect(preflight.ms).toBeLessThan(1000);

    // The first read waits out the query's bound; the next one skips the query (it timed out a moment ago).
    for (let i = 0; i < 2; i++) {
      const flow = await timed('GET', `/api/v1/flows/${id}`, '/api/v1/flows/{id}');
      expect(flow.status).toBe(200);
      expect(flow.body).toMatchObject({
        id,
        status: 'running',
        engineJobId: null,
        engineJobIds: [],
        steps: [],
        stepsSource: 'none',
      });
      expect(flow.body.notice).toMatch(/No worker answered .* no engine job yet/);
      expect(flow.body.input).toMatchObject(body);
      expect(flow.ms).toBeLessThan(1000);
    }

    const list = await timed('GET', '/api/v1/flows', '/api/v1/flows');
    expect(list.status).toBe(200);
    expect(list.ms).toBeLessThan(1000);

    const event = await firstEvent(preflight.body.id);
    event.close();
    expect(event).toMatchObject({
      event: 'step',
      data: { id: preflight.body.id, status: 'running', stepsSource: 'none' },
    });
    checker.check('GET', '/api/v1/flows/{id}', 200, 'application/json', event.data);
    expect(event.ms).toBeLessThan(1000);

    const ready = await timed('GET', '/readyz', '');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      checks: { temporal: { ok: true }, engine: { ok: true }, workers: { ok: false } },
    });
    expect(ready.body.checks.workers.warning).toBe(
      `No worker has polled task queue ${stack.taskQueue} in the last 90 s: flows start but do not progress until a worker runs`,
    );
    expect(ready.ms).toBeLessThan(1000);

    for (const flowId of [id, preflight.body.id]) {
      const cancel = await timed('POST', `/api/v1/flows/${flowId}/cancel`, '/api/v1/flows/{id}/cancel');
      expect(cancel).toMatchObject({ status: 202, body: { id: flowId, cancelRequested: true } });
      expect(cancel.ms).toBeLessThan(1000);
    }
  });
});

describe('a flow whose worker stops mid-way', () => {
  test('answers from the engine within 1 s while its worker is down, and from the workflow again once one is back', async () => {
    await stack.startMainWorker();
    const start = await timed('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', {
      sourceVm: 'web-01',
      cloneName: 'web-01-stopped',
    });
    const id = start.body.id as string;
    // Wait until the vendor clones (the oVirt steps before it are done), as the workflow tells (a read whose query
    // a busy machine answered late shows the engine's steps instead: read again).
    const cloning = await eventually(
      async () => {
        const { body } = await timed('GET', `/api/v1/flows/${id}`, '/api/v1/flows/{id}');
        const running = body.steps.some(
          (s: { kind: string; status: string }) => s.kind === 'external' && s.status === 'running',
        );
        return running && body.stepsSource === 'workflow' ? body : undefined;
      },
      30_000,
      'the vendor clone to run',
    );
    expect(cloning.stepsSource).toBe('workflow');
    expect(cloning.notice).toBeNull();
    expect(cloning.engineJobId).toEqual(expect.any(String));

    await stack.stopMainWorker();
    for (let i = 0; i < 2; i++) {
      const flow = await timed('GET', `/api/v1/flows/${id}`, '/api/v1/flows/{id}');
      expect(flow.ms).toBeLessThan(1000);
      expect(flow.body).toMatchObject({
        status: 'running',
        stepsSource: 'engine',
        engineJobId: cloning.engineJobId,
        engineJobIds: [cloning.engineJobId],
      });
      expect(flow.body.notice).toMatch(/No worker answered .* read from the engine job/);
      const steps = flow.body.steps as { description: string; kind: string; status: string; engineJobId: string }[];
      expect(steps.slice(0, 3)).toEqual([
        expect.objectContaining({
          description: 'Read VM web-01',
          kind: 'ovirt',
          status: 'finished',
          engineJobId: cloning.engineJobId,
        }),
        expect.objectContaining({ description: 'Shut down VM web-01', kind: 'ovirt', status: 'finished' }),
        expect.objectContaining({
          description: expect.stringMatching(/^Merge the snapshots of web-01/),
          kind: 'ovirt',
          status: 'finished',
        }),
      ]);
      expect(steps[3]).toMatchObject({
        description: expect.stringMatching(/^acme-storage: clone disk/),
        kind: 'external',
        status: 'running',
      });
      expect(steps.map((s) => s.description)).toEqual(cloning.steps.map((s: { description: string }) => s.description));
    }
    const event = await firstEvent(id);
    event.close();
    expect(event.data.stepsSource).toBe('engine');
    expect(event.ms).toBeLessThan(1000);

    await stack.startMainWorker();
    const live = await eventually(
      async () => {
        const { body } = await timed('GET', `/api/v1/flows/${id}`, '/api/v1/flows/{id}');
        return body.stepsSource === 'workflow' || body.status !== 'running' ? body : undefined;
      },
      30_000,
      'the workflow to answer again',
    );
    expect(live).toMatchObject({ status: 'running', stepsSource: 'workflow', notice: null });
    const done = await eventually(
      async () => {
        const { body } = await timed('GET', `/api/v1/flows/${id}`, '/api/v1/flows/{id}');
        return body.status === 'running' ? undefined : body;
      },
      60_000,
      'the flow to close',
    );
    expect(done).toMatchObject({
      status: 'completed',
      stepsSource: 'final',
      notice: null,
      engineJobIds: [cloning.engineJobId],
    });
    expect(flat(done.steps).every((s) => s.status === 'finished')).toBe(true);
  }, 120_000);
});

describe('event streams', () => {
  test('five streams of one flow share one poll loop, which stops when the last one leaves', async () => {
    await stack.startMainWorker();
    // idle-storage has no worker: the flow waits at its vendor step until cancelled.
    const start = await timed('POST', '/api/v1/flows/rapid-clone', '/api/v1/flows/rapid-clone', {
      sourceVm: 'db-01',
      cloneName: 'db-01-streams',
      vendor: 'idle-storage',
    });
    const id = start.body.id as string;
    const before = stack.watcher.stats();
    const streams = await Promise.all(Array.from({ length: 5 }, () => firstEvent(id)));
    expect(streams.every((s) => s.event === 'step' && s.data.id === id)).toBe(true);
    expect(stack.watcher.stats()).toMatchObject({ loops: 1, subscribers: 5 });
    await new Promise((r) => setTimeout(r, 3000));
    // One loop reads about once a second, whatever the number of streams (five loops would read ~15 times).
    expect(stack.watcher.stats().reads - before.reads).toBeLessThanOrEqual(6);
    streams.forEach((s) => s.close());
    await eventually(async () => (stack.watcher.stats().loops === 0 ? true : undefined), 5000, 'the poll loop to stop');
    expect((await timed('POST', `/api/v1/flows/${id}/cancel`, '/api/v1/flows/{id}/cancel')).status).toBe(202);
  }, 60_000);
});
