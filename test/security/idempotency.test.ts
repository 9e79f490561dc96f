// Idempotency-Key as an attacker (or a confused script) would use it: the VM's id instead of its name is the same
// request, a different body with the same key is a 422 (never the first flow answered silently), keys are kept
// whole and per operation, concurrent repeats start one flow, and a restarted server still knows its keys.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collection, Vm } from '../../ovirt/representation';
import { openServerDb } from '../../db/database';
import { createIdempotencyStore } from '../../db/idempotency-keys';
import { startTestStack, TEST_TOKEN, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('idempotency', { cloneMs: 5000 });
});
afterAll(() => stack?.stop());

const start = (body: object, key: string) =>
  fetch(`${stack.apiUrl}/api/v1/flows/rapid-clone`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: await r.json() }));

test('the same key with the VM id instead of its name is the same request: the same flow, no second clone', async () => {
  const [vm] = await stack.ovirt.get('/vms', collection('vm', Vm), { query: { search: 'name=web-02' } });
  const byName = await start({ sourceVm: 'web-02', cloneName: 'web-02-idem' }, 'key-by-name-or-id');
  expect(byName.status).toBe(202);
  const byId = await start({ sourceVm: vm!.id, cloneName: 'web-02-idem' }, 'key-by-name-or-id');
  expect(byId).toMatchObject({ status: 202, body: { id: byName.body.id } });
  const flows = await stack.api('GET', '/api/v1/flows?kind=rapid-clone&pageSize=100');
  expect(flows.body.items.filter((f: { summary: string }) => /web-02-idem/.test(f.summary))).toHaveLength(1);
});

test('the same key with a different body is a 422 naming the header, and starts nothing', async () => {
  const first = await start({ sourceVm: 'db-01', cloneName: 'db-01-idem' }, 'key-other-body');
  expect(first.status).toBe(202);
  for (const body of [
    { sourceVm: 'db-01', cloneName: 'db-01-idem-2' },
    { sourceVm: 'db-01', cloneName: 'db-01-idem', startClone: true },
    { sourceVm: 'web-01', cloneName: 'db-01-idem' },
  ]) {
    const again = await start(body, 'key-other-body');
    expect(again.status).toBe(422);
    expect(again.body.errors).toEqual([
      { field: 'header.Idempotency-Key', message: 'was used before with a different request' },
    ]);
    expect(again.body.detail).toContain(first.body.id);
  }
  const flows = await stack.api('GET', '/api/v1/flows?kind=rapid-clone&pageSize=100');
  expect(
    flows.body.items.filter((f: { summary: string }) => /db-01-idem-2|web-01 as db-01-idem/.test(f.summary)),
  ).toEqual([]);
});

test('concurrent requests with one key start one flow', async () => {
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => start({ sourceVm: 'build-01', cloneName: 'build-01-idem' }, 'key-concurrent')),
  );
  expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202]));
  expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
});

test('keys are kept whole, per operation, and survive a restart of the server (a new store on the same files)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-idem-'));
  try {
    const db = await openServerDb({ dataDir: dir });
    const store = createIdempotencyStore(db);
    const long = 'k'.repeat(199);
    expect(await store.claim('rapid-clone', `${long}a`, { flowId: 'f1', fingerprint: 'p1' })).toEqual({
      flowId: 'f1',
      fingerprint: 'p1',
    });
    expect(await store.claim('rapid-clone', `${long}b`, { flowId: 'f2', fingerprint: 'p2' })).toEqual({
      flowId: 'f2',
      fingerprint: 'p2',
    });
    expect(await store.claim('bulk-clone', `${long}a`, { flowId: 'f3', fingerprint: 'p3' })).toEqual({
      flowId: 'f3',
      fingerprint: 'p3',
    });
    expect(await store.claim('rapid-clone', `${long}a`, { flowId: 'f4', fingerprint: 'p4' })).toEqual({
      flowId: 'f1',
      fingerprint: 'p1',
    });
    await db.destroy();
    const reopened = await openServerDb({ dataDir: dir });
    const restarted = createIdempotencyStore(reopened);
    expect(await restarted.get('rapid-clone', `${long}a`)).toEqual({ flowId: 'f1', fingerprint: 'p1' });
    await reopened.destroy();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
