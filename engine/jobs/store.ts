// Jobs and steps in SQLite: prepared statements only; the rules of the API live in service.ts.
import crypto from 'node:crypto';
import type { Db } from '../db';
import { JobChanges } from './changes';

export const JOB_STATUSES = ['started', 'finished', 'failed', 'aborted', 'unknown'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const STEP_TYPES = [
  'validating',
  'executing',
  'finalizing',
  'rebalancing_volume',
  'removing_bricks',
  'unknown',
] as const;
export type StepType = (typeof STEP_TYPES)[number];

export interface JobRow {
  id: string;
  description: string;
  status: JobStatus;
  external: number;
  auto_cleared: number;
  start_time: number;
  end_time: number | null;
  last_updated: number;
  owner_id: string | null;
  correlation_id: string | null;
}

export interface StepRow {
  id: string;
  job_id: string;
  parent_step_id: string | null;
  description: string;
  type: StepType;
  number: number;
  status: JobStatus;
  external: number;
  external_type: string | null;
  progress: number | null;
  start_time: number;
  end_time: number | null;
  execution_host_id: string | null;
}

export interface NewJob {
  description: string;
  autoCleared: boolean;
  external: boolean;
  ownerId?: string;
  correlationId?: string;
}

export interface NewStep {
  jobId: string;
  parentStepId?: string;
  description: string;
  type: StepType;
  external: boolean;
}

/** Per job: how many steps it has, and how many of them FAILED. */
export interface StepTally {
  job_id: string;
  steps: number;
  failed: number;
}

export class JobStore {
  private readonly s;
  /** Transactions of the hot path, built once (better-sqlite3 builds wrappers on every `db.transaction` call). */
  private readonly tx;
  /** Notices of every committed change, for live views. */
  readonly changes = new JobChanges();

  /** @param now the engine's clock, the default time of every write */
  constructor(
    private readonly db: Db,
    readonly now: () => number = Date.now,
  ) {
    this.s = {
      insertJob: db.prepare(
        `INSERT INTO jobs (id, description, status, external, auto_cleared, start_time, last_updated, owner_id, correlation_id)
         VALUES (@id, @description, 'started', @external, @auto_cleared, @now, @now, @owner_id, @correlation_id)`,
      ),
      job: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
      jobs: db.prepare<[number], JobRow>('SELECT * FROM jobs ORDER BY start_time DESC, id LIMIT ?'),
      jobsByStatus: db.prepare<[string, number], JobRow>(
        'SELECT * FROM jobs WHERE status = ? ORDER BY start_time DESC, id LIMIT ?',
      ),
      statusCounts: db.prepare<[], { status: JobStatus; n: number }>(
        'SELECT status, count(*) AS n FROM jobs GROUP BY status',
      ),
      stepTallies: db.prepare<[string], StepTally>(
        `SELECT job_id, count(*) AS steps, coalesce(sum(status = 'failed'), 0) AS failed FROM steps
         WHERE job_id IN (SELECT value FROM json_each(?)) GROUP BY job_id`,
      ),
      jobsByCorrelation: db.prepare<[string, number], JobRow>(
        'SELECT * FROM jobs WHERE correlation_id = ? ORDER BY start_time DESC, id LIMIT ?',
      ),
      endJob: db.prepare(
        `UPDATE jobs SET status = @status, end_time = @now, last_updated = @now,
           auto_cleared = CASE WHEN @force THEN 1 ELSE auto_cleared END
         WHERE id = @id`,
      ),
      failJob: db.prepare(`UPDATE jobs SET status = 'failed', end_time = @now, last_updated = @now WHERE id = @id`),
      touchJob: db.prepare('UPDATE jobs SET last_updated = @now WHERE id = @id'),
      clearJob: db.prepare('UPDATE jobs SET auto_cleared = 1 WHERE id = ?'),
      closeStartedSteps: db.prepare(
        `UPDATE steps SET status = @status, end_time = @now WHERE job_id = @id AND status = 'started'`,
      ),
      // Steps are never deleted one by one (only with their job), so max(number) + 1 is the count of siblings.
      countTopSteps: db.prepare<[string], { n: number }>(
        'SELECT coalesce(max(number) + 1, 0) AS n FROM steps WHERE job_id = ? AND parent_step_id IS NULL',
      ),
      countChildSteps: db.prepare<[string], { n: number }>(
        'SELECT coalesce(max(number) + 1, 0) AS n FROM steps WHERE parent_step_id = ?',
      ),
      insertStep: db.prepare(
        `INSERT INTO steps (id, job_id, parent_step_id, description, type, number, status, external, start_time)
         VALUES (@id, @job_id, @parent_step_id, @description, @type, @number, 'started', @external, @now)`,
      ),
      step: db.prepare<[string], StepRow>('SELECT * FROM steps WHERE id = ?'),
      steps: db.prepare<[string], StepRow>('SELECT * FROM steps WHERE job_id = ? ORDER BY start_time, number, id'),
      endStep: db.prepare('UPDATE steps SET status = @status, end_time = @now WHERE id = @id'),
      setProgress: db.prepare('UPDATE steps SET progress = @progress WHERE id = @id'),
      startedToUnknownJobs: db.prepare(
        `UPDATE jobs SET status = 'unknown', last_updated = ? WHERE status = 'started' AND external = 1`,
      ),
      startedToUnknownSteps: db.prepare(
        `UPDATE steps SET status = 'unknown' WHERE status = 'started' AND external = 1`,
      ),
      cleanup: db.prepare<[{ succeededBefore: number; failedBefore: number }], { id: string }>(
        `DELETE FROM jobs WHERE auto_cleared = 1 AND (
           (status = 'finished' AND end_time <= @succeededBefore) OR
           (status IN ('failed', 'aborted', 'unknown') AND coalesce(end_time, last_updated) <= @failedBefore))
         RETURNING id`,
      ),
    };
    this.tx = {
      /** Nested transactions (addStep, endStep inside) become savepoints. */
      atomically: db.transaction((fn: () => unknown) => fn()),
      /** Numbers `row` after its siblings (row.number is set here), inserts it and touches its job. */
      addStep: db.transaction((row: StepRow) => {
        row.number = row.parent_step_id
          ? this.s.countChildSteps.get(row.parent_step_id)!.n
          : this.s.countTopSteps.get(row.job_id)!.n;
        this.s.insertStep.run({ ...row, now: row.start_time });
        this.s.touchJob.run({ id: row.job_id, now: row.start_time });
      }),
      /** Success ends the step alone; failure also fails its job and closes the job's other STARTED steps. */
      endStep: db.transaction((row: StepRow) => {
        const now = row.end_time!;
        this.s.endStep.run({ id: row.id, status: row.status, now });
        if (row.status === 'finished') {
          this.s.touchJob.run({ id: row.job_id, now });
        } else {
          this.s.failJob.run({ id: row.job_id, now });
          this.s.closeStartedSteps.run({ id: row.job_id, status: 'failed', now });
        }
      }),
    };
  }

  /**
   * Runs `fn` in one transaction, so a rule's checks and its writes see the same state and SQLite takes its locks
   * once rather than once per statement (in WAL mode each costs file-lock system calls). Change notices emitted
   * inside are only gathered by listeners, which read the rows after the commit.
   */
  atomically<T>(fn: () => T): T {
    return this.tx.atomically(fn) as T;
  }

  /** Adds a STARTED job; returns its row as stored (built here rather than read back: one statement less). */
  addJob(job: NewJob, now = this.now()): JobRow {
    const row: JobRow = {
      id: crypto.randomUUID(),
      description: job.description,
      status: 'started',
      external: job.external ? 1 : 0,
      auto_cleared: job.autoCleared ? 1 : 0,
      start_time: now,
      end_time: null,
      last_updated: now,
      owner_id: job.ownerId ?? null,
      correlation_id: job.correlationId ?? null,
    };
    this.s.insertJob.run({ ...row, now });
    this.changes.emit({ kind: 'job', jobId: row.id });
    return row;
  }

  job(id: string): JobRow | undefined {
    return this.s.job.get(id);
  }

  /** Newest first; `max` < 0 means all. */
  jobs(filter: { correlationId?: string; max?: number }): JobRow[] {
    const limit = filter.max === undefined || filter.max < 0 ? -1 : filter.max;
    return filter.correlationId === undefined
      ? this.s.jobs.all(limit)
      : this.s.jobsByCorrelation.all(filter.correlationId, limit);
  }

  /** The newest `limit` jobs, optionally of one status (for the Tasks page). */
  latestJobs(status: JobStatus | undefined, limit: number): JobRow[] {
    return status === undefined ? this.s.jobs.all(limit) : this.s.jobsByStatus.all(status, limit);
  }

  /** How many jobs there are of each status. */
  statusCounts(): Record<JobStatus, number> {
    const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
    for (const row of this.s.statusCounts.all()) counts[row.status] = row.n;
    return counts;
  }

  /** Step counts of these jobs; jobs without steps are left out. */
  stepTallies(jobIds: readonly string[]): StepTally[] {
    return jobIds.length ? this.s.stepTallies.all(JSON.stringify(jobIds)) : [];
  }

  /** Ends the job and gives its STARTED steps the same final status. */
  endJob(id: string, status: 'finished' | 'failed', force: boolean, now = this.now()): void {
    this.db.transaction(() => {
      this.s.endJob.run({ id, status, now, force: force ? 1 : 0 });
      this.s.closeStartedSteps.run({ id, status, now });
    })();
    this.changes.emit({ kind: 'steps', jobId: id });
  }

  clearJob(id: string): void {
    this.s.clearJob.run(id);
    this.changes.emit({ kind: 'job', jobId: id });
  }

  /** Adds a STARTED step numbered after its siblings; returns its row as stored. */
  addStep(step: NewStep, now = this.now()): StepRow {
    const row: StepRow = {
      id: crypto.randomUUID(),
      job_id: step.jobId,
      parent_step_id: step.parentStepId ?? null,
      description: step.description,
      type: step.type,
      number: 0,
      status: 'started',
      external: step.external ? 1 : 0,
      external_type: null,
      progress: null,
      start_time: now,
      end_time: null,
      execution_host_id: null,
    };
    this.tx.addStep(row);
    this.changes.emit({ kind: 'step', jobId: row.job_id, stepId: row.id });
    return row;
  }

  step(id: string): StepRow | undefined {
    return this.s.step.get(id);
  }

  steps(jobId: string): StepRow[] {
    return this.s.steps.all(jobId);
  }

  /** Success ends the step alone; failure also fails its job and closes the job's other STARTED steps. */
  endStep(step: StepRow, succeeded: boolean, now = this.now()): StepRow {
    const ended: StepRow = { ...step, status: succeeded ? 'finished' : 'failed', end_time: now };
    this.tx.endStep(ended);
    this.changes.emit(
      succeeded ? { kind: 'step', jobId: step.job_id, stepId: step.id } : { kind: 'steps', jobId: step.job_id },
    );
    return ended;
  }

  /** Sets a step's progress (percent) and touches its job. */
  setProgress(step: StepRow, progress: number, now = this.now()): void {
    this.db.transaction(() => {
      this.s.setProgress.run({ id: step.id, progress });
      this.s.touchJob.run({ id: step.job_id, now });
    })();
    this.changes.emit({ kind: 'step', jobId: step.job_id, stepId: step.id });
  }

  /** What oVirt does on start: STARTED external jobs and steps become UNKNOWN. */
  markStartedExternalUnknown(now = this.now()): void {
    this.db.transaction(() => {
      this.s.startedToUnknownJobs.run(now);
      this.s.startedToUnknownSteps.run();
    })();
    this.changes.emit({ kind: 'reset' });
  }

  /** Deletes auto-cleared jobs ended long enough ago; returns how many. */
  cleanup(succeededBefore: number, failedBefore: number): number {
    const removed = this.s.cleanup.all({ succeededBefore, failedBefore }).map((row) => row.id);
    if (removed.length) this.changes.emit({ kind: 'removed', jobIds: removed });
    return removed.length;
  }
}
