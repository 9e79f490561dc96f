// What the inventory routes of the API (declared in ../api/routes.ts) do: the wizard's VMs and name checks.
import type { Handlers } from '../api/router';
import type { InventoryService } from './service';

export function inventoryHandlers(inventory: InventoryService): Handlers<'listVms' | 'checkName'> {
  return {
    listVms: ({ query }) => inventory.listVms(query.search),
    checkName: ({ query }) => inventory.checkName(query.name),
  };
}
