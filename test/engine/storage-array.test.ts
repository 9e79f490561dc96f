// The storage-side hook (not oVirt) under /builtin/storage-array: place, update, list and delete images.
import path from 'node:path';
import { TestEngine } from './engine-harness';
import type { Entity } from './engine-harness';

let e: TestEngine;
let sd: Entity;
beforeAll(async () => {
  e = await TestEngine.start({ transitionMs: 100 });
  sd = (await e.get('/storagedomains')).body.storage_domain[0];
});
afterAll(async () => {
  await e.close();
});

const images = (sdId: string): string => `/builtin/storage-array/domains/${sdId}/images`;
const GiB = 1024 ** 3;

test('PUT places an unregistered image (201), the same id again answers it (200): vendors retry', async () => {
  const id = crypto.randomUUID();
  const source = (await e.get('/disks?search=name%3Dweb-01_Disk1')).body.disk[0] as Entity;
  const body = {
    name: 'web-01_clone',
    provisioned_size: String(20 * GiB),
    source_disk_id: source.id,
    description: 'cloned by the array',
  };
  const first = await e.callBuiltin('PUT', `${images(sd.id)}/${id}`, body);
  expect(first.status).toBe(201);
  expect(first.body).toEqual({
    id,
    name: 'web-01_clone',
    description: 'cloned by the array',
    storage_domain_id: sd.id,
    provisioned_size: 20 * GiB,
    actual_size: 5 * GiB,
    status: 'ok',
    registered: false,
    source_disk_id: source.id,
    creation_time: expect.any(Number),
  });
  const again = await e.callBuiltin('PUT', `${images(sd.id)}/${id}`, { ...body, provisioned_size: 20 * GiB });
  expect([again.status, again.body]).toEqual([200, first.body]);
  expect(
    ((await e.get(`/storagedomains/${sd.id}/disks;unregistered`)).body.disk as Entity[]).map((d) => d.id),
  ).toContain(id);
});

test("PATCH metadata sets what oVirt shows once registered; registered images are oVirt's (409)", async () => {
  const id = crypto.randomUUID();
  await e.callBuiltin('PUT', `${images(sd.id)}/${id}`, { name: 'tmp-name', provisioned_size: GiB });
  const patched = await e.callBuiltin('PATCH', `${images(sd.id)}/${id}/metadata`, {
    alias: 'clone-01_Disk1',
    description: 'Clone of web-01_Disk1',
  });
  expect(patched.status).toBe(200);
  expect(patched.body).toMatchObject({
    id,
    name: 'clone-01_Disk1',
    description: 'Clone of web-01_Disk1',
    registered: false,
  });
  const registered = await e.post(`/storagedomains/${sd.id}/disks;unregistered`, { disk: { id } });
  expect(registered.body).toMatchObject({
    name: 'clone-01_Disk1',
    alias: 'clone-01_Disk1',
    description: 'Clone of web-01_Disk1',
  });
  const late = await e.callBuiltin('PATCH', `${images(sd.id)}/${id}/metadata`, { alias: 'other' });
  expect([late.status, late.body.reason]).toEqual([409, 'Conflict']);

  const list = (await e.callBuiltin('GET', images(sd.id))).body.images as Entity[];
  expect(list.find((i) => i.id === id)).toMatchObject({ registered: true });
  expect(list.filter((i) => i.registered).length).toBeGreaterThanOrEqual(6);
});

test('DELETE removes an unregistered image (204, then 404); a registered one is a 409', async () => {
  const id = crypto.randomUUID();
  await e.callBuiltin('PUT', `${images(sd.id)}/${id}`, { name: 'short-lived', provisioned_size: GiB });
  expect((await e.callBuiltin('DELETE', `${images(sd.id)}/${id}`)).status).toBe(204);
  expect((await e.callBuiltin('DELETE', `${images(sd.id)}/${id}`)).status).toBe(404);
  const disk = (await e.get('/disks?search=name%3Dweb-01_Disk1')).body.disk[0] as Entity;
  const refused = await e.callBuiltin('DELETE', `${images(sd.id)}/${disk.id}`);
  expect([refused.status, refused.body.reason]).toEqual([409, 'Conflict']);
});

test.each([
  [{ provisioned_size: GiB }, 'name: '],
  [{ name: 'x' }, 'provisioned_size: '],
  [{ name: 'x', provisioned_size: 'big' }, 'provisioned_size: '],
  [{ name: 'x', provisioned_size: -1 }, 'provisioned_size: '],
  [{ name: '', provisioned_size: GiB }, 'name: '],
])('PUT %j: 400 naming the field', async (body, field) => {
  const answer = await e.callBuiltin('PUT', `${images(sd.id)}/${crypto.randomUUID()}`, body);
  expect(answer.status).toBe(400);
  expect(answer.body).toEqual({ reason: 'Bad Request', detail: expect.stringContaining(field) });
});

test('unknown domain or image: 404; not a UUID: 400; no credentials: 401; Basic works', async () => {
  const unknown = crypto.randomUUID();
  expect(
    (await e.callBuiltin('PUT', `${images(unknown)}/${crypto.randomUUID()}`, { name: 'x', provisioned_size: 1 }))
      .status,
  ).toBe(404);
  expect((await e.callBuiltin('GET', images(unknown))).status).toBe(404);
  expect((await e.callBuiltin('PATCH', `${images(sd.id)}/${unknown}/metadata`, { alias: 'x' })).status).toBe(404);
  expect((await e.callBuiltin('PUT', `${images(sd.id)}/not-a-uuid`, { name: 'x', provisioned_size: 1 })).status).toBe(
    400,
  );
  expect(
    (await e.callBuiltin('PUT', `${images(sd.id)}/${unknown}`, { name: 'x', provisioned_size: 1 }, { as: 'none' }))
      .status,
  ).toBe(401);
  const basic = `Basic ${Buffer.from('admin@internal:engine-test-password').toString('base64')}`;
  const withBasic = await e.callBuiltin('GET', images(sd.id), undefined, {
    as: 'none',
    headers: { authorization: basic },
  });
  expect(withBasic.status).toBe(200);
  expect(
    (
      await e.callBuiltin('PUT', `${images(sd.id)}/${unknown}`, undefined, {
        raw: '{nope',
        headers: { 'content-type': 'application/json' },
      })
    ).status,
  ).toBe(400);
  expect((await e.callBuiltin('GET', '/builtin/storage-array/nowhere')).status).toBe(404);
});

test('an image id already placed in another domain: 409', async () => {
  const seeded = await TestEngine.start({ seedFile: path.join(__dirname, '../../engine/seed.example.json') });
  try {
    const [data1, fast] = (await seeded.get('/storagedomains')).body.storage_domain as Entity[];
    const id = crypto.randomUUID();
    expect(
      (await seeded.callBuiltin('PUT', `${images(data1!.id)}/${id}`, { name: 'x', provisioned_size: GiB })).status,
    ).toBe(201);
    const elsewhere = await seeded.callBuiltin('PUT', `${images(fast!.id)}/${id}`, {
      name: 'x',
      provisioned_size: GiB,
    });
    expect([elsewhere.status, elsewhere.body.reason]).toEqual([409, 'Conflict']);
    expect((await seeded.callBuiltin('DELETE', `${images(fast!.id)}/${id}`)).status).toBe(404);
  } finally {
    await seeded.close();
  }
});
