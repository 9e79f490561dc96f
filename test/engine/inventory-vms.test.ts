// VM actions over HTTP: add (validation, uniqueness), power transitions with their internal jobs, remove.
import { engineForTests } from './engine-harness';
import { eventually } from '../helpers/eventually';
import type { Entity, TestEngine } from './engine-harness';

const API = '/ovirt-engine/api';
const TRANSITION_MS = 150;

let e: TestEngine;
engineForTests((started) => (e = started), { transitionMs: TRANSITION_MS });

const job = async (id: string): Promise<Entity> => (await e.get(`/jobs/${id}`)).body;
const jobsOf = async (correlationId: string): Promise<Entity[]> =>
  (await e.get(`/jobs?search=correlation_id%3D${correlationId}`)).body.job ?? [];
const vmStatus = async (id: string): Promise<string> => (await e.get(`/vms/${id}`)).body.status;

describe('POST /vms', () => {
  test('adds a down VM from the Blank template, with a finished internal job carrying the correlation id', async () => {
    const answer = await e.post(
      '/vms',
      {
        name: 'clone-01',
        cluster: { name: 'Default' },
        template: { name: 'Blank' },
        memory: '2147483648',
        cpu: { topology: { cores: 2, sockets: '1', threads: 1 } },
        os: { type: 'rhel_9x64' },
        description: 'a clone',
      },
      { headers: { 'Correlation-Id': 'add-vm-1' } },
    );
    expect(answer.status).toBe(201);
    const vm = answer.body as Entity;
    expect(answer.headers.get('location')).toBe(`${API}/vms/${vm.id}`);
    expect(vm).toMatchObject({
      name: 'clone-01',
      description: 'a clone',
      status: 'down',
      memory: '2147483648',
      cpu: { topology: { cores: '2', sockets: '1', threads: '1' } },
      os: { type: 'rhel_9x64' },
      template: { id: '00000000-0000-0000-0000-000000000000' },
      href: `${API}/vms/${vm.id}`,
    });
    expect((await e.get(`/vms/${vm.id}`)).body).toEqual(vm);
    expect(vm.actions.link.map((l: { rel: string }) => l.rel)).toEqual(['shutdown', 'start', 'stop']);
    const [created] = await jobsOf('add-vm-1');
    expect(created).toMatchObject({
      description: 'Creating VM clone-01 in Cluster Default', // job.AddVmFromScratch (Blank)
      status: 'finished',
      external: 'false',
      auto_cleared: 'true',
      owner: { id: expect.any(String) },
    });
  });

  test('takes memory, CPU and OS from the template when left out; cluster and template by id', async () => {
    const cluster = (await e.get('/clusters')).body.cluster[0] as Entity;
    const answer = await e.post('/vms', {
      name: 'plain-01',
      cluster: { id: cluster.id },
      template: { id: '00000000-0000-0000-0000-000000000000' },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      memory: String(1024 ** 3),
      cpu: { topology: { cores: '1', sockets: '1', threads: '1' } },
      os: { type: 'other' },
      cluster: { id: cluster.id },
    });
  });

  test.each([
    [
      { cluster: { name: 'Default' }, template: { name: 'Blank' } },
      400,
      { reason: 'Incomplete parameters', detail: 'Vm [name] required for add' },
    ],
    [
      { name: 'x', template: { name: 'Blank' } },
      400,
      { reason: 'Incomplete parameters', detail: 'Vm [cluster] required for add' },
    ],
    [
      { name: 'x', cluster: {}, template: { name: 'Blank' } },
      400,
      { reason: 'Incomplete parameters', detail: 'Vm [cluster.id|name] required for add' },
    ],
    [
      { name: 'bad name!', cluster: { name: 'Default' }, template: { name: 'Blank' } },
      400,
      {
        reason: 'Operation Failed',
        detail:
          "[Can not add VM. The given name contains special characters. Only lower-case and upper-case letters, numbers, '_', '-', '.' are allowed.]",
      },
    ],
    [
      { name: 'a'.repeat(65), cluster: { name: 'Default' }, template: { name: 'Blank' } },
      400,
      { reason: 'Operation Failed', detail: '[Cannot add VM. The given name is too long.]' },
    ],
    [
      { name: 'web-01', cluster: { name: 'Default' }, template: { name: 'Blank' } },
      409,
      {
        reason: 'Operation Failed',
        detail: '[Cannot add VM. The VM name is already in use, please choose a unique name and try again.]',
      },
    ],
    [
      { name: 'x', cluster: { name: 'Nope' }, template: { name: 'Blank' } },
      404,
      { reason: 'Operation Failed', detail: 'Entity not found: Cluster: name=Nope' },
    ],
    [
      { name: 'x', cluster: { name: 'Default' }, template: { name: 'Nope' } },
      404,
      { reason: 'Operation Failed', detail: 'Entity not found: Template: name=Nope' },
    ],
    [
      { name: 'x', cluster: { name: 'Default' }, template: { name: 'Blank' }, memory: 'lots' },
      400,
      { reason: 'Invalid value', detail: '"lots" is not a valid value for memory' },
    ],
  ])('refuses %j with %i', async (body, status, fault) => {
    const answer = await e.post('/vms', body);
    expect([answer.status, answer.body]).toEqual([status, fault]);
  });

  test('a 64-character name is fine; a name with letters of any script too', async () => {
    expect(
      (await e.post('/vms', { name: 'b'.repeat(64), cluster: { name: 'Default' }, template: { name: 'Blank' } }))
        .status,
    ).toBe(201);
    expect(
      (await e.post('/vms', { name: 'vm.ünïcode_1', cluster: { name: 'Default' }, template: { name: 'Blank' } }))
        .status,
    ).toBe(201);
  });
});

