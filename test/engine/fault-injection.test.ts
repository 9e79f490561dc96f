// Fault injection under /ovirt-engine/api: latency, error rate, "fail the next N", set through /builtin/faults or
// the `faults` start option.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../../engine/start';
import { TestEngine } from './engine-harness';
import { ENGINE_PASSWORD } from '../helpers/credentials';

let e: TestEngine;
beforeAll(async () => {
  e = await TestEngine.start({ transitionMs: 100 });
});
afterEach(async () => {
  await e.callBuiltin('DELETE', '/builtin/faults');
});
afterAll(async () => {
  await e.close();
});

const setRules = (rules: unknown): ReturnType<TestEngine['callBuiltin']> =>
  e.callBuiltin('PUT', '/builtin/faults', rules);
const timed = async (call: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await call();
  return performance.now() - start;
};

test('off by default: no rules', async () => {
  expect((await e.callBuiltin('GET', '/builtin/faults')).body).toEqual({ rules: [] });
});

test('latencyMs delays matching calls only', async () => {
  expect((await setRules([{ pathPattern: '^/clusters', method: 'get', latencyMs: 300 }])).status).toBe(200);
  await e.token('admin');
  expect(await timed(() => e.get('/clusters'))).toBeGreaterThanOrEqual(290);
  expect(await timed(() => e.get('/templates'))).toBeLessThan(200);
  expect(await timed(() => e.post('/jobs', { description: 'not a GET' }))).toBeLessThan(200);
});

test('errorRate 1 answers every matching call 503 with an oVirt fault; other paths and the SSO are untouched', async () => {
  await setRules({ rules: [{ pathPattern: '^/vms', errorRate: 1 }] });
  const answer = await e.get('/vms');
  expect(answer.status).toBe(503);
  expect(answer.body).toEqual({
    reason: 'Service Unavailable',
    detail: expect.stringMatching(/^\[Injected fault: errorRate 1/),
  });
  expect((await e.get('/vms', { headers: {} })).status).toBe(503);
  expect((await e.get('/clusters')).status).toBe(200);
  const sso = await e.sso({
    grant_type: 'password',
    scope: 'ovirt-app-api',
    username: 'admin@internal',
    password: ENGINE_PASSWORD,
  });
  expect(sso.status).toBe(200);
  // The /v4 prefix reaches the same paths.
  const v4 = await fetch(`${e.engine.apiUrl}/v4/vms`, {
    headers: { accept: 'application/json', authorization: `Bearer ${await e.token('admin')}` },
  });
  expect(v4.status).toBe(503);
});

test('failNext N: the next N matching calls get 503, then calls succeed; GET shows what is left', async () => {
  await setRules([{ pathPattern: '^/jobs$', method: 'POST', failNext: 2 }]);
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await e.post('/jobs', { description: `try ${i}` })).status);
  expect(statuses).toEqual([503, 503, 201]);
  expect((await e.get('/jobs')).status).toBe(200);
  expect((await e.callBuiltin('GET', '/builtin/faults')).body).toEqual({
    rules: [{ pathPattern: '^/jobs$', method: 'POST', failNext: 0 }],
  });
});

test('only the admin may set rules (403); bad rules are a 400 naming the field', async () => {
  const asUser = await e.callBuiltin('PUT', '/builtin/faults', [], { as: 'user' });
  expect([asUser.status, asUser.body.detail]).toEqual([403, '[User is not authorized to perform this action.]']);
  expect((await e.callBuiltin('GET', '/builtin/faults', undefined, { as: 'none' })).status).toBe(401);
  const badRate = await setRules([{ pathPattern: '^/vms', errorRate: 2 }]);
  expect([badRate.status, badRate.body.detail]).toEqual([400, expect.stringContaining('rules[0].errorRate')]);
  const badRegex = await setRules([{ pathPattern: '(' }]);
  expect([badRegex.status, badRegex.body.detail]).toEqual([
    400,
    expect.stringContaining('rules[0].pathPattern: not a valid regular expression'),
  ]);
  const unknownField = await setRules([{ pathPattern: '^/vms', errorrate: 1 }]);
  expect(unknownField.status).toBe(400);
  expect((await e.callBuiltin('POST', '/builtin/faults', [])).status).toBe(405);
});

describe('the faults start option', () => {
  const dataDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'hf-engine-faults-'));

  test('rules given at start apply', async () => {
    const started = await TestEngine.start({ faults: JSON.stringify([{ pathPattern: '^/clusters$', failNext: 1 }]) });
    try {
      expect((await started.get('/clusters')).status).toBe(503);
      expect((await started.get('/clusters')).status).toBe(200);
    } finally {
      await started.close();
    }
  });

  test.each([
    ['{not json', /^faults: not valid JSON/],
    [JSON.stringify([{ latencyMs: 5 }]), /^faults: rules\[0\]\.pathPattern/],
    [JSON.stringify({ rules: [{ pathPattern: '^/', failNext: -1 }] }), /^faults: rules.*failNext/],
  ])('invalid %s: startEngine rejects naming faults', async (faults, message) => {
    const dir = dataDir();
    await expect(startEngine({ port: 0, dataDir: dir, adminPassword: ENGINE_PASSWORD, faults })).rejects.toThrow(
      message,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

test('a rule may answer 409, the conflict oVirt gives for "VM is not down", instead of 503', async () => {
  expect((await setRules([{ pathPattern: '^/vms$', method: 'GET', failNext: 1, status: 409 }])).status).toBe(200);
  const conflict = await e.get('/vms');
  expect(conflict.status).toBe(409);
  expect(conflict.body).toMatchObject({
    reason: 'Operation Failed',
    detail: expect.stringMatching(/^\[Injected fault: failNext/),
  });
  expect((await e.get('/vms')).status).toBe(200);
  expect((await setRules([{ pathPattern: '^/vms$', failNext: 1, status: 418 }])).status).toBe(400);
});
