// Disks, snapshots (delete = merge), disk attachments and unregistered disks over HTTP.
import { TestEngine } from './engine-harness';
import { eventually } from '../helpers/eventually';
import type { Entity } from './engine-harness';

const API = '/ovirt-engine/api';
// Long enough that the checks made while a disk is locked (several HTTP calls) run before it unlocks, even on a
// loaded CI machine.
const TRANSITION_MS = 800;

let e: TestEngine;
let sd: Entity;
beforeAll(async () => {
  e = await TestEngine.start({ transitionMs: TRANSITION_MS });
  sd = (await e.get('/storagedomains')).body.storage_domain[0];
});
afterAll(async () => {
  await e.close();
});

const diskOf = async (vmName: string): Promise<Entity> => {
  const vm = await e.vmNamed(vmName);
  return (await e.get(`/disks/${(await e.get(`/vms/${vm.id}/diskattachments`)).body.disk_attachment[0].id}`)).body;
};
const diskStatus = async (id: string): Promise<string> => (await e.get(`/disks/${id}`)).body.status;
const job = async (id: string): Promise<Entity> => (await e.get(`/jobs/${id}`)).body;
const jobsOf = async (correlationId: string): Promise<Entity[]> =>
  (await e.get(`/jobs?search=correlation_id%3D${correlationId}`)).body.job ?? [];

/** An unregistered image placed through the storage-array hook. */
const placeImage = async (name: string): Promise<string> => {
  const id = crypto.randomUUID();
  const answer = await e.callBuiltin('PUT', `/builtin/storage-array/domains/${sd.id}/images/${id}`, {
    name,
    provisioned_size: 10 * 1024 ** 3,
  });
  expect(answer.status).toBe(201);
  return id;
};
const registered = async (name: string): Promise<string> => {
  const id = await placeImage(name);
  expect((await e.post(`/storagedomains/${sd.id}/disks;unregistered`, { disk: { id } })).status).toBe(201);
  return id;
};

describe('disks', () => {
  test('search by name', async () => {
    const found = (await e.get('/disks?search=name%3Dweb-01_Disk1')).body.disk as Entity[];
    expect(found.map((d) => d.name)).toEqual(['web-01_Disk1']);
    expect((await e.get('/disks?search=name%3Dnothing')).body).toEqual({});
  });

  test('remove: 409 while plugged into a VM that is not down; a detached disk goes; unknown 404', async () => {
    const web = await diskOf('web-01');
    const refused = await e.del(`/disks/${web.id}`);
    expect([refused.status, refused.body]).toEqual([
      409,
      { reason: 'Operation Failed', detail: '[Cannot remove Virtual Disk. At least one of the VMs is not down.]' },
    ]);
    const loose = await registered('loose-disk');
    const answer = await e.del(`/disks/${loose}`, { headers: { 'Correlation-Id': 'rm-loose' } });
    expect([answer.status, answer.body]).toEqual([200, undefined]);
    expect((await e.get(`/disks/${loose}`)).status).toBe(404);
    expect((await jobsOf('rm-loose'))[0]).toMatchObject({
      description: 'Removing Disk loose-disk',
      status: 'finished',
    });
    expect((await e.del(`/disks/${loose}`)).status).toBe(404);
  });

  test('copy: 409 while plugged into a running VM; otherwise 202 pending, both disks locked, then ok', async () => {
    const web = await diskOf('web-01');
    const refused = await e.post(`/disks/${web.id}/copy`, { storage_domain: { id: sd.id } });
    expect([refused.status, refused.body]).toEqual([
      409,
      { reason: 'Operation Failed', detail: '[Cannot copy Virtual Disk. At least one of the VMs is not down.]' },
    ]);

    const source = await diskOf('test-01');
    const answer = await e.post(
      `/disks/${source.id}/copy`,
      { storage_domain: { id: sd.id }, disk: { name: 'test-01_copy' } },
      { headers: { 'Correlation-Id': 'copy-1' } },
    );
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      status: 'pending',
      job: { id: expect.any(String), href: `${API}/jobs/${answer.body.job.id}` },
      disk: { id: expect.any(String), href: `${API}/disks/${answer.body.disk.id}` },
    });
    const copyId = answer.body.disk.id as string;
    expect(await diskStatus(source.id)).toBe('locked');
    expect((await e.get(`/disks/${copyId}`)).body).toMatchObject({
      name: 'test-01_copy',
      status: 'locked',
      provisioned_size: source.provisioned_size,
    });
    expect(await job(answer.body.job.id)).toMatchObject({
      description: 'Copying Disk test-01_Disk1 from data1 to data1',
      status: 'started',
      external: 'false',
    });
    const again = await e.post(`/disks/${source.id}/copy`, { storage_domain: { id: sd.id } });
    expect(again.status).toBe(409);
    const remove = await e.del(`/disks/${source.id}`);
    expect(remove.status).toBe(409);

    await eventually(async () => (await diskStatus(copyId)) === 'ok');
    expect(await diskStatus(source.id)).toBe('ok');
    expect((await job(answer.body.job.id)).status).toBe('finished');
    expect((await jobsOf('copy-1')).map((j) => j.id)).toEqual([answer.body.job.id]);
  });

  test('copy: storage domain mandatory (400), unknown domain 404, unknown disk 404', async () => {
    const source = await diskOf('test-01');
    const missing = await e.post(`/disks/${source.id}/copy`, {});
    expect([missing.status, missing.body.reason]).toEqual([400, 'Incomplete parameters']);
    expect((await e.post(`/disks/${source.id}/copy`, { storage_domain: { name: 'nope' } })).status).toBe(404);
    expect((await e.post(`/disks/${crypto.randomUUID()}/copy`, { storage_domain: { id: sd.id } })).status).toBe(404);
  });
});

