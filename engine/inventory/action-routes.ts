// HTTP routes of the inventory's actions: VM add / remove / power, disk remove / copy, disk attachments,
// snapshot removal (merge), unregistered disks. Answers shaped as oVirt's (see docs/ovirt-api.md).
import type { ApiCall, Answer, ApiRoutes } from '../api-router';
import { param, represent } from '../api-router';
import { incompleteParameters, methodNotAllowed } from '../faults';
import { readBody } from '../inputs';
import { readFlag } from '../search';
import { jobPath } from '../jobs/representation';
import { actionAnswer, collection, entity, href, ref } from '../representation';
import type { Caller } from './context';
import { diskAttachmentModel, diskModel, diskPath, vmModel, vmPath } from './representation';
import { AddDiskAttachmentBody, AddVmBody, CopyDiskBody, PowerAction, RegisterDiskBody } from './schemas';
import type { InventoryServices } from './services';

const caller = (call: ApiCall): Caller => ({ userId: call.user.id, correlationId: call.correlationId });

/** A nested id that must be given: `{"disk": {}}` is a 400 naming `disk.id`. */
function mandatoryId(id: string | undefined, entity: string, field: string, method: string): string {
  if (id === undefined || id.trim() === '') throw incompleteParameters(entity, [field], method);
  return id;
}

/** oVirt answers a DELETE with 200 and no body. */
const removed: Answer = { status: 200 };

/**
 * The unregistered disks of a domain: the matrix parameter of older clients (the `;` may arrive percent-encoded);
 * the SDKs send `/storagedomains/{sd}/disks?unregistered=true` instead.
 */
const UNREGISTERED = [
  '/storagedomains/:sd/disks;unregistered',
  '/storagedomains/:sd/disks%3Bunregistered',
  '/storagedomains/:sd/disks%3bunregistered',
];

export function inventoryActionRoutes(router: ApiRoutes, inventory: InventoryServices): void {
  const { vms, disks, snapshots } = inventory;

  router.post('/vms', (call) => {
    const body = readBody(AddVmBody, call.body, {
      entity: 'Vm',
      method: 'add',
      mandatory: ['name', 'cluster', 'template'],
    });
    const vm = vms.add(body, caller(call));
    return represent(entity('vm', vmModel(vm)), 201, href(vmPath(vm.id)));
  });

  router.delete('/vms/:id', (call) => {
    vms.remove(param(call, 'id'), readFlag(call.query, 'detach_only'), caller(call));
    return removed;
  });

  for (const action of ['start', 'shutdown', 'stop'] as const) {
    router.post(`/vms/:id/${action}`, (call) => {
      const body = readBody(PowerAction, call.body, { entity: 'Action', method: action });
      const { vm, job } = vms[action](param(call, 'id'), caller(call));
      return represent(
        actionAnswer({ async: body.async }, { job: ref(jobPath(job.id), job.id), vm: ref(vmPath(vm.id), vm.id) }),
      );
    });
  }

  router.post('/vms/:id/diskattachments', (call) => {
    const body = readBody(AddDiskAttachmentBody, call.body, {
      entity: 'DiskAttachment',
      method: 'add',
      mandatory: ['disk', 'interface'],
    });
    const attachment = disks.attach(
      param(call, 'id'),
      {
        diskId: mandatoryId(body.disk.id, 'DiskAttachment', 'disk.id', 'add'),
        interface: body.interface,
        bootable: body.bootable,
        active: body.active,
        readOnly: body.read_only,
        passDiscard: body.pass_discard,
      },
      caller(call),
    );
    const answer = diskAttachmentModel(attachment);
    return represent(entity('disk_attachment', answer), 201, answer.href as string);
  });

  router.delete('/vms/:id/diskattachments/:diskId', (call) => {
    disks.detach(param(call, 'id'), param(call, 'diskId'), caller(call));
    return removed;
  });

  router.delete('/vms/:id/snapshots/:snapshotId', (call) => {
    snapshots.remove(param(call, 'id'), param(call, 'snapshotId'), caller(call));
    return removed;
  });

  router.delete('/disks/:id', (call) => {
    disks.remove(param(call, 'id'), caller(call));
    return removed;
  });

  router.post('/disks/:id/copy', (call) => {
    const body = readBody(CopyDiskBody, call.body, { entity: 'Action', method: 'copy', mandatory: ['storage_domain'] });
    const { copy, job } = disks.copy(
      param(call, 'id'),
      body.storage_domain,
      body.disk?.name ?? body.disk?.alias,
      caller(call),
    );
    // Work that goes on after the answer: 202 with status pending, as oVirt answers an action with async tasks.
    return represent(
      actionAnswer(
        { async: body.async },
        { job: ref(jobPath(job.id), job.id), disk: ref(diskPath(copy.id), copy.id) },
        'pending',
      ),
      202,
    );
  });

  router.get(UNREGISTERED, (call) => {
    return represent(collection('disk', disks.unregistered(param(call, 'sd')).map(diskModel)));
  });

  router.post('/storagedomains/:sd/disks', (call) => {
    if (!readFlag(call.query, 'unregistered')) {
      throw methodNotAllowed('POST', `${call.path} (the built-in engine registers disks, with unregistered=true)`);
    }
    return register(call);
  });

  router.post(UNREGISTERED, (call) => register(call));

  function register(call: ApiCall): Answer {
    const body = readBody(RegisterDiskBody, call.body, { entity: 'Disk', method: 'register' });
    const id = body.disk ? body.disk.id : body.id;
    const disk = disks.register(param(call, 'sd'), mandatoryId(id, 'Disk', 'disk.id', 'register'), caller(call));
    return represent(entity('disk', diskModel(disk)), 201, href(diskPath(disk.id)));
  }
}
