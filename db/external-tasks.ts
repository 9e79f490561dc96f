// Standalone external tasks and their steps, as the vendor API accepted them. The API checks each report here and
// records it before it answers (so every answer is definite, with no worker involved); the task's workflow mirrors
// the reports onto the engine and writes back, as the task ends, which engine job and steps it used.
import type { Kysely, Selectable } from 'kysely';
import { lockRow } from './database';
import type { ExternalTaskStatus, ExternalTaskStepTable, ExternalTaskTable, ServerTables } from './tables';

export interface ExternalTaskStep {
  id: string;
  parentStepId: string | null;
  key: string | null;
  description: string;
  type: string;
  status: ExternalTaskStatus;
  progress: number | null;
  createdAt: string;
  endedAt: string | null;
  engineStepId: string | null;
  engineJobId: string | null;
}

export interface ExternalTask {
  id: string;
  vendorId: string;
  description: string;
  correlationId: string | null;
  timeoutSeconds: number;
  status: ExternalTaskStatus;
  reason: string | null;
  createdAt: string;
  lastReportAt: string;
  endedAt: string | null;
  /** Every engine job it used, written as it ends (empty before). */
  engineJobIds: string[];
  /** The engine job the API opened as it created the task, if the engine answered in time. */
  openedJobId: string | null;
  /** Every step, in the order they were added (parents before their children). */
  steps: ExternalTaskStep[];
}

/** What the workflow writes back as the task ends: the engine job and steps it used. */
export interface ExternalTaskMirror {
  engineJobIds: string[];
  steps: { id: string; engineStepId: string | null; engineJobId: string | null }[];
}

const stepOf = (row: Selectable<ExternalTaskStepTable>): ExternalTaskStep => ({
  id: row.id,
  parentStepId: row.parent_step_id,
  key: row.vendor_key,
  description: row.description,
  type: row.type,
  status: row.status,
  progress: row.progress,
  createdAt: row.created_at,
  endedAt: row.ended_at,
  engineStepId: row.engine_step_id,
  engineJobId: row.engine_job_id,
});

const taskOf = (row: Selectable<ExternalTaskTable>, steps: ExternalTaskStep[]): ExternalTask => ({
  id: row.id,
  vendorId: row.vendor_id,
  description: row.description,
  correlationId: row.correlation_id,
  timeoutSeconds: row.timeout_seconds,
  status: row.status,
  reason: row.reason,
  createdAt: row.created_at,
  lastReportAt: row.last_report_at,
  endedAt: row.ended_at,
  engineJobIds: JSON.parse(row.engine_job_ids) as string[],
  openedJobId: row.opened_job_id,
  steps,
});

/** Whose tasks a read may see: one vendor's (its current registration only), or every vendor's (the operator). */
export type TaskScope = { vendorId: string } | { operator: true };

