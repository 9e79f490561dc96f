// HTTP routes the wizard uses: VMs, clone-name checks, vendors; with their OpenAPI registration.
import { Router } from 'express';
import { json, registerPath } from '../openapi';
import { parse } from '../validate';
import { NameCheck, NameCheckQuery, VendorList, VmList, VmListQuery } from './schemas';
import type { InventoryService } from './service';

registerPath({
  method: 'get',
  path: '/api/v1/vms',
  summary: 'VMs with their status and disks',
  tags: ['inventory'],
  request: { query: VmListQuery },
  responses: { 200: json(VmList, 'VMs') },
});
registerPath({
  method: 'get',
  path: '/api/v1/vms/name-check',
  summary: 'Whether a clone name is valid and free',
  tags: ['inventory'],
  request: { query: NameCheckQuery },
  responses: { 200: json(NameCheck, 'The verdict') },
});
registerPath({
  method: 'get',
  path: '/api/v1/vendors',
  summary: 'Storage vendors, and whether their worker is online',
  tags: ['inventory'],
  responses: { 200: json(VendorList, 'Vendors') },
});

export function inventoryRoutes(inventory: InventoryService): Router {
  const router = Router();
  router.get('/vms', async (req, res) => {
    res.json(await inventory.listVms(parse(VmListQuery, req.query, 'query').search));
  });
  router.get('/vms/name-check', async (req, res) => {
    res.json(await inventory.checkName(parse(NameCheckQuery, req.query, 'query').name));
  });
  router.get('/vendors', async (_req, res) => {
    res.json(await inventory.listVendors());
  });
  return router;
}
