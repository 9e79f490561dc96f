// Inventory persistence across a restart: what was added stays; work in flight completes or resumes.
import { withEngine } from './engine-harness';
import { eventually } from '../helpers/eventually';
import type { Entity, TestEngine } from './engine-harness';

const status = async (e: TestEngine, vmId: string): Promise<string> => (await e.get(`/vms/${vmId}`)).body.status;

test('added VMs, registered disks, attachments and merged snapshots survive a restart', async () => {
  await withEngine({ transitionMs: 50 }, async (e) => {
    const sd = (await e.get('/storagedomains')).body.storage_domain[0] as Entity;
    const vm = (await e.post('/vms', { name: 'kept-01', cluster: { name: 'Default' }, template: { name: 'Blank' } }))
      .body as Entity;
    const imageId = crypto.randomUUID();
    await e.callBuiltin('PUT', `/builtin/storage-array/domains/${sd.id}/images/${imageId}`, {
      name: 'kept-01_Disk1',
      provisioned_size: 1024 ** 3,
    });
    const pending = crypto.randomUUID();
    await e.callBuiltin('PUT', `/builtin/storage-array/domains/${sd.id}/images/${pending}`, {
      name: 'still-unregistered',
      provisioned_size: 1024 ** 3,
    });
    await e.post(`/storagedomains/${sd.id}/disks;unregistered`, { disk: { id: imageId } });
    await e.post(`/vms/${vm.id}/diskattachments`, {
      disk: { id: imageId },
      interface: 'virtio_scsi',
      bootable: true,
      active: true,
    });
    const db = await e.vmNamed('db-01');
    const snapshot = (await e.get(`/vms/${db.id}/snapshots`)).body.snapshot[0] as Entity;
    await e.del(`/vms/${db.id}/snapshots/${snapshot.id}`);
    await eventually(async () => (await e.get(`/vms/${db.id}/snapshots/${snapshot.id}`)).status === 404);

    await e.restart();

    expect((await e.get(`/vms/${vm.id}`)).body).toMatchObject({ name: 'kept-01', status: 'down' });
    expect((await e.get(`/vms/${vm.id}/diskattachments/${imageId}`)).body).toMatchObject({
      active: 'true',
      bootable: 'true',
    });
    expect((await e.get(`/disks/${imageId}`)).body.status).toBe('ok');
    expect(
      ((await e.get(`/storagedomains/${sd.id}/disks;unregistered`)).body.disk as Entity[]).map((d) => d.id),
    ).toEqual([pending]);
    expect(((await e.get(`/vms/${db.id}/snapshots`)).body.snapshot as Entity[]).map((s) => s.snapshot_type)).toEqual([
      'regular',
      'active',
    ]);
  });
});

test('work overdue at start completes at once: powering_down -> down, locked disks -> ok, jobs FINISHED', async () => {
  await withEngine({ transitionMs: 60_000 }, async (e) => {
    const web = await e.vmNamed('web-01');
    const shutdown = await e.post(`/vms/${web.id}/shutdown`, {});
    const db = await e.vmNamed('db-01');
    const snapshot = (await e.get(`/vms/${db.id}/snapshots`)).body.snapshot[0] as Entity;
    await e.del(`/vms/${db.id}/snapshots/${snapshot.id}`, { headers: { 'Correlation-Id': 'merge-restart' } });
    await e.engine.close();
    e.clock.advance(60_000); // the engine is down past the end of both transitions

    await e.restart({ transitionMs: 200 });

    expect(await status(e, web.id)).toBe('down');
    expect((await e.get(`/jobs/${shutdown.body.job.id}`)).body.status).toBe('finished');
    expect((await e.get(`/vms/${db.id}/snapshots/${snapshot.id}`)).status).toBe(404);
    const disk = (await e.get(`/vms/${db.id}/diskattachments`)).body.disk_attachment[0] as Entity;
    expect((await e.get(`/disks/${disk.id}`)).body.status).toBe('ok');
    const [merge] = (await e.get('/jobs?search=correlation_id%3Dmerge-restart')).body.job as Entity[];
    expect(merge!.status).toBe('finished');
  });
});

test('work not yet due at start is resumed and completes on time', async () => {
  await withEngine({ transitionMs: 1000 }, async (e) => {
    const build = await e.vmNamed('build-01');
    const start = await e.post(`/vms/${build.id}/start`, {});
    await e.restart({ transitionMs: 1000 });
    expect(await status(e, build.id)).toBe('powering_up');
    expect((await e.get(`/jobs/${start.body.job.id}`)).body.status).toBe('started');
    await eventually(async () => (await status(e, build.id)) === 'up', 3000);
    expect((await e.get(`/jobs/${start.body.job.id}`)).body.status).toBe('finished');
  });
});

test('close() clears the transition timers: nothing changes in the database after it', async () => {
  await withEngine({ transitionMs: 100 }, async (e) => {
    const build = await e.vmNamed('build-01');
    await e.post(`/vms/${build.id}/start`, {});
    await e.engine.close();
    // Not a synchronisation: timers run in real time, so a timer left behind would have fired within this wait.
    await new Promise((r) => setTimeout(r, 250));
    const row = e.withDatabase((db) =>
      db.prepare('SELECT status, transition_status FROM vms WHERE id = ?').get(build.id),
    );
    expect(row).toEqual({ status: 'powering_up', transition_status: 'up' });
  });
});
