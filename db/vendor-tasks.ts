// Webhook vendors' tasks: one row per delivery of an activity attempt. The worker opens a task (superseding the
// earlier attempts' tasks of the same activity) and delivers it; the API records what the vendor reports. A task
// leaves `open` once, by a conditional update, so two concurrent reports cannot both win.
import { randomBytes } from 'node:crypto';
import type { ServerDb } from './database';
import type { VendorTaskStatus, VendorTaskTable } from './tables';

export interface VendorSubStepRecord {
  key: string;
  description: string;
  status: 'running' | 'finished' | 'failed';
}

export interface VendorTask {
  id: string;
  vendorId: string;
  activity: string;
  flowId: string;
  activityId: string;
  attempt: number;
  input: unknown;
  status: VendorTaskStatus;
  reason: string | null;
  outcome: unknown;
  progress: number | null;
  message: string | null;
  subSteps: VendorSubStepRecord[];
  deadline: string;
  createdAt: string;
  updatedAt: string;
}

const now = () => new Date().toISOString();

const taskOf = (row: VendorTaskTable): VendorTask => ({
  id: row.id,
  vendorId: row.vendor_id,
  activity: row.activity,
  flowId: row.workflow_id,
  activityId: row.activity_id,
  attempt: row.attempt,
  input: JSON.parse(row.input),
  status: row.status,
  reason: row.reason,
  outcome: row.outcome === null ? null : JSON.parse(row.outcome),
  progress: row.progress,
  message: row.message,
  subSteps: JSON.parse(row.sub_steps) as VendorSubStepRecord[],
  deadline: row.deadline,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const LIVE: VendorTaskStatus[] = ['delivering', 'open'];

export function createVendorTaskStore(db: ServerDb) {
  return {
    /** A new task for an activity attempt; the earlier attempts' live tasks are superseded by it. */
    async open(t: {
      vendorId: string;
      activity: string;
      workflowId: string;
      activityId: string;
      attempt: number;
      input: unknown;
      deadline: string;
    }): Promise<string> {
      const id = `vt_${randomBytes(24).toString('base64url')}`;
      const at = now();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('vendor_tasks')
          .set({ status: 'superseded', reason: `superseded by attempt ${t.attempt}`, updated_at: at })
          .where('workflow_id', '=', t.workflowId)
          .where('activity_id', '=', t.activityId)
          .where('status', 'in', LIVE)
          .execute();
        await trx
          .insertInto('vendor_tasks')
          .values({
            id,
            vendor_id: t.vendorId,
            activity: t.activity,
            workflow_id: t.workflowId,
            activity_id: t.activityId,
            attempt: t.attempt,
            input: JSON.stringify(t.input),
            status: 'delivering',
            reason: null,
            outcome: null,
            progress: null,
            message: null,
            sub_steps: '[]',
            deadline: t.deadline,
            created_at: at,
            updated_at: at,
          })
          .execute();
      });
      return id;
    },

    async get(id: string): Promise<VendorTask | undefined> {
      const row = await db.selectFrom('vendor_tasks').selectAll().where('id', '=', id).executeTakeFirst();
      return row && taskOf(row);
    },

    async list(vendorId: string, status?: VendorTaskStatus): Promise<VendorTask[]> {
      let q = db.selectFrom('vendor_tasks').selectAll().where('vendor_id', '=', vendorId);
      if (status) q = q.where('status', '=', status);
      return (await q.orderBy('created_at', 'desc').limit(200).execute()).map(taskOf);
    },

    /** Records progress, message or sub-steps of a live task. */
    async report(
      id: string,
      fields: { progress?: number; message?: string; subSteps?: VendorSubStepRecord[] },
    ): Promise<void> {
      await db
        .updateTable('vendor_tasks')
        .set({
          ...(fields.progress !== undefined ? { progress: fields.progress } : {}),
          ...(fields.message !== undefined ? { message: fields.message } : {}),
          ...(fields.subSteps ? { sub_steps: JSON.stringify(fields.subSteps) } : {}),
          updated_at: now(),
        })
        .where('id', '=', id)
        .execute();
    },

    /** Moves a task from delivering/open (or `from`) to `status`; false if it had left those meanwhile. */
    async close(
      id: string,
      status: VendorTaskStatus,
      reason: string | null,
      outcome?: unknown,
      from: VendorTaskStatus[] = LIVE,
    ): Promise<boolean> {
      const result = await db
        .updateTable('vendor_tasks')
        .set({
          status,
          reason,
          ...(outcome !== undefined ? { outcome: JSON.stringify(outcome) } : {}),
          updated_at: now(),
        })
        .where('id', '=', id)
        .where('status', 'in', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

export type VendorTaskStore = ReturnType<typeof createVendorTaskStore>;