function storeOn(db: Kysely<ServerTables>) {
  /** The tasks a scope may see: a vendor's are those of its current registration, not of an earlier one. */
  const scoped = (scope: TaskScope) => {
    const q = db.selectFrom('external_tasks').selectAll('external_tasks');
    if (!('vendorId' in scope)) return q;
    return q
      .innerJoin('vendors', (j) =>
        j
          .onRef('vendors.id', '=', 'external_tasks.vendor_id')
          .onRef('vendors.created_at', '=', 'external_tasks.vendor_registered_at'),
      )
      .where('external_tasks.vendor_id', '=', scope.vendorId);
  };

  async function withSteps(rows: Selectable<ExternalTaskTable>[]): Promise<ExternalTask[]> {
    if (!rows.length) return [];
    const steps = await db
      .selectFrom('external_task_steps')
      .selectAll()
      .where(
        'task_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('seq')
      .execute();
    return rows.map((r) => taskOf(r, steps.filter((s) => s.task_id === r.id).map(stepOf)));
  }

  return {
    async get(scope: TaskScope, id: string): Promise<ExternalTask | undefined> {
      const row = await scoped(scope).where('external_tasks.id', '=', id).executeTakeFirst();
      return row && (await withSteps([row]))[0];
    },

    async findByCorrelation(vendorId: string, correlationId: string): Promise<ExternalTask | undefined> {
      const row = await scoped({ vendorId })
        .where('external_tasks.correlation_id', '=', correlationId)
        .executeTakeFirst();
      return row && (await withSteps([row]))[0];
    },

    /** Newest first. */
    async list(
      scope: TaskScope,
      filter: { vendorId?: string; status?: ExternalTaskStatus; limit: number },
    ): Promise<ExternalTask[]> {
      let q = scoped(scope);
      if (filter.vendorId) q = q.where('external_tasks.vendor_id', '=', filter.vendorId);
      if (filter.status) q = q.where('external_tasks.status', '=', filter.status);
      const rows = await q
        .orderBy('external_tasks.created_at', 'desc')
        .orderBy('external_tasks.id')
        .limit(filter.limit)
        .execute();
      return withSteps(rows);
    },

    /** A new task of the vendor's current registration; false if the vendor is not registered (any more). */
    async create(t: {
      id: string;
      vendorId: string;
      description: string;
      correlationId: string | null;
      timeoutSeconds: number;
      now: string;
    }): Promise<boolean> {
      const vendor = await db
        .selectFrom('vendors')
        .select('created_at')
        .where('id', '=', t.vendorId)
        .executeTakeFirst();
      if (!vendor) return false;
      await db
        .insertInto('external_tasks')
        .values({
          id: t.id,
          vendor_id: t.vendorId,
          vendor_registered_at: vendor.created_at,
          description: t.description,
          correlation_id: t.correlationId,
          timeout_seconds: t.timeoutSeconds,
          status: 'started',
          reason: null,
          created_at: t.now,
          last_report_at: t.now,
          ended_at: null,
          engine_job_ids: '[]',
          opened_job_id: null,
        })
        .execute();
      return true;
    },

    async addStep(
      taskId: string,
      s: { id: string; parentStepId: string | null; key: string | null; description: string; type: string },
      now: string,
    ): Promise<void> {
      const last = await db
        .selectFrom('external_task_steps')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('task_id', '=', taskId)
        .executeTakeFirst();
      await db
        .insertInto('external_task_steps')
        .values({
          id: s.id,
          task_id: taskId,
          parent_step_id: s.parentStepId,
          vendor_key: s.key,
          seq: Number(last?.seq ?? 0) + 1,
          description: s.description,
          type: s.type,
          status: 'started',
          progress: null,
          created_at: now,
          ended_at: null,
          engine_step_id: null,
          engine_job_id: null,
        })
        .execute();
      await this.touch(taskId, now);
    },

    async setStepProgress(taskId: string, stepId: string, progress: number, now: string): Promise<void> {
      await db.updateTable('external_task_steps').set({ progress }).where('id', '=', stepId).execute();
      await this.touch(taskId, now);
    },

    async endStep(taskId: string, stepId: string, status: ExternalTaskStatus, now: string): Promise<void> {
      await db
        .updateTable('external_task_steps')
        .set({ status, ended_at: now, ...(status === 'finished' ? { progress: 100 } : {}) })
        .where('id', '=', stepId)
        .execute();
      await this.touch(taskId, now);
    },

    /** A report from the vendor: the task's time limit counts again from now. */
    async touch(taskId: string, now: string): Promise<void> {
      await db.updateTable('external_tasks').set({ last_report_at: now }).where('id', '=', taskId).execute();
    },

    /**
     * Ends a started task, and with it (as oVirt ends a job) every step still started. Conditional: only one end
     * wins; answers whether this one did.
     */
    async end(taskId: string, status: ExternalTaskStatus, reason: string | null, now: string): Promise<boolean> {
      const ended = await db
        .updateTable('external_tasks')
        .set({ status, reason, ended_at: now })
        .where('id', '=', taskId)
        .where('status', '=', 'started')
        .executeTakeFirst();
      if (!Number(ended.numUpdatedRows)) return false;
      await db
        .updateTable('external_task_steps')
        .set({ status, ended_at: now })
        .where('task_id', '=', taskId)
        .where('status', '=', 'started')
        .execute();
      return true;
    },

    /** The engine job the API opened for the task (before its workflow started). */
    async recordOpenedJob(taskId: string, jobId: string): Promise<void> {
      await db.updateTable('external_tasks').set({ opened_job_id: jobId }).where('id', '=', taskId).execute();
    },

    /** The engine job and steps the workflow used, written as the task ends. */
    async recordMirror(taskId: string, mirror: ExternalTaskMirror): Promise<void> {
      await db
        .updateTable('external_tasks')
        .set({ engine_job_ids: JSON.stringify(mirror.engineJobIds) })
        .where('id', '=', taskId)
        .execute();
      for (const s of mirror.steps)
        await db
          .updateTable('external_task_steps')
          .set({ engine_step_id: s.engineStepId, engine_job_id: s.engineJobId })
          .where('id', '=', s.id)
          .where('task_id', '=', taskId)
          .execute();
    },

    /** Holds the task until the transaction ends: reports on it, through any API server, go one after the other. */
    async lock(taskId: string): Promise<void> {
      await lockRow(db, 'external_tasks', taskId);
    },

    /** The started tasks of a vendor's current registration (to end them as it is removed). */
    async startedOf(vendorId: string): Promise<string[]> {
      const rows = await scoped({ vendorId }).where('external_tasks.status', '=', 'started').execute();
      return rows.map((r) => r.id);
    },
  };
}

/** The task store in one transaction (see `transaction`). */
export type ExternalTaskTransaction = ReturnType<typeof storeOn>;

export function createExternalTaskStore(db: Kysely<ServerTables>) {
  return {
    ...storeOn(db),
    /**
     * Runs `fn` in one transaction with a store bound to it: a report's checks, its record and its hand-over to
     * the workflow stand or fall together; with `lock`, reports on one task keep their order (SQLite serialises writers
     * anyway, PostgreSQL holds the task's row).
     */
    transaction<T>(fn: (store: ExternalTaskTransaction) => Promise<T>): Promise<T> {
      return db.transaction().execute((trx) => fn(storeOn(trx)));
    },
  };
}

export type ExternalTaskStore = ReturnType<typeof createExternalTaskStore>;
