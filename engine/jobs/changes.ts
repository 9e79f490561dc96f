// Change notices of jobs and steps, for live views (the Tasks page). JobStore emits one after each write it
// commits; with no listener an emit costs a Set lookup, so the API's speed does not depend on it.
import { engineLog } from '../log';

export type JobChange =
  /** A job was added or changed (status, times, auto_cleared). */
  | { kind: 'job'; jobId: string }
  /** One step was added or changed (status, progress); its job's last_updated changed too. */
  | { kind: 'step'; jobId: string; stepId: string }
  /** The job changed and several of its steps with it (ending a job, a failed step closing the others). */
  | { kind: 'steps'; jobId: string }
  /** Jobs deleted by the clean-up of auto-cleared jobs. */
  | { kind: 'removed'; jobIds: string[] }
  /** Any number of jobs changed (STARTED external jobs marked UNKNOWN on start): reload everything. */
  | { kind: 'reset' };

export type JobChangeListener = (change: JobChange) => void;

export class JobChanges {
  private readonly listeners = new Set<JobChangeListener>();

  /** Adds a listener; returns the function that removes it. */
  listen(listener: JobChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(change: JobChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        engineLog.error({ err }, 'job change listener failed');
      }
    }
  }
}
