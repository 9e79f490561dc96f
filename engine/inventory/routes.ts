// HTTP routes of the inventory: read side of clusters, templates, storage domains, VMs, disks.
import express from 'express';
import { entityNotFound } from '../faults';
import { collection } from '../representation';
import { likePattern, readMax, readSearch } from '../search';
import {
  clusterJson, diskAttachmentJson, diskJson, snapshotJson, storageDomainJson, templateJson, vmJson,
} from './representation';
import type { InventoryStore } from './store';

const found = <T>(row: T | undefined, id: string): T => {
  if (row === undefined) throw entityNotFound(id);
  return row;
};

const page = <T>(rows: T[], max: number | undefined): T[] => (max === undefined || max < 0 ? rows : rows.slice(0, max));

export function inventoryRouter(inventory: InventoryStore): express.Router {
  const router = express.Router();

  router.get('/clusters', (req, res) => {
    res.json(collection('cluster', page(inventory.clusters(), readMax(req)).map(clusterJson)));
  });
  router.get('/clusters/:id', (req, res) => {
    res.json(clusterJson(found(inventory.cluster(req.params.id), req.params.id)));
  });

  router.get('/templates', (req, res) => {
    res.json(collection('template', page(inventory.templates(), readMax(req)).map(templateJson)));
  });
  router.get('/templates/:id', (req, res) => {
    res.json(templateJson(found(inventory.template(req.params.id), req.params.id)));
  });

  router.get('/storagedomains', (req, res) => {
    res.json(collection('storage_domain', page(inventory.storageDomains(), readMax(req)).map(storageDomainJson)));
  });
  router.get('/storagedomains/:id', (req, res) => {
    res.json(storageDomainJson(found(inventory.storageDomain(req.params.id), req.params.id)));
  });
  router.get('/storagedomains/:id/disks', (req, res) => {
    const sd = found(inventory.storageDomain(req.params.id), req.params.id);
    res.json(collection('disk', inventory.disksOfDomain(sd.id, true).map(diskJson)));
  });

  router.get('/vms', (req, res) => {
    const search = readSearch(req, ['name', 'status'], 'VMs');
    const rows =
      search?.field === 'name'
        ? inventory.vms({ namePattern: likePattern(search.value) })
        : inventory.vms({ status: search?.value.toLowerCase() });
    res.json(collection('vm', page(rows, readMax(req)).map(vmJson)));
  });
  router.get('/vms/:id', (req, res) => {
    res.json(vmJson(found(inventory.vm(req.params.id), req.params.id)));
  });
  router.get('/vms/:id/diskattachments', (req, res) => {
    const vm = found(inventory.vm(req.params.id), req.params.id);
    res.json(collection('disk_attachment', inventory.attachmentsOfVm(vm.id).map(diskAttachmentJson)));
  });
  router.get('/vms/:id/diskattachments/:diskId', (req, res) => {
    found(inventory.vm(req.params.id), req.params.id);
    res.json(diskAttachmentJson(found(inventory.attachment(req.params.id, req.params.diskId), req.params.diskId)));
  });
  router.get('/vms/:id/snapshots', (req, res) => {
    const vm = found(inventory.vm(req.params.id), req.params.id);
    res.json(collection('snapshot', inventory.snapshotsOfVm(vm.id).map(snapshotJson)));
  });
  router.get('/vms/:id/snapshots/:snapshotId', (req, res) => {
    found(inventory.vm(req.params.id), req.params.id);
    res.json(snapshotJson(found(inventory.snapshot(req.params.id, req.params.snapshotId), req.params.snapshotId)));
  });

  router.get('/disks', (req, res) => {
    const search = readSearch(req, ['name'], 'Disks');
    const rows = inventory.disks({ namePattern: search ? likePattern(search.value) : undefined });
    res.json(collection('disk', page(rows, readMax(req)).map(diskJson)));
  });
  router.get('/disks/:id', (req, res) => {
    res.json(diskJson(found(inventory.disk(req.params.id), req.params.id)));
  });

  return router;
}
