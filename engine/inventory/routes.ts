// HTTP routes of the inventory: read side of clusters, templates, storage domains, VMs, disks.
import type { ApiCall, ApiRoutes } from '../api-router';
import { json, param } from '../api-router';
import { found } from '../faults';
import { collection } from '../representation';
import type { Json } from '../representation';
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

const page = <T>(rows: T[], max: number | undefined): T[] => (max === undefined || max < 0 ? rows : rows.slice(0, max));

export function inventoryRoutes(router: ApiRoutes, inventory: InventoryStore): void {
  /** The VM of a path `/vms/:id/...`. */
  const vmOf = (call: ApiCall) => found(inventory.vm(param(call, 'id')), param(call, 'id'));

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
    return json(vmJson(vmOf(call)));
  });
  /** A VM's sub-collection `/vms/:id/<path>` (of `element`s) and its members `/vms/:id/<path>/:itemId`. */
  const vmChildren = <T>(
    path: string,
    element: string,
    all: (vmId: string) => T[],
    one: (vmId: string, id: string) => T | undefined,
    toJson: (row: T) => Json,
  ): void => {
    router.get(`/vms/:id/${path}`, (call) => json(collection(element, all(vmOf(call).id).map(toJson))));
    router.get(`/vms/:id/${path}/:itemId`, (call) => {
      const id = param(call, 'itemId');
      return json(toJson(found(one(vmOf(call).id, id), id)));
    });
  };
  vmChildren(
    'diskattachments',
    'disk_attachment',
    (vm) => inventory.attachmentsOfVm(vm),
    (vm, disk) => inventory.attachment(vm, disk),
    diskAttachmentJson,
  );
  vmChildren(
    'snapshots',
    'snapshot',
    (vm) => inventory.snapshotsOfVm(vm),
    (vm, snapshot) => inventory.snapshot(vm, snapshot),
    snapshotJson,
  );

  router.get('/disks', (call) => {
    const search = readSearch(call.query, ['name'], 'Disks');
    const rows = inventory.disks({ namePattern: search ? likePattern(search.value) : undefined });
    return json(collection('disk', page(rows, readMax(call.query)).map(diskJson)));
  });
  router.get('/disks/:id', (call) => {
    return json(diskJson(found(inventory.disk(param(call, 'id')), param(call, 'id'))));
  });
}
