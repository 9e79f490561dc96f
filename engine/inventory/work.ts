// Asynchronous inventory work (power transitions, snapshot merges, disk copies): one row per internal job in
// `inventory_work`, one timer per row. Completing the work applies what the job's locks and transitions stand for,
// all in one transaction: VMs reach their transition status, disks locked by the job become ok, snapshots locked by
// the job (merges) disappear, and the job ends FINISHED. A restart completes overdue work and schedules the rest.
import type { Db } from '../db';
import { endInternalJob } from '../jobs/internal';
import type { JobStore } from '../jobs/store';
import { engineLog } from '../log';

export const WORK_KINDS = ['vm_power', 'snapshot_merge', 'disk_copy'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

interface WorkRow {
  job_id: string;
  kind: WorkKind;
  subject_id: string;
  ends_at: number;
}

export class InventoryWork {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private readonly s;

  constructor(
    private readonly db: Db,
    private readonly jobs: JobStore,
  ) {
    this.s = {
      insert: db.prepare('INSERT INTO inventory_work (job_id, kind, subject_id, ends_at) VALUES (?, ?, ?, ?)'),
      get: db.prepare<[string], WorkRow>('SELECT * FROM inventory_work WHERE job_id = ?'),
      all: db.prepare<[], WorkRow>('SELECT * FROM inventory_work ORDER BY ends_at'),
      remove: db.prepare('DELETE FROM inventory_work WHERE job_id = ?'),
      finishVms: db.prepare(
        `UPDATE vms SET status = transition_status,
           start_time = CASE WHEN transition_status = 'up' THEN @now ELSE start_time END,
           stop_time = CASE WHEN transition_status = 'down' THEN @now ELSE stop_time END,
           transition_status = NULL, transition_ends_at = NULL, transition_job_id = NULL
         WHERE transition_job_id = @job`,
      ),
      abandonVms: db.prepare(
        'UPDATE vms SET transition_status = NULL, transition_ends_at = NULL, transition_job_id = NULL WHERE transition_job_id = @job',
      ),
      unlockDisks: db.prepare(
        `UPDATE disks SET status = 'ok', lock_ends_at = NULL, lock_job_id = NULL WHERE lock_job_id = @job`,
      ),
      mergeSnapshots: db.prepare('DELETE FROM snapshots WHERE lock_job_id = @job'),
      unlockSnapshots: db.prepare(
        `UPDATE snapshots SET status = 'ok', lock_ends_at = NULL, lock_job_id = NULL WHERE lock_job_id = @job`,
      ),
    };
  }

  /** Records work ending at `endsAt` (call inside the transaction that locks its subjects) and schedules it. */
  begin(jobId: string, kind: WorkKind, subjectId: string, endsAt: number): void {
    this.s.insert.run(jobId, kind, subjectId, endsAt);
    this.schedule(jobId, endsAt);
  }

  /** Applies the work of a job now; a job without work (already done or cancelled) is left alone. */
  complete(jobId: string, now = this.jobs.now()): void {
    this.clearTimer(jobId);
    this.db.transaction(() => {
      if (!this.s.get.get(jobId)) return;
      this.s.finishVms.run({ job: jobId, now });
      this.s.unlockDisks.run({ job: jobId });
      this.s.mergeSnapshots.run({ job: jobId });
      this.s.remove.run(jobId);
      endInternalJob(this.jobs, jobId, true, now);
    })();
  }

  /**
   * Abandons a job's work (e.g. a shutdown overtaken by a power-off): VMs keep their current status, locks are
   * released, snapshots stay, and the job ends FAILED. Call inside the caller's transaction.
   */
  cancel(jobId: string, now = this.jobs.now()): void {
    this.clearTimer(jobId);
    this.s.abandonVms.run({ job: jobId });
    this.s.unlockDisks.run({ job: jobId });
    this.s.unlockSnapshots.run({ job: jobId });
    this.s.remove.run(jobId);
    endInternalJob(this.jobs, jobId, false, now);
  }

  /** On start: completes work whose time has passed while the engine was down, schedules the rest. */
  resume(now = this.jobs.now()): void {
    for (const row of this.s.all.all()) {
      if (row.ends_at <= now) this.complete(row.job_id, now);
      else this.schedule(row.job_id, row.ends_at);
    }
  }

  /** Clears every timer; work left in the database is resumed by the next start. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Jobs whose work is scheduled (for tests and diagnostics). */
  pending(): string[] {
    return [...this.timers.keys()];
  }

  private schedule(jobId: string, endsAt: number): void {
    if (this.stopped) return;
    this.clearTimer(jobId);
    const timer = setTimeout(
      () => {
        this.timers.delete(jobId);
        if (this.stopped) return;
        try {
          this.complete(jobId);
        } catch (err) {
          engineLog.error({ err, engineJobId: jobId }, 'completing the work of a job failed');
        }
      },
      Math.max(0, endsAt - this.jobs.now()),
    );
    timer.unref();
    this.timers.set(jobId, timer);
  }

  private clearTimer(jobId: string): void {
    const timer = this.timers.get(jobId);
    if (timer) clearTimeout(timer);
    this.timers.delete(jobId);
  }
}