describe('snapshots', () => {
  test('removing a snapshot merges it: snapshot and disks locked, then the snapshot is gone and the disks ok', async () => {
    const vm = await e.vmNamed('db-01');
    const disk = await diskOf('db-01');
    const snapshots = (await e.get(`/vms/${vm.id}/snapshots`)).body.snapshot as Entity[];
    const [first, second, active] = snapshots;
    expect(snapshots.map((s) => [s.snapshot_type, s.snapshot_status])).toEqual([
      ['regular', 'ok'],
      ['regular', 'ok'],
      ['active', 'ok'],
    ]);

    const refusedActive = await e.del(`/vms/${vm.id}/snapshots/${active!.id}`);
    expect([refusedActive.status, refusedActive.body]).toEqual([
      400,
      {
        reason: 'Operation Failed',
        detail: '[Cannot remove Snapshot. The operation is only allowed for regular snapshots.]',
      },
    ]);

    const answer = await e.del(`/vms/${vm.id}/snapshots/${first!.id}`, { headers: { 'Correlation-Id': 'merge-1' } });
    expect([answer.status, answer.body]).toEqual([200, undefined]);
    expect((await e.get(`/vms/${vm.id}/snapshots/${first!.id}`)).body.snapshot_status).toBe('locked');
    expect(await diskStatus(disk.id)).toBe('locked');
    const [merge] = await jobsOf('merge-1');
    expect(merge).toMatchObject({
      description: 'Removing Snapshot before upgrade of VM db-01',
      status: 'started',
      external: 'false',
    });

    const again = await e.del(`/vms/${vm.id}/snapshots/${first!.id}`);
    expect([again.status, again.body.detail]).toEqual([
      409,
      '[Cannot remove Snapshot. The VM is performing an operation on a Snapshot. Please wait for the operation to finish, and try again.]',
    ]);
    const other = await e.del(`/vms/${vm.id}/snapshots/${second!.id}`);
    expect([other.status, other.body.detail]).toEqual([
      409,
      '[Cannot remove Snapshot. The VM is performing an operation on a Snapshot. Please wait for the operation to finish, and try again.]',
    ]);

    await eventually(async () => (await e.get(`/vms/${vm.id}/snapshots/${first!.id}`)).status === 404);
    expect(await diskStatus(disk.id)).toBe('ok');
    expect((await job(merge!.id)).status).toBe('finished');
    expect(((await e.get(`/vms/${vm.id}/snapshots`)).body.snapshot as Entity[]).map((s) => s.id)).toEqual([
      second!.id,
      active!.id,
    ]);
    expect((await e.del(`/vms/${vm.id}/snapshots/${crypto.randomUUID()}`)).status).toBe(404);
  });
});

