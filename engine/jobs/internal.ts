// Internal jobs: the ones oVirt creates for its own operations (start a VM, merge a snapshot). They are not
// external (clients cannot end them), auto-cleared, owned by the caller, and carry the call's correlation id.
import type { JobRow, JobStore } from './store';

export interface InternalJobInput {
  /** As oVirt words it, e.g. `Shutting down VM web-01`. */
  description: string;
  ownerId?: string;
  correlationId?: string;
}

/** Adds a STARTED internal job with one STARTED `Executing` step. */
export function startInternalJob(store: JobStore, input: InternalJobInput, now = store.now()): JobRow {
  const job = store.addJob({ ...input, autoCleared: true, external: false }, now);
  store.addStep({ jobId: job.id, description: 'Executing', type: 'executing', external: false }, now);
  return job;
}

/** Ends a STARTED internal job and its STARTED steps; an already ended (or cleaned-up) job is left alone. */
export function endInternalJob(store: JobStore, jobId: string, succeeded: boolean, now = store.now()): void {
  const job = store.job(jobId);
  if (job?.status === 'started') store.endJob(job.id, succeeded ? 'finished' : 'failed', false, now);
}
