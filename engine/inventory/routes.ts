// HTTP routes of the inventory: read side of clusters, templates, storage domains, VMs, disks.
import type { ApiRoutes } from '../api-router';
import { json, param } from '../api-router';
import { entityNotFound } from '../faults';
import { collection } from '../representation';
import { likePattern, readMax, readSearch } from '../search';
import {
  clusterJson,
  diskAttachmentJson,
  diskJson,
  snapshotJson,
  storageDomainJson,
  templateJson,
  vmJson,
} from './representation';
import type { InventoryStore } from './store';

const found = <T>(row: T | undefined, id: string): T => {
  if (row === undefined) throw entityNotFound(id);
  return row;
};

const page = <T>(rows: T[], max: number | undefined): T[] => (max === undefined || max < 0 ? rows : rows.slice(0, max));

export function inventoryRoutes(router: ApiRoutes, inventory: InventoryStore): void {
  router.get('/clusters', (call) => {
    return json(collection('cluster', page(inventory.clusters(), readMax(call.query)).map(clusterJson)));
  });
  router.get('/clusters/:id', (call) => {
    return json(clusterJson(found(inventory.cluster(param(call, 'id')), param(call, 'id'))));
  });

  router.get('/templates', (call) => {
    return json(collection('template', page(inventory.templates(), readMax(call.query)).map(templateJson)));
  });
  router.get('/templates/:id', (call) => {
    return json(templateJson(found(inventory.template(param(call, 'id')), param(call, 'id'))));
  });

  router.get('/storagedomains', (call) => {
    return json(
      collection('storage_domain', page(inventory.storageDomains(), readMax(call.query)).map(storageDomainJson)),
    );
  });
  router.get('/storagedomains/:id', (call) => {
    return json(storageDomainJson(found(inventory.storageDomain(param(call, 'id')), param(call, 'id'))));
  });
  router.get('/storagedomains/:id/disks', (call) => {
    const sd = found(inventory.storageDomain(param(call, 'id')), param(call, 'id'));
    return json(collection('disk', inventory.disksOfDomain(sd.id, true).map(diskJson)));
  });

  router.get('/vms', (call) => {
    const search = readSearch(call.query, ['name', 'status'], 'VMs');
    const rows =
      search?.field === 'name'
        ? inventory.vms({ namePattern: likePattern(search.value) })
        : inventory.vms({ status: search?.value.toLowerCase() });
    return json(collection('vm', page(rows, readMax(call.query)).map(vmJson)));
  });
  router.get('/vms/:id', (call) => {
    return json(vmJson(found(inventory.vm(param(call, 'id')), param(call, 'id'))));
  });
  router.get('/vms/:id/diskattachments', (call) => {
    const vm = found(inventory.vm(param(call, 'id')), param(call, 'id'));
    return json(collection('disk_attachment', inventory.attachmentsOfVm(vm.id).map(diskAttachmentJson)));
  });
  router.get('/vms/:id/diskattachments/:diskId', (call) => {
    found(inventory.vm(param(call, 'id')), param(call, 'id'));
    return json(
      diskAttachmentJson(found(inventory.attachment(param(call, 'id'), param(call, 'diskId')), param(call, 'diskId'))),
    );
  });
  router.get('/vms/:id/snapshots', (call) => {
    const vm = found(inventory.vm(param(call, 'id')), param(call, 'id'));
    return json(collection('snapshot', inventory.snapshotsOfVm(vm.id).map(snapshotJson)));
  });
  router.get('/vms/:id/snapshots/:snapshotId', (call) => {
    found(inventory.vm(param(call, 'id')), param(call, 'id'));
    return json(
      snapshotJson(found(inventory.snapshot(param(call, 'id'), param(call, 'snapshotId')), param(call, 'snapshotId'))),
    );
  });

  router.get('/disks', (call) => {
    const search = readSearch(call.query, ['name'], 'Disks');
    const rows = inventory.disks({ namePattern: search ? likePattern(search.value) : undefined });
    return json(collection('disk', page(rows, readMax(call.query)).map(diskJson)));
  });
  router.get('/disks/:id', (call) => {
    return json(diskJson(found(inventory.disk(param(call, 'id')), param(call, 'id'))));
  });
}
