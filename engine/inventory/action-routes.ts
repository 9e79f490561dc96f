// HTTP routes of the inventory's actions: VM add / remove / power, disk remove / copy, disk attachments,
// snapshot removal (merge), unregistered disks. Answers shaped as oVirt's (see docs/ovirt-api.md).
import express from 'express';
import type { Request, Response } from 'express';
import { currentUser } from '../auth';
import { currentCorrelationId } from '../correlation';
import { incompleteParameters, invalidValue } from '../faults';
import { readBody } from '../inputs';
import { jobPath } from '../jobs/representation';
import { actionAnswer, collection, href, ref } from '../representation';
import type { Caller } from './context';
import { diskAttachmentJson, diskJson, diskPath, vmJson, vmPath } from './representation';
import { AddDiskAttachmentBody, AddVmBody, CopyDiskBody, PowerAction, RegisterDiskBody } from './schemas';
import type { InventoryServices } from './services';

const caller = (res: Response): Caller => ({ userId: currentUser(res).id, correlationId: currentCorrelationId(res) });

/** A boolean query parameter (`?detach_only=true`); absent means false. */
function queryFlag(req: Request, name: string): boolean {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return false;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw invalidValue(raw, name);
}

/** A nested id that must be given: `{"disk": {}}` is a 400 naming `disk.id`. */
function mandatoryId(id: string | undefined, entity: string, field: string, method: string): string {
  if (id === undefined || id.trim() === '') throw incompleteParameters(entity, [field], method);
  return id;
}

/** oVirt answers a DELETE with 200 and no body. */
const removed = (res: Response): void => {
  res.status(200).end();
};

/** The unregistered disks of a domain; the `;` may arrive percent-encoded from some clients. */
const UNREGISTERED = ['/storagedomains/:sd/disks;unregistered', '/storagedomains/:sd/disks%3Bunregistered', '/storagedomains/:sd/disks%3bunregistered'];

export function inventoryActionsRouter(inventory: InventoryServices): express.Router {
  const router = express.Router();
  const { vms, disks, snapshots } = inventory;

  router.post('/vms', (req, res) => {
    const body = readBody(AddVmBody, req.body, { entity: 'Vm', method: 'add', mandatory: ['name', 'cluster', 'template'] });
    const vm = vms.add(body, caller(res));
    res.status(201).location(href(vmPath(vm.id))).json(vmJson(vm));
  });

  router.delete('/vms/:id', (req, res) => {
    vms.remove(req.params.id, queryFlag(req, 'detach_only'), caller(res));
    removed(res);
  });

  for (const action of ['start', 'shutdown', 'stop'] as const) {
    router.post(`/vms/:id/${action}`, (req, res) => {
      const body = readBody(PowerAction, req.body, { entity: 'Action', method: action });
      const { vm, job } = vms[action](req.params.id, caller(res));
      res.json(actionAnswer({ async: body.async }, { job: ref(jobPath(job.id), job.id), vm: ref(vmPath(vm.id), vm.id) }));
    });
  }

  router.post('/vms/:id/diskattachments', (req, res) => {
    const body = readBody(AddDiskAttachmentBody, req.body, { entity: 'DiskAttachment', method: 'add', mandatory: ['disk', 'interface'] });
    const attachment = disks.attach(
      req.params.id,
      {
        diskId: mandatoryId(body.disk.id, 'DiskAttachment', 'disk.id', 'add'),
        interface: body.interface,
        bootable: body.bootable,
        active: body.active,
        readOnly: body.read_only,
        passDiscard: body.pass_discard,
      },
      caller(res),
    );
    const json = diskAttachmentJson(attachment);
    res.status(201).location(json.href as string).json(json);
  });

  router.delete('/vms/:id/diskattachments/:diskId', (req, res) => {
    disks.detach(req.params.id, req.params.diskId, caller(res));
    removed(res);
  });

  router.delete('/vms/:id/snapshots/:snapshotId', (req, res) => {
    snapshots.remove(req.params.id, req.params.snapshotId, caller(res));
    removed(res);
  });

  router.delete('/disks/:id', (req, res) => {
    disks.remove(req.params.id, caller(res));
    removed(res);
  });

  router.post('/disks/:id/copy', (req, res) => {
    const body = readBody(CopyDiskBody, req.body, { entity: 'Action', method: 'copy', mandatory: ['storage_domain'] });
    const { copy, job } = disks.copy(req.params.id, body.storage_domain, body.disk?.name ?? body.disk?.alias, caller(res));
    // Work that goes on after the answer: 202 with status pending, as oVirt answers an action with async tasks.
    const answer = actionAnswer({ async: body.async }, { job: ref(jobPath(job.id), job.id), disk: ref(diskPath(copy.id), copy.id) });
    res.status(202).json({ ...answer, status: 'pending' });
  });

  router.get(UNREGISTERED, (req, res) => {
    res.json(collection('disk', disks.unregistered(req.params.sd as string).map(diskJson)));
  });

  router.post(UNREGISTERED, (req, res) => {
    const body = readBody(RegisterDiskBody, req.body, { entity: 'Disk', method: 'register', mandatory: ['disk'] });
    const disk = disks.register(req.params.sd as string, mandatoryId(body.disk.id, 'Disk', 'disk.id', 'register'), caller(res));
    res.status(201).location(href(diskPath(disk.id))).json(diskJson(disk));
  });

  return router;
}