describe('disk attachments', () => {
  test('attach: `active` left out means false; the answer is the attachment; the disk cannot be attached twice', async () => {
    const vm = await e.vmNamed('test-01');
    const diskId = await registered('extra-disk');
    const answer = await e.post(
      `/vms/${vm.id}/diskattachments`,
      { disk: { id: diskId }, interface: 'virtio' },
      { headers: { 'Correlation-Id': 'attach-1' } },
    );
    expect(answer.status).toBe(201);
    expect(answer.headers.get('location')).toBe(`${API}/vms/${vm.id}/diskattachments/${diskId}`);
    expect(answer.body).toMatchObject({
      id: diskId,
      active: 'false',
      bootable: 'false',
      interface: 'virtio',
      disk: { id: diskId },
      vm: { id: vm.id },
    });
    expect((await jobsOf('attach-1'))[0]).toMatchObject({
      description: 'Attaching Disk extra-disk to VM test-01',
      status: 'finished',
    });
    expect(
      ((await e.get(`/vms/${vm.id}/diskattachments`)).body.disk_attachment as Entity[]).map((a) => a.id),
    ).toContain(diskId);

    const twice = await e.post(`/vms/${vm.id}/diskattachments`, { disk: { id: diskId }, interface: 'virtio' });
    expect([twice.status, twice.body.detail]).toEqual([
      409,
      '[Cannot attach Virtual Disk. The disk is already attached to VM.]',
    ]);
    const other = await e.vmNamed('build-01');
    expect(
      (await e.post(`/vms/${other.id}/diskattachments`, { disk: { id: diskId }, interface: 'virtio' })).status,
    ).toBe(409);

    const detach = await e.del(`/vms/${vm.id}/diskattachments/${diskId}`);
    expect([detach.status, detach.body]).toEqual([200, undefined]);
    expect((await e.get(`/vms/${vm.id}/diskattachments/${diskId}`)).status).toBe(404);
    expect(await diskStatus(diskId)).toBe('ok');
  });

  test('active and bootable as given; a second bootable disk is a 409', async () => {
    const vm = await e.vmNamed('test-01');
    const diskId = await registered('boot-2');
    const boot = await e.post(`/vms/${vm.id}/diskattachments`, {
      disk: { id: diskId },
      interface: 'sata',
      bootable: 'true',
      active: true,
    });
    expect([boot.status, boot.body.detail]).toEqual([
      409,
      '[Cannot attach Virtual Disk. Disk test-01_Disk1 in VM test-01 is already marked as boot.]',
    ]);
    const ok = await e.post(`/vms/${vm.id}/diskattachments`, {
      disk: { id: diskId },
      interface: 'sata',
      active: 'true',
    });
    expect(ok.body).toMatchObject({ active: 'true', bootable: 'false', interface: 'sata' });
  });

  test.each([
    [{ interface: 'virtio' }, 400, 'Incomplete parameters', 'DiskAttachment [disk] required for add'],
    [{ disk: {}, interface: 'virtio' }, 400, 'Incomplete parameters', 'DiskAttachment [disk.id] required for add'],
    [{ disk: { id: 'DISK' } }, 400, 'Incomplete parameters', 'DiskAttachment [interface] required for add'],
    [
      { disk: { id: 'DISK' }, interface: 'floppy' },
      400,
      'Invalid value',
      'floppy is not a member of DiskInterface. Possible values for DiskInterface are: ide, virtio_scsi, virtio, spapr_vscsi, sata',
    ],
  ])('attach %j: %i', async (body, status, reason, detail) => {
    const vm = await e.vmNamed('build-01');
    const diskId = await registered('bad-attach');
    const answer = await e.post(
      `/vms/${vm.id}/diskattachments`,
      JSON.parse(JSON.stringify(body).replace('DISK', diskId)),
    );
    expect([answer.status, answer.body]).toEqual([status, { reason, detail }]);
  });

  test('attach an unknown disk: 404; an unregistered one: 400; unknown VM: 404', async () => {
    const vm = await e.vmNamed('build-01');
    expect(
      (await e.post(`/vms/${vm.id}/diskattachments`, { disk: { id: crypto.randomUUID() }, interface: 'virtio' }))
        .status,
    ).toBe(404);
    const image = await placeImage('not-yet');
    const unregistered = await e.post(`/vms/${vm.id}/diskattachments`, { disk: { id: image }, interface: 'virtio' });
    expect([unregistered.status, unregistered.body]).toEqual([
      400,
      { reason: 'Operation Failed', detail: "[Cannot attach Virtual Disk. VM's Image does not exist.]" },
    ]);
    expect(
      (await e.post(`/vms/${crypto.randomUUID()}/diskattachments`, { disk: { id: image }, interface: 'virtio' }))
        .status,
    ).toBe(404);
  });

  test('detaching the active disk of a running VM is a 409', async () => {
    const vm = await e.vmNamed('web-02');
    const disk = (await e.get(`/vms/${vm.id}/diskattachments`)).body.disk_attachment[0] as Entity;
    const answer = await e.del(`/vms/${vm.id}/diskattachments/${disk.id}`);
    expect([answer.status, answer.body.detail]).toEqual([
      409,
      '[Cannot detach Virtual Disk. At least one of the VMs is not down.]',
    ]);
  });
});

