// The API server's tables, as Kysely sees them: the one description of their columns for every query.
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

export interface ServerTables {
  vendors: VendorTable;
  vendor_keys: VendorKeyTable;
  vendor_activities: VendorActivityTable;
}
