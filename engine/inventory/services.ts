// Builds the inventory's action services around one work registry; `work.stop()` belongs in the engine's close.
import type { Db } from '../db';
import type { JobStore } from '../jobs/store';
import { DiskActions } from './disk-actions';
import { SnapshotActions } from './snapshot-actions';
import type { InventoryStore } from './store';
import { VmActions } from './vm-actions';
import { InventoryWork } from './work';

export interface InventoryServices {
  store: InventoryStore;
  work: InventoryWork;
  vms: VmActions;
  disks: DiskActions;
  snapshots: SnapshotActions;
}

/** @param transitionMs duration of power transitions, merges and copies, in milliseconds */
export function createInventoryServices(
  db: Db,
  store: InventoryStore,
  jobs: JobStore,
  transitionMs: number,
): InventoryServices {
  const work = new InventoryWork(db, jobs);
  const ctx = { db, store, jobs, work, transitionMs };
  return { store, work, vms: new VmActions(ctx), disks: new DiskActions(ctx), snapshots: new SnapshotActions(ctx) };
}
