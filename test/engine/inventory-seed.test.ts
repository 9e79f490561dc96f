// The seed file: the documented example plants what it says; a broken file stops the start with its name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEngine } from '../../engine/start';
import { withEngine } from './engine-harness';
import { ENGINE_PASSWORD } from '../helpers/credentials';
import type { Entity } from './engine-harness';

const example = path.join(__dirname, '../../engine/seed.example.json');

test('engine/seed.example.json plants its clusters, domains, VMs, disks and snapshots', async () => {
  await withEngine({ seedFile: example }, async (e) => {
    expect(((await e.get('/storagedomains')).body.storage_domain as Entity[]).map((s) => s.name)).toEqual([
      'data1',
      'fast',
    ]);
    const vms = (await e.get('/vms')).body.vm as Entity[];
    expect(Object.fromEntries(vms.map((v) => [v.name, v.status]))).toEqual({
      'build-01': 'down',
      'db-01': 'up',
      'web-01': 'up',
    });
    const db = await e.vmNamed('db-01');
    const attachments = (await e.get(`/vms/${db.id}/diskattachments`)).body.disk_attachment as Entity[];
    expect(attachments.map((a) => [a.interface, a.bootable, a.active])).toEqual([
      ['virtio_scsi', 'true', 'true'],
      ['virtio', 'false', 'true'],
    ]);
    const data = (await e.get('/disks?search=name%3Ddb-01_Data')).body.disk[0] as Entity;
    expect(data).toMatchObject({ format: 'raw', sparse: 'false', provisioned_size: String(200 * 1024 ** 3) });
    expect(((await e.get(`/vms/${db.id}/snapshots`)).body.snapshot as Entity[]).map((s) => s.description)).toEqual([
      'before upgrade',
      'nightly',
      'Active VM',
    ]);
  });
});

test('a seed file that is not valid JSON or not a seed: startEngine rejects naming the file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-seed-bad-'));
  try {
    const broken = path.join(dir, 'broken.json');
    fs.writeFileSync(broken, '{');
    await expect(
      startEngine({ port: 0, dataDir: path.join(dir, 'a'), adminPassword: ENGINE_PASSWORD, seedFile: broken }),
    ).rejects.toThrow(`seed file ${broken}`);
    const wrong = path.join(dir, 'wrong.json');
    fs.writeFileSync(wrong, JSON.stringify({ clusters: [], storage_domains: [{ name: 'x' }], vms: [] }));
    await expect(
      startEngine({ port: 0, dataDir: path.join(dir, 'b'), adminPassword: ENGINE_PASSWORD, seedFile: wrong }),
    ).rejects.toThrow(`seed file ${wrong}: clusters`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
