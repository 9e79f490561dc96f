// oVirt's periodic clean-up of auto-cleared jobs: FINISHED ones after `succeededMin`, FAILED / ABORTED / UNKNOWN
// ones after `failedMin`. STARTED jobs and jobs with auto_cleared=false are never deleted.
import type { JobStore } from './store';
import { engineLog } from '../log';

export interface CleanupOptions {
  /** Minutes between runs. @default 10 */
  intervalMin: number;
  /** Minutes a FINISHED auto-cleared job is kept. @default 10 */
  succeededMin: number;
  /** Minutes a FAILED, ABORTED or UNKNOWN auto-cleared job is kept. @default 60 */
  failedMin: number;
}

export const OVIRT_CLEANUP: CleanupOptions = { intervalMin: 10, succeededMin: 10, failedMin: 60 };

const MINUTE_MS = 60_000;

/** Starts the periodic clean-up; returns the function that stops it. */
export function scheduleJobCleanup(store: JobStore, options: CleanupOptions): () => void {
  const run = (): void => {
    const now = store.now();
    try {
      store.cleanup(now - options.succeededMin * MINUTE_MS, now - options.failedMin * MINUTE_MS);
    } catch (err) {
      engineLog.error({ err }, 'job clean-up failed');
    }
  };
  const timer = setInterval(run, Math.max(1, Math.round(options.intervalMin * MINUTE_MS)));
  timer.unref();
  return () => clearInterval(timer);
}
