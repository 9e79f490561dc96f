// The engine's SQLite database: schema and migrations, one numbered step per schema change (PRAGMA user_version).
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** Each entry upgrades the schema by one version; never edit a released entry, append a new one. */
const migrations: string[] = [
  `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    domain TEXT NOT NULL,
    can_inject_external_tasks INTEGER NOT NULL,
    UNIQUE (name, domain)
  );

  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    external INTEGER NOT NULL,
    auto_cleared INTEGER NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER,
    last_updated INTEGER NOT NULL,
    owner_id TEXT,
    correlation_id TEXT
  );
  CREATE INDEX jobs_by_start ON jobs (start_time DESC);
  CREATE INDEX jobs_by_correlation ON jobs (correlation_id) WHERE correlation_id IS NOT NULL;
  CREATE INDEX jobs_for_cleanup ON jobs (status, end_time) WHERE auto_cleared = 1;
  CREATE INDEX jobs_started ON jobs (status) WHERE status = 'started';

  CREATE TABLE steps (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    parent_step_id TEXT REFERENCES steps (id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    type TEXT NOT NULL,
    number INTEGER NOT NULL,
    status TEXT NOT NULL,
    external INTEGER NOT NULL,
    external_type TEXT,
    progress INTEGER,
    start_time INTEGER NOT NULL,
    end_time INTEGER,
    execution_host_id TEXT
  );
  -- (parent, number) lets the next sibling number come from max(number) without counting every sibling.
  CREATE INDEX steps_by_job ON steps (job_id, parent_step_id, number);
  CREATE INDEX steps_by_parent ON steps (parent_step_id, number) WHERE parent_step_id IS NOT NULL;

  CREATE TABLE clusters (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    cpu_type TEXT,
    version_major INTEGER NOT NULL,
    version_minor INTEGER NOT NULL
  );

  CREATE TABLE templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    memory INTEGER NOT NULL,
    cpu_cores INTEGER NOT NULL,
    cpu_sockets INTEGER NOT NULL,
    cpu_threads INTEGER NOT NULL,
    os_type TEXT NOT NULL,
    cluster_id TEXT REFERENCES clusters (id),
    creation_time INTEGER NOT NULL
  );

  CREATE TABLE storage_domains (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    type TEXT NOT NULL,
    storage_type TEXT NOT NULL,
    available INTEGER NOT NULL,
    used INTEGER NOT NULL,
    committed INTEGER NOT NULL,
    master INTEGER NOT NULL,
    storage_format TEXT NOT NULL
  );

  -- transition_* describe asynchronous work in flight (powering_up, powering_down...): the status the VM
  -- reaches at transition_ends_at. A timer applies due transitions; a restart applies overdue ones.
  CREATE TABLE vms (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    status TEXT NOT NULL,
    memory INTEGER NOT NULL,
    cpu_cores INTEGER NOT NULL,
    cpu_sockets INTEGER NOT NULL,
    cpu_threads INTEGER NOT NULL,
    os_type TEXT NOT NULL,
    type TEXT NOT NULL,
    stateless INTEGER NOT NULL,
    cluster_id TEXT NOT NULL REFERENCES clusters (id),
    template_id TEXT NOT NULL REFERENCES templates (id),
    creation_time INTEGER NOT NULL,
    start_time INTEGER,
    stop_time INTEGER,
    transition_status TEXT,
    transition_ends_at INTEGER,
    transition_job_id TEXT
  );
  CREATE INDEX vms_in_transition ON vms (transition_ends_at) WHERE transition_ends_at IS NOT NULL;

  -- registered = 0: an image placed in a storage domain out of band, listed under disks;unregistered.
  CREATE TABLE disks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL,
    provisioned_size INTEGER NOT NULL,
    actual_size INTEGER NOT NULL,
    format TEXT NOT NULL,
    sparse INTEGER NOT NULL,
    storage_domain_id TEXT NOT NULL REFERENCES storage_domains (id),
    registered INTEGER NOT NULL DEFAULT 1,
    shareable INTEGER NOT NULL DEFAULT 0,
    wipe_after_delete INTEGER NOT NULL DEFAULT 0,
    creation_time INTEGER NOT NULL,
    lock_ends_at INTEGER,
    lock_job_id TEXT
  );
  CREATE INDEX disks_by_domain ON disks (storage_domain_id, registered);

  CREATE TABLE disk_attachments (
    vm_id TEXT NOT NULL REFERENCES vms (id) ON DELETE CASCADE,
    disk_id TEXT NOT NULL REFERENCES disks (id),
    interface TEXT NOT NULL,
    bootable INTEGER NOT NULL,
    active INTEGER NOT NULL,
    read_only INTEGER NOT NULL DEFAULT 0,
    pass_discard INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (vm_id, disk_id)
  );
  CREATE INDEX disk_attachments_by_disk ON disk_attachments (disk_id);

  CREATE TABLE snapshots (
    id TEXT PRIMARY KEY,
    vm_id TEXT NOT NULL REFERENCES vms (id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    date INTEGER NOT NULL,
    persist_memorystate INTEGER NOT NULL DEFAULT 0,
    lock_ends_at INTEGER,
    lock_job_id TEXT
  );
  CREATE INDEX snapshots_by_vm ON snapshots (vm_id, date);
  `,
  `
  -- Asynchronous inventory work in flight (power transitions, snapshot merges, disk copies), one row per internal
  -- job: a timer completes it at ends_at; a restart completes overdue rows and schedules the others.
  CREATE TABLE inventory_work (
    job_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    ends_at INTEGER NOT NULL
  );
  -- The disk an image was cloned from, as a storage array reports it.
  ALTER TABLE disks ADD COLUMN source_disk_id TEXT;
  `,
  `
  -- The Tasks page filters by status, newest first; without this a rare status scans every job.
  CREATE INDEX jobs_by_status_start ON jobs (status, start_time DESC);
  `,
  `
  -- A role instead of the single INJECT_EXTERNAL_TASKS flag: 'admin' may do everything, 'user' may only read.
  ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user';
  UPDATE users SET role = 'admin' WHERE can_inject_external_tasks = 1;
  ALTER TABLE users DROP COLUMN can_inject_external_tasks;
  `,
];

/** Opens (creating if needed) `${dataDir}/engine.db` in WAL mode and brings its schema up to date. */
export function openDatabase(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'engine.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
