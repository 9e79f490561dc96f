// The seed inventory and its read API, in oVirt's JSON shapes.
import { engineForTests, TestEngine } from './engine-harness';
import type { Entity } from './engine-harness';

let e: TestEngine;
engineForTests((started) => (e = started));

const API = '/ovirt-engine/api';
const vmByName = async (name: string): Promise<Entity> => (await e.get(`/vms?search=name%3D${name}`)).body.vm[0];

test('the seed: cluster Default, template Blank, storage domain data1, five VMs in their states', async () => {
  expect((await e.get('/clusters')).body.cluster.map((c: Entity) => c.name)).toEqual(['Default']);
  expect((await e.get('/templates')).body.template).toEqual([
    expect.objectContaining({ name: 'Blank', id: '00000000-0000-0000-0000-000000000000' }),
  ]);
  expect((await e.get('/storagedomains')).body.storage_domain.map((s: Entity) => s.name)).toEqual(['data1']);
  const vms = (await e.get('/vms')).body.vm as Entity[];
  expect(Object.fromEntries(vms.map((v) => [v.name, v.status]))).toEqual({
    'web-01': 'up',
    'web-02': 'up',
    'db-01': 'up',
    'build-01': 'down',
    'test-01': 'down',
  });
});

test('search=name=web-01 and name%3Dweb-01 find one VM; wildcards and no match work', async () => {
  const plain = (await e.get('/vms?search=name=web-01')).body.vm as Entity[];
  const encoded = (await e.get('/vms?search=name%3Dweb-01')).body.vm as Entity[];
  expect(plain.map((v) => v.name)).toEqual(['web-01']);
  expect(encoded).toEqual(plain);
  expect(((await e.get('/vms?search=name%3Dweb-*')).body.vm as Entity[]).map((v) => v.name)).toEqual([
    'web-01',
    'web-02',
  ]);
  expect((await e.get('/vms?search=name%3Dnone')).body).toEqual({});
});

test('a VM as oVirt writes it', async () => {
  const found = await vmByName('db-01');
  const vm = (await e.get(`/vms/${found.id}`)).body;
  expect(vm).toMatchObject({
    id: found.id,
    href: `${API}/vms/${found.id}`,
    name: 'db-01',
    status: 'up',
    memory: String(16 * 1024 ** 3),
    stateless: 'false',
    cpu: { topology: { cores: '4', sockets: '1', threads: '1' } },
    os: { type: expect.any(String) },
    cluster: { id: expect.any(String), href: expect.stringMatching(new RegExp(`^${API}/clusters/`)) },
    template: {
      id: '00000000-0000-0000-0000-000000000000',
      href: `${API}/templates/00000000-0000-0000-0000-000000000000`,
    },
    link: expect.arrayContaining([
      { href: `${API}/vms/${found.id}/diskattachments`, rel: 'diskattachments' },
      { href: `${API}/vms/${found.id}/snapshots`, rel: 'snapshots' },
    ]),
  });
  expect(typeof vm.creation_time).toBe('number');
});

test('disk attachments link each VM to its disk; the disk reads as oVirt writes it', async () => {
  const vm = await vmByName('web-01');
  const attachments = (await e.get(`/vms/${vm.id}/diskattachments`)).body.disk_attachment as Entity[];
  expect(attachments).toHaveLength(1);
  const attachment = attachments[0]!;
  expect(attachment).toMatchObject({
    active: 'true',
    bootable: 'true',
    interface: 'virtio_scsi',
    read_only: 'false',
    vm: { id: vm.id, href: vm.href },
    href: `${API}/vms/${vm.id}/diskattachments/${attachment.id}`,
  });
  expect(attachment.disk.id).toBe(attachment.id);
  expect((await e.get(`/vms/${vm.id}/diskattachments/${attachment.id}`)).body).toEqual(attachment);
  const disk = (await e.get(`/disks/${attachment.id}`)).body;
  const sd = (await e.get('/storagedomains')).body.storage_domain[0] as Entity;
  expect(disk).toMatchObject({
    id: attachment.id,
    href: `${API}/disks/${attachment.id}`,
    name: 'web-01_Disk1',
    status: 'ok',
    provisioned_size: String(20 * 1024 ** 3),
    format: 'cow',
    sparse: 'true',
    storage_domains: { storage_domain: [{ id: sd.id, href: sd.href }] },
  });
  expect((await e.get('/disks')).body.disk).toHaveLength(5);
});

test('db-01 has two regular snapshots besides the active one', async () => {
  const vm = await vmByName('db-01');
  const snapshots = (await e.get(`/vms/${vm.id}/snapshots`)).body.snapshot as Entity[];
  expect(snapshots.map((s) => s.snapshot_type)).toEqual(['regular', 'regular', 'active']);
  expect(snapshots[0]).toMatchObject({ snapshot_status: 'ok', vm: { id: vm.id }, date: expect.any(Number) });
  const web = await vmByName('web-01');
  expect(((await e.get(`/vms/${web.id}/snapshots`)).body.snapshot as Entity[]).map((s) => s.snapshot_type)).toEqual([
    'active',
  ]);
});

test('unknown VM, disk, cluster: 404 with a fault', async () => {
  for (const path of ['/vms/', '/disks/', '/clusters/', '/storagedomains/', '/templates/']) {
    const id = crypto.randomUUID();
    const answer = await e.get(`${path}${id}`);
    expect([path, answer.status, answer.body]).toEqual([
      path,
      404,
      { reason: 'Operation Failed', detail: `Entity not found: ${id}` },
    ]);
  }
});

test('a seed file replaces the built-in seed', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hf-seed-')), 'seed.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      clusters: [{ name: 'Prod' }],
      storage_domains: [{ name: 'fast' }],
      vms: [{ name: 'only-vm', status: 'up', disks: [{ name: 'only-disk', size_gb: 1 }] }],
    }),
  );
  const seeded = await TestEngine.start({ seedFile: file });
  try {
    expect((await seeded.get('/vms')).body.vm.map((v: Entity) => v.name)).toEqual(['only-vm']);
    expect((await seeded.get('/clusters')).body.cluster.map((c: Entity) => c.name)).toEqual(['Prod']);
    expect((await seeded.get('/templates')).body.template.map((t: Entity) => t.name)).toEqual(['Blank']);
  } finally {
    await seeded.close();
  }
});
