// The tables of the server database, as Kysely sees them: the one description of their columns for every query.
export interface VendorTable {
  id: string;
  name: string;
  mode: 'temporal' | 'webhook';
  /** temporal mode: the task queue its worker polls. */
  task_queue: string | null;
  /** webhook mode: where tasks are delivered. */
  webhook_url: string | null;
  /** webhook mode: the signing secret, sealed with the server's key (it signs deliveries, so it cannot be a hash). */
  webhook_secret_sealed: string | null;
  created_at: string;
  /** When it last called the vendor API with a live key or took a delivery. */
  last_seen_at: string | null;
}

export interface VendorKeyTable {
  /** The public part of a key (`hfv_<id>_<secret>`), to find its row. */
  id: string;
  vendor_id: string;
  /** SHA-256 of the secret part, hex; the key itself is never stored. */
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
}

export interface VendorActivityTable {
  vendor_id: string;
  name: string;
  description: string;
  /** JSON Schema 2020-12, as JSON text. */
  input_schema: string;
  output_schema: string;
  start_to_close_timeout: string | null;
  heartbeat_timeout: string | null;
  /** `{maximumAttempts, initialInterval, maximumInterval}` as JSON text, or null for the defaults. */
  retry: string | null;
  updated_at: string;
}

export type VendorTaskStatus =
  | 'delivering'
  | 'open'
  /** The flow cancelled it: the vendor stops, undoes, and reports (complete or fail), which ends it `cancelled`. */
  | 'cancelling'
  | 'completed'
  | 'failed'
  | 'superseded'
  | 'cancelled'
  | 'ended';

/** One delivery of a webhook vendor's activity attempt: a retry is a new task with a new id. */
export interface VendorTaskTable {
  /** Unguessable (`vt_` + 24 random bytes): the vendor's handle on the task. */
  id: string;
  vendor_id: string;
  activity: string;
  /** The flow's workflow id and the activity's id in it: how the task is completed (async completion). */
  workflow_id: string;
  activity_id: string;
  attempt: number;
  input: string;
  status: VendorTaskStatus;
  /** Why it is no longer open, in words ("superseded by attempt 2", "the flow cancelled it"). */
  reason: string | null;
  /** The vendor's report once completed or failed, as JSON (`{output}` or `{message, retryable}`). */
  outcome: string | null;
  progress: number | null;
  message: string | null;
  /** The vendor's sub-steps, `[{key, description, status}]` as JSON. */
  sub_steps: string;
  deadline: string;
  created_at: string;
  updated_at: string;
}

/** A standalone external task's status, and its steps': oVirt's words for an external job. */
export type ExternalTaskStatus = 'started' | 'finished' | 'failed';

/**
 * A standalone external task: a vendor's own engine job, reported through the vendor API and mirrored onto the
 * engine by its workflow (`external-task-<id>`). Kept after its vendor is removed, for the operator's history.
 */
export interface ExternalTaskTable {
  id: string;
  vendor_id: string;
  /** The vendor's registration time: a vendor removed and registered again under the same id is another vendor. */
  vendor_registered_at: string;
  description: string;
  correlation_id: string | null;
  timeout_seconds: number;
  status: ExternalTaskStatus;
  /** Why it failed (the vendor's end, a step that failed, no report in time, the vendor removed). */
  reason: string | null;
  created_at: string;
  /** The latest report from the vendor: the time limit counts from here. */
  last_report_at: string;
  ended_at: string | null;
  /** Every engine job the task used (a continuation after an engine restart), as JSON; written as it ends. */
  engine_job_ids: string;
  /** The engine job the API opened as it created the task (null: the engine did not answer in time). */
  opened_job_id: string | null;
}

export interface ExternalTaskStepTable {
  id: string;
  task_id: string;
  parent_step_id: string | null;
  /** The vendor's own key for the step, if it gave one: the same key again answers this step. */
  vendor_key: string | null;
  /** Its place among all steps of the task (the order reports were accepted in). */
  seq: number;
  description: string;
  /** oVirt's step type. */
  type: string;
  status: ExternalTaskStatus;
  progress: number | null;
  created_at: string;
  ended_at: string | null;
  /** The engine step mirroring it and its job; written as the task ends (the workflow knows them before). */
  engine_step_id: string | null;
  engine_job_id: string | null;
}

/** An Idempotency-Key of a flow start, with the fingerprint of the request it came with. */
export interface IdempotencyKeyTable {
  operation: string;
  key: string;
  fingerprint: string;
  flow_id: string;
  /** ms since the epoch. */
  created_at: number;
}

/** A web page session: the SHA-256 of its cookie's id, never the id itself. */
export interface WebSessionTable {
  id_hash: string;
  /** ms since the epoch. */
  created_at: number;
  last_used_at: number;
}

export interface ServerTables {
  vendors: VendorTable;
  vendor_keys: VendorKeyTable;
  vendor_activities: VendorActivityTable;
  vendor_tasks: VendorTaskTable;
  external_tasks: ExternalTaskTable;
  external_task_steps: ExternalTaskStepTable;
  idempotency_keys: IdempotencyKeyTable;
  web_sessions: WebSessionTable;
}
