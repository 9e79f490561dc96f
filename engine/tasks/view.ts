// What the Tasks page shows: jobs and steps in plain JSON for the page's script (numbers as numbers, owner by name),
// not oVirt's representation, which stays the API's.
import type { Authenticator } from '../auth';
import type { JobRow, JobStatus, JobStore, StepRow } from '../jobs/store';

/** The newest jobs the page lists at most; older ones are left out (the API still has them). */
export const PAGE_LIMIT = 200;
/** The steps of one job the page shows at most. */
export const STEP_LIMIT = 2000;
/** How long counts of jobs per status are reused: counting takes longer the more jobs there are (README.md, Speed). */
export const COUNTS_TTL_MS = 1000;

export interface TaskJob {
  id: string;
  description: string;
  status: JobStatus;
  owner: string | null;
  external: boolean;
  autoCleared: boolean;
  correlationId: string | null;
  startTime: number;
  endTime: number | null;
  lastUpdated: number;
  steps: number;
  failedSteps: number;
}

export interface TaskStep {
  id: string;
  jobId: string;
  parentId: string | null;
  number: number;
  description: string;
  type: string;
  status: JobStatus;
  external: boolean;
  progress: number | null;
  startTime: number;
  endTime: number | null;
}

export class TasksView {
  private counted: { at: number; counts: Record<JobStatus, number> } | undefined;

  constructor(
    private readonly store: JobStore,
    private readonly auth: Authenticator,
  ) {}

  private owner(id: string | null): string | null {
    if (!id) return null;
    const user = this.auth.userById(id);
    return user ? `${user.name}@${user.domain}` : id;
  }

  private taskJobs(rows: JobRow[]): TaskJob[] {
    const tallies = new Map(this.store.stepTallies(rows.map((row) => row.id)).map((t) => [t.job_id, t]));
    return rows.map((row) => ({
      id: row.id,
      description: row.description,
      status: row.status,
      owner: this.owner(row.owner_id),
      external: row.external === 1,
      autoCleared: row.auto_cleared === 1,
      correlationId: row.correlation_id,
      startTime: row.start_time,
      endTime: row.end_time,
      lastUpdated: row.last_updated,
      steps: tallies.get(row.id)?.steps ?? 0,
      failedSteps: tallies.get(row.id)?.failed ?? 0,
    }));
  }

  /** The newest jobs, of one status if given. */
  list(status: JobStatus | undefined, limit = PAGE_LIMIT): { jobs: TaskJob[]; limit: number } {
    return { jobs: this.taskJobs(this.store.latestJobs(status, limit)), limit };
  }

  /** The count of jobs per status, at most `COUNTS_TTL_MS` old. */
  counts(now = this.store.now()): Record<JobStatus, number> {
    if (!this.counted || now - this.counted.at >= COUNTS_TTL_MS)
      this.counted = { at: now, counts: this.store.statusCounts() };
    return this.counted.counts;
  }

  jobs(ids: readonly string[]): TaskJob[] {
    return this.taskJobs(ids.map((id) => this.store.job(id)).filter((row): row is JobRow => row !== undefined));
  }

  /** A job and its steps (flat, each naming its parent), or undefined. */
  job(id: string): { job: TaskJob; steps: TaskStep[]; truncated: boolean } | undefined {
    const [job] = this.jobs([id]);
    if (!job) return undefined;
    const rows = this.store.steps(id);
    return { job, steps: rows.slice(0, STEP_LIMIT).map(taskStep), truncated: rows.length > STEP_LIMIT };
  }

  step(id: string): TaskStep | undefined {
    const row = this.store.step(id);
    return row ? taskStep(row) : undefined;
  }
}

export const taskStep = (row: StepRow): TaskStep => ({
  id: row.id,
  jobId: row.job_id,
  parentId: row.parent_step_id,
  number: row.number,
  description: row.description,
  type: row.type,
  status: row.status,
  external: row.external === 1,
  progress: row.progress,
  startTime: row.start_time,
  endTime: row.end_time,
});