describe('unregistered disks', () => {
  test('listed per domain until registered; registering makes them disks, status ok', async () => {
    const id = await placeImage('from-the-array');
    const listed = (await e.get(`/storagedomains/${sd.id}/disks;unregistered`)).body.disk as Entity[];
    expect(listed.map((d) => d.id)).toContain(id);
    expect(listed.find((d) => d.id === id)).toMatchObject({
      name: 'from-the-array',
      status: 'ok',
      provisioned_size: String(10 * 1024 ** 3),
    });
    expect((await e.get(`/storagedomains/${sd.id}/disks%3Bunregistered`)).body).toEqual(
      (await e.get(`/storagedomains/${sd.id}/disks;unregistered`)).body,
    );
    expect((await e.get(`/disks/${id}`)).status).toBe(404);
    expect(((await e.get(`/storagedomains/${sd.id}/disks`)).body.disk as Entity[]).map((d) => d.id)).not.toContain(id);

    const answer = await e.post(
      `/storagedomains/${sd.id}/disks;unregistered`,
      { disk: { id } },
      { headers: { 'Correlation-Id': 'register-1' } },
    );
    expect(answer.status).toBe(201);
    expect(answer.headers.get('location')).toBe(`${API}/disks/${id}`);
    expect(answer.body).toMatchObject({
      id,
      name: 'from-the-array',
      status: 'ok',
      storage_domains: { storage_domain: [{ id: sd.id }] },
    });
    expect((await jobsOf('register-1'))[0]).toMatchObject({
      description: 'Importing Disk from-the-array',
      status: 'finished',
    });
    expect((await e.get(`/disks/${id}`)).body.status).toBe('ok');
    expect(((await e.get(`/storagedomains/${sd.id}/disks`)).body.disk as Entity[]).map((d) => d.id)).toContain(id);
    expect(
      (((await e.get(`/storagedomains/${sd.id}/disks;unregistered`)).body.disk as Entity[] | undefined) ?? []).map(
        (d) => d.id,
      ),
    ).not.toContain(id);

    const again = await e.post(`/storagedomains/${sd.id}/disks;unregistered`, { disk: { id } });
    expect([again.status, again.body]).toEqual([
      409,
      {
        reason: 'Operation Failed',
        detail:
          '[Cannot import Virtual Disk: The following disks are locked: from-the-array. Please try again in a few minutes.]',
      },
    ]);
  });

  test('unknown image: 404; unknown domain: 404; no disk id: 400', async () => {
    const unknown = crypto.randomUUID();
    expect((await e.post(`/storagedomains/${sd.id}/disks;unregistered`, { disk: { id: unknown } })).body).toEqual({
      reason: 'Operation Failed',
      detail: `Entity not found: ${unknown}`,
    });
    expect((await e.get(`/storagedomains/${unknown}/disks;unregistered`)).status).toBe(404);
    const noId = await e.post(`/storagedomains/${sd.id}/disks;unregistered`, { disk: {} });
    expect([noId.status, noId.body]).toEqual([
      400,
      { reason: 'Incomplete parameters', detail: 'Disk [disk.id] required for register' },
    ]);
  });
});
