// What the inventory's actions share: the database, the stores, the work registry, the transition time, and the
// internal jobs that record each action the way oVirt does.
import type { Db } from '../db';
import { endInternalJob, startInternalJob } from '../jobs/internal';
import type { JobRow, JobStore } from '../jobs/store';
import type { InventoryStore } from './store';
import type { InventoryWork } from './work';

/** Who called, for the job an action creates. */
export interface Caller {
  userId: string;
  correlationId?: string;
}

export interface InventoryContext {
  db: Db;
  store: InventoryStore;
  /** Also the engine's clock (`jobs.now`). */
  jobs: JobStore;
  work: InventoryWork;
  /** Duration of power transitions, merges and copies, in milliseconds. */
  transitionMs: number;
}

/** A STARTED internal job for asynchronous work; `work.begin` ends it. */
export const startJob = (ctx: InventoryContext, description: string, caller: Caller, now = ctx.jobs.now()): JobRow =>
  startInternalJob(ctx.jobs, { description, ownerId: caller.userId, correlationId: caller.correlationId }, now);

/** An internal job for work done at once: started and FINISHED in the same call. */
export function instantJob(ctx: InventoryContext, description: string, caller: Caller, now = ctx.jobs.now()): JobRow {
  const job = startJob(ctx, description, caller, now);
  endInternalJob(ctx.jobs, job.id, true, now);
  return job;
}
