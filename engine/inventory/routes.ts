// HTTP routes of the inventory: read side of clusters, templates, storage domains, VMs, disks.
import type { ApiCall, ApiRoutes } from '../api-router';
import { param, represent } from '../api-router';
import { found } from '../faults';
import { collection, entity } from '../representation';
import type { Entity } from '../representation';
import { likePattern, readFlag, readMax, readSearch } from '../search';
import {
  clusterModel,
  diskAttachmentModel,
  diskModel,
  snapshotModel,
  storageDomainModel,
  templateModel,
  vmModel,
} from './representation';
import type { InventoryStore } from './store';

const page = <T>(rows: T[], max: number | undefined): T[] => (max === undefined || max < 0 ? rows : rows.slice(0, max));

export function inventoryRoutes(router: ApiRoutes, inventory: InventoryStore): void {
  /** The VM of a path `/vms/:id/...`. */
  const vmOf = (call: ApiCall) => found(inventory.vm(param(call, 'id')), param(call, 'id'));

  router.get('/clusters', (call) => {
    return represent(collection('cluster', page(inventory.clusters(), readMax(call.query)).map(clusterModel)));
  });
  router.get('/clusters/:id', (call) => {
    return represent(entity('cluster', clusterModel(found(inventory.cluster(param(call, 'id')), param(call, 'id')))));
  });

  router.get('/templates', (call) => {
    return represent(collection('template', page(inventory.templates(), readMax(call.query)).map(templateModel)));
  });
  router.get('/templates/:id', (call) => {
    return represent(
      entity('template', templateModel(found(inventory.template(param(call, 'id')), param(call, 'id')))),
    );
  });

  router.get('/storagedomains', (call) => {
    return represent(
      collection('storage_domain', page(inventory.storageDomains(), readMax(call.query)).map(storageDomainModel)),
    );
  });
  router.get('/storagedomains/:id', (call) => {
    return represent(
      entity(
        'storage_domain',
        storageDomainModel(found(inventory.storageDomain(param(call, 'id')), param(call, 'id'))),
      ),
    );
  });
  router.get('/storagedomains/:id/disks', (call) => {
    const sd = found(inventory.storageDomain(param(call, 'id')), param(call, 'id'));
    // `?unregistered=true`: the images no one registered, as the SDKs ask for them.
    const registered = !readFlag(call.query, 'unregistered');
    return represent(collection('disk', inventory.disksOfDomain(sd.id, registered).map(diskModel)));
  });

  router.get('/vms', (call) => {
    const search = readSearch(call.query, ['name', 'status'], 'VMs');
    const rows =
      search?.field === 'name'
        ? inventory.vms({ namePattern: likePattern(search.value) })
        : inventory.vms({ status: search?.value.toLowerCase() });
    return represent(collection('vm', page(rows, readMax(call.query)).map(vmModel)));
  });
  router.get('/vms/:id', (call) => {
    return represent(entity('vm', vmModel(vmOf(call))));
  });
  /** A VM's sub-collection `/vms/:id/<path>` (of `element`s) and its members `/vms/:id/<path>/:itemId`. */
  const vmChildren = <T>(
    path: string,
    element: string,
    all: (vmId: string) => T[],
    one: (vmId: string, id: string) => T | undefined,
    toModel: (row: T) => Entity,
  ): void => {
    router.get(`/vms/:id/${path}`, (call) => represent(collection(element, all(vmOf(call).id).map(toModel))));
    router.get(`/vms/:id/${path}/:itemId`, (call) => {
      const id = param(call, 'itemId');
      return represent(entity(element, toModel(found(one(vmOf(call).id, id), id))));
    });
  };
  vmChildren(
    'diskattachments',
    'disk_attachment',
    (vm) => inventory.attachmentsOfVm(vm),
    (vm, disk) => inventory.attachment(vm, disk),
    diskAttachmentModel,
  );
  vmChildren(
    'snapshots',
    'snapshot',
    (vm) => inventory.snapshotsOfVm(vm),
    (vm, snapshot) => inventory.snapshot(vm, snapshot),
    snapshotModel,
  );

  router.get('/disks', (call) => {
    const search = readSearch(call.query, ['name'], 'Disks');
    const rows = inventory.disks({ namePattern: search ? likePattern(search.value) : undefined });
    return represent(collection('disk', page(rows, readMax(call.query)).map(diskModel)));
  });
  router.get('/disks/:id', (call) => {
    return represent(entity('disk', diskModel(found(inventory.disk(param(call, 'id')), param(call, 'id')))));
  });
}
