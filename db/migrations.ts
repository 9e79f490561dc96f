// The server database's migrations, applied at start in the order of their names (Kysely's Migrator sorts and
// records them, hence the numbers). A released migration is never edited: a change is a new one.
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';

const migrations: Record<string, Migration> = {
  '001-vendor-registry': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('vendors')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('temporal', 'webhook')`))
        .addColumn('task_queue', 'text')
        .addColumn('webhook_url', 'text')
        .addColumn('webhook_secret_sealed', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('vendor_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id').onDelete('cascade'))
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('vendor_keys_vendor').on('vendor_keys').column('vendor_id').execute();
      await db.schema
        .createTable('vendor_activities')
        .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('input_schema', 'text', (c) => c.notNull())
        .addColumn('output_schema', 'text', (c) => c.notNull())
        .addColumn('start_to_close_timeout', 'text')
        .addColumn('heartbeat_timeout', 'text')
        .addColumn('retry', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('vendor_activities_pk', ['vendor_id', 'name'])
        .execute();
    },
  },
  '002-vendor-tasks': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('vendor_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('vendor_id', 'text', (c) => c.notNull().references('vendors.id').onDelete('cascade'))
        .addColumn('activity', 'text', (c) => c.notNull())
        .addColumn('workflow_id', 'text', (c) => c.notNull())
        .addColumn('activity_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('input', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('outcome', 'text')
        .addColumn('progress', 'integer')
        .addColumn('message', 'text')
        .addColumn('sub_steps', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('deadline', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('vendor_tasks_vendor').on('vendor_tasks').columns(['vendor_id', 'status']).execute();
      await db.schema
        .createIndex('vendor_tasks_activity')
        .on('vendor_tasks')
        .columns(['workflow_id', 'activity_id'])
        .execute();
    },
  },
  '003-vendor-last-seen': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('vendors').addColumn('last_seen_at', 'text').execute();
    },
  },
  '004-external-tasks': {
    async up(db: Kysely<unknown>) {
      // No foreign key to vendors: a removed vendor's tasks stay, ended, in the operator's history.
      await db.schema
        .createTable('external_tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('vendor_id', 'text', (c) => c.notNull())
        .addColumn('vendor_registered_at', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('correlation_id', 'text')
        .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_report_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('engine_job_ids', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .createIndex('external_tasks_vendor')
        .on('external_tasks')
        .columns(['vendor_id', 'vendor_registered_at', 'status'])
        .execute();
      await db.schema
        .createIndex('external_tasks_correlation')
        .unique()
        .on('external_tasks')
        .columns(['vendor_id', 'vendor_registered_at', 'correlation_id'])
        .execute();
      await db.schema
        .createTable('external_task_steps')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull().references('external_tasks.id').onDelete('cascade'))
        .addColumn('parent_step_id', 'text')
        .addColumn('vendor_key', 'text')
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('progress', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('engine_step_id', 'text')
        .addColumn('engine_job_id', 'text')
        .execute();
      await db.schema
        .createIndex('external_task_steps_key')
        .unique()
        .on('external_task_steps')
        .columns(['task_id', 'vendor_key'])
        .execute();
      await db.schema
        .createIndex('external_task_steps_task')
        .on('external_task_steps')
        .columns(['task_id', 'seq'])
        .execute();
    },
  },
  '005-idempotency-keys': {
    async up(db: Kysely<unknown>) {
      // Kept by the API server in this file before it moved into the data layer: an existing table is the same one.
      await db.schema
        .createTable('idempotency_keys')
        .ifNotExists()
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['operation', 'key'])
        .execute();
    },
  },
  '006-web-sessions': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('web_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '007-external-task-opened-job': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('external_tasks').addColumn('opened_job_id', 'text').execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
