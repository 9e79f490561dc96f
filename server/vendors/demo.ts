// Registers a temporal-mode vendor serving the whole storage contract as the contract defines it, unless it is
// registered already: the demo vendor acme-storage at the start of a server with the built-in engine, and the
// test stacks' vendors. Its API key is not needed (it works through Temporal) and is not kept.
import { contractRegistrations } from '../../common/storage-contract';
import { HttpProblem } from '../problem';
import { checkRegistration } from './contract-check';
import type { VendorRegistry } from './registry';

export const DEMO_VENDOR = { id: 'acme-storage', name: 'ACME Storage (simulated demo vendor)' };

export async function registerContractVendor(registry: VendorRegistry, vendor: { id: string; name: string }) {
  if (await registry.find(vendor.id)) return;
  try {
    await registry.create({ ...vendor, mode: 'temporal' });
  } catch (err) {
    // Another API server sharing the database registered it at the same moment: its registration is the same.
    if (!(err instanceof HttpProblem && err.problem.status === 409)) throw err;
  }
  for (const { name, ...registration } of contractRegistrations()) {
    checkRegistration(name, registration);
    await registry.putActivity(vendor.id, name, registration);
  }
}
