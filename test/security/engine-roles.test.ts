// Roles on the built-in engine: user@internal (role `user`) may read everything and change nothing; every write on
// VMs, disks, snapshots, attachments, unregistered disks, jobs and steps, the storage-array hook, progress and fault
// injection is a 403 with oVirt's fault, and leaves the engine as it was.
import { TestEngine } from '../engine/engine-harness';
import type { Entity } from '../engine/engine-harness';

const FORBIDDEN = { reason: 'Operation Failed', detail: '[User is not authorized to perform this action.]' };

let e: TestEngine;
let down: Entity;
let up: Entity;
let sd: Entity;
beforeAll(async () => {
  e = await TestEngine.start({ transitionMs: 100 });
  down = await e.vmNamed('build-01');
  up = await e.vmNamed('db-01');
  sd = (await e.get('/storagedomains')).body.storage_domain[0];
});
afterAll(async () => {
  await e.close();
});

const images = (sdId: string): string => `/builtin/storage-array/domains/${sdId}/images`;

test('user@internal deletes a VM: 403, the VM and its disks stay', async () => {
  const disksBefore = (await e.get(`/vms/${down.id}/diskattachments`)).body.disk_attachment;
  const answer = await e.del(`/vms/${down.id}`, { as: 'user' });
  expect([answer.status, answer.body]).toEqual([403, FORBIDDEN]);
  expect((await e.get(`/vms/${down.id}`, { as: 'user' })).status).toBe(200);
  expect((await e.get(`/vms/${down.id}/diskattachments`)).body.disk_attachment).toEqual(disksBefore);
});

test('user@internal places or deletes an image on the storage hook: 403, nothing placed or removed', async () => {
  const id = crypto.randomUUID();
  const body = { name: 'planted', provisioned_size: 1024 };
  const put = await e.callBuiltin('PUT', `${images(sd.id)}/${id}`, body, { as: 'user' });
  expect([put.status, put.body]).toEqual([403, FORBIDDEN]);
  expect(
    (await e.callBuiltin('GET', images(sd.id), undefined, { as: 'user' })).body.images.map((i: Entity) => i.id),
  ).not.toContain(id);

  expect((await e.callBuiltin('PUT', `${images(sd.id)}/${id}`, body)).status).toBe(201);
  const patch = await e.callBuiltin('PATCH', `${images(sd.id)}/${id}/metadata`, { alias: 'x' }, { as: 'user' });
  expect([patch.status, patch.body]).toEqual([403, FORBIDDEN]);
  const del = await e.callBuiltin('DELETE', `${images(sd.id)}/${id}`, undefined, { as: 'user' });
  expect([del.status, del.body]).toEqual([403, FORBIDDEN]);
  expect((await e.callBuiltin('GET', images(sd.id))).body.images.map((i: Entity) => i.id)).toContain(id);
});

test('every write of the API is 403 for user@internal, whatever the body; reads are 200', async () => {
  const job = await e.addJob();
  const step = await e.addStep(job.id);
  const disk = (await e.get(`/vms/${down.id}/diskattachments`)).body.disk_attachment[0].disk as Entity;
  const snapshot = ((await e.get(`/vms/${up.id}/snapshots`)).body.snapshot as Entity[]).find(
    (s) => s.snapshot_type === 'regular',
  )!;
  const unregistered = `/storagedomains/${sd.id}/disks;unregistered`;
  const writes: [string, string, unknown][] = [
    ['POST', '/vms', { name: 'made-by-user', cluster: { name: 'Default' }, template: { name: 'Blank' } }],
    ['DELETE', `/vms/${down.id}?detach_only=true`, undefined],
    ['POST', `/vms/${down.id}/start`, {}],
    ['POST', `/vms/${up.id}/shutdown`, {}],
    ['POST', `/vms/${up.id}/stop`, {}],
    ['POST', `/vms/${down.id}/diskattachments`, { disk: { id: disk.id }, interface: 'virtio_scsi' }],
    ['DELETE', `/vms/${down.id}/diskattachments/${disk.id}`, undefined],
    ['DELETE', `/vms/${up.id}/snapshots/${snapshot.id}`, undefined],
    ['DELETE', `/disks/${disk.id}`, undefined],
    ['POST', `/disks/${disk.id}/copy`, { storage_domain: { id: sd.id } }],
    ['POST', unregistered, { disk: { id: crypto.randomUUID() } }],
    ['POST', '/jobs', { description: 'x' }],
    ['POST', '/jobs', {}],
    ['POST', `/jobs/${job.id}/end`, { succeeded: false }],
    ['POST', `/jobs/${job.id}/clear`, {}],
    ['POST', `/jobs/${job.id}/steps`, { description: 'x', type: 'executing' }],
    ['POST', `/jobs/${job.id}/steps/${step.id}/end`, { succeeded: false }],
    ['POST', '/vms/no-such-vm/start', ['not', 'an object']],
  ];
  for (const [method, path, body] of writes) {
    const answer = await e.call(method, path, body, { as: 'user' });
    expect([method, path, answer.status, answer.body]).toEqual([method, path, 403, FORBIDDEN]);
  }
  const builtinWrites: [string, string, unknown][] = [
    ['PUT', `/builtin/jobs/${job.id}/steps/${step.id}/progress`, { progress: 50 }],
    ['PUT', '/builtin/faults', []],
    ['DELETE', '/builtin/faults', undefined],
  ];
  for (const [method, path, body] of builtinWrites) {
    const answer = await e.callBuiltin(method, path, body, { as: 'user' });
    expect([method, path, answer.status, answer.body]).toEqual([method, path, 403, FORBIDDEN]);
  }

  // Nothing changed.
  expect((await e.get(`/vms/${down.id}`)).body.status).toBe('down');
  expect((await e.get(`/vms/${up.id}`)).body.status).toBe('up');
  expect((await e.get(`/vms/${up.id}/snapshots/${snapshot.id}`)).body.snapshot_status).toBe('ok');
  expect((await e.get(`/disks/${disk.id}`)).body.status).toBe('ok');
  expect((await e.get('/vms?search=name%3Dmade-by-user')).body.vm ?? []).toEqual([]);
  expect((await e.get(`/jobs/${job.id}`)).body).toMatchObject({ status: 'started', auto_cleared: 'false' });
  expect((await e.get(`/jobs/${job.id}/steps/${step.id}`)).body.progress).toBeUndefined();

  // Reads stay allowed.
  for (const path of [
    '/vms',
    `/vms/${up.id}`,
    `/vms/${up.id}/snapshots`,
    `/vms/${down.id}/diskattachments`,
    '/disks',
    `/disks/${disk.id}`,
    '/storagedomains',
    unregistered,
    '/jobs',
    `/jobs/${job.id}/steps`,
    '/clusters',
    '/templates',
  ]) {
    expect([path, (await e.get(path, { as: 'user' })).status]).toEqual([path, 200]);
  }
  expect((await e.callBuiltin('GET', '/builtin/capabilities', undefined, { as: 'user' })).status).toBe(200);
  expect((await e.callBuiltin('GET', images(sd.id), undefined, { as: 'user' })).status).toBe(200);
});

test('the admin may do the same writes', async () => {
  const answer = await e.post(`/vms/${down.id}/start`, {});
  expect(answer.status).toBe(200);
});

test('unknown paths and unsupported methods keep their 404 / 405 for the user role', async () => {
  expect((await e.post('/nothing-here', {}, { as: 'user' })).status).toBe(404);
  expect((await e.del('/jobs', { as: 'user' })).status).toBe(405);
});