describe('power transitions', () => {
  test('start: down -> powering_up -> up; the answer links the job and the VM; the job ends FINISHED', async () => {
    const vm = await e.vmNamed('build-01');
    const answer = await e.post(`/vms/${vm.id}/start`, {}, { headers: { 'Correlation-Id': 'start-build' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'complete',
      job: { id: expect.any(String), href: `${API}/jobs/${answer.body.job.id}` },
      vm: { id: vm.id, href: `${API}/vms/${vm.id}` },
    });
    expect(await vmStatus(vm.id)).toBe('powering_up');
    const started = await job(answer.body.job.id);
    expect(started).toMatchObject({ description: 'Launching VM build-01', status: 'started', external: 'false' });
    expect((await jobsOf('start-build')).map((j) => j.id)).toEqual([answer.body.job.id]);

    const again = await e.post(`/vms/${vm.id}/start`, {});
    expect([again.status, again.body]).toEqual([
      409,
      { reason: 'Operation Failed', detail: '[Cannot run VM because the VM is in Powering Up status.]' },
    ]);
    // Internal jobs are oVirt's own: clients cannot end them.
    const end = await e.post(`/jobs/${answer.body.job.id}/end`, { succeeded: false });
    expect([end.status, end.body.detail]).toEqual([
      400,
      '[Cannot Clear External Job. External steps can be added only to external jobs or steps.]',
    ]);

    await eventually(async () => (await vmStatus(vm.id)) === 'up');
    expect(await job(answer.body.job.id)).toMatchObject({ status: 'finished', end_time: expect.any(Number) });
    expect((await e.get(`/jobs/${answer.body.job.id}/steps`)).body.step).toEqual([
      expect.objectContaining({ description: 'Executing', status: 'finished', external: 'false' }),
    ]);
    expect((await e.get(`/vms/${vm.id}`)).body.start_time).toEqual(expect.any(Number));
    const startAgain = await e.post(`/vms/${vm.id}/start`, {});
    expect(startAgain.status).toBe(409);
  });

  test('shutdown: up -> powering_down -> down; shutdown or stop of a down VM is a 409', async () => {
    const vm = await e.vmNamed('web-02');
    const answer = await e.post(`/vms/${vm.id}/shutdown`, { async: true });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ async: 'true', status: 'complete', vm: { id: vm.id } });
    expect(await job(answer.body.job.id)).toMatchObject({ description: 'Shutting down VM web-02', status: 'started' });
    expect(await vmStatus(vm.id)).toBe('powering_down');
    const twice = await e.post(`/vms/${vm.id}/shutdown`, {});
    expect(twice.status).toBe(409);
    const start = await e.post(`/vms/${vm.id}/start`, {});
    expect(start.status).toBe(409);

    await eventually(async () => (await vmStatus(vm.id)) === 'down');
    expect((await job(answer.body.job.id)).status).toBe('finished');
    for (const action of ['shutdown', 'stop']) {
      const refused = await e.post(`/vms/${vm.id}/${action}`, {});
      expect([action, refused.status, refused.body]).toEqual([
        action,
        409,
        { reason: 'Operation Failed', detail: `[Cannot ${action} VM. VM is not running.]` },
      ]);
    }
  });

  test('stop powers off at once and abandons a shutdown in flight (its job FAILED)', async () => {
    const vm = await e.vmNamed('web-01');
    const shutdown = await e.post(`/vms/${vm.id}/shutdown`, {});
    expect(await vmStatus(vm.id)).toBe('powering_down');
    const stop = await e.post(`/vms/${vm.id}/stop`, {});
    expect(stop.status).toBe(200);
    expect(await vmStatus(vm.id)).toBe('down');
    expect(await job(stop.body.job.id)).toMatchObject({ description: 'Stopping VM web-01', status: 'finished' });
    expect((await job(shutdown.body.job.id)).status).toBe('failed');
    await new Promise((r) => setTimeout(r, TRANSITION_MS * 2));
    expect(await vmStatus(vm.id)).toBe('down');
    // Back up for the other tests.
    await e.post(`/vms/${vm.id}/start`, {});
    await eventually(async () => (await vmStatus(vm.id)) === 'up');
  });

  test('unknown VM: 404; a bad action body: 400', async () => {
    const id = crypto.randomUUID();
    expect((await e.post(`/vms/${id}/start`, {})).status).toBe(404);
    const vm = await e.vmNamed('test-01');
    const bad = await e.post(`/vms/${vm.id}/start`, { async: 'maybe' });
    expect([bad.status, bad.body.reason]).toEqual([400, 'Invalid value']);
    const notJson = await e.post(`/vms/${vm.id}/start`, undefined, {
      raw: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
  });
});

describe('DELETE /vms/{id}', () => {
  const addWithDisk = async (name: string): Promise<{ vm: Entity; diskId: string }> => {
    const vm = (await e.post('/vms', { name, cluster: { name: 'Default' }, template: { name: 'Blank' } }))
      .body as Entity;
    const copy = await e.post(`/disks/${(await diskOf('test-01')).id}/copy`, {
      storage_domain: { name: 'data1' },
      disk: { name: `${name}_Disk1` },
    });
    const diskId = copy.body.disk.id as string;
    await eventually(async () => (await e.get(`/disks/${diskId}`)).body.status === 'ok');
    expect(
      (
        await e.post(`/vms/${vm.id}/diskattachments`, {
          disk: { id: diskId },
          interface: 'virtio_scsi',
          bootable: true,
          active: true,
        })
      ).status,
    ).toBe(201);
    return { vm, diskId };
  };
  const diskOf = async (vmName: string): Promise<Entity> => {
    const vm = await e.vmNamed(vmName);
    return (await e.get(`/vms/${vm.id}/diskattachments`)).body.disk_attachment[0].disk;
  };

  test('a VM that is not down: 409', async () => {
    const vm = await e.vmNamed('db-01');
    const answer = await e.del(`/vms/${vm.id}`);
    expect([answer.status, answer.body]).toEqual([
      409,
      { reason: 'Operation Failed', detail: '[Cannot remove VM. VM is running.]' },
    ]);
  });

  test('removes a down VM with its disks, its attachments and snapshots', async () => {
    const { vm, diskId } = await addWithDisk('doomed-01');
    const answer = await e.del(`/vms/${vm.id}`, { headers: { 'Correlation-Id': 'remove-doomed' } });
    expect([answer.status, answer.body]).toEqual([200, undefined]);
    expect((await e.get(`/vms/${vm.id}`)).status).toBe(404);
    expect((await e.get(`/disks/${diskId}`)).status).toBe(404);
    expect((await jobsOf('remove-doomed'))[0]).toMatchObject({
      description: 'Removing VM doomed-01 from system',
      status: 'finished',
    });
  });

  test('?detach_only=true keeps the disks, detached', async () => {
    const { vm, diskId } = await addWithDisk('doomed-02');
    expect((await e.del(`/vms/${vm.id}?detach_only=true`)).status).toBe(200);
    expect((await e.get(`/disks/${diskId}`)).body).toMatchObject({ id: diskId, status: 'ok' });
    expect((await e.del(`/disks/${diskId}`)).status).toBe(200);
    expect((await e.del(`/vms/${crypto.randomUUID()}`)).status).toBe(404);
  });
});
