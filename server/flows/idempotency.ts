// Idempotency-Key records (as in the IETF Idempotency-Key draft): the key kept whole, scoped to its operation, with
// the fingerprint of the request it came with. The same key with the same request finds the same flow; with another
// request it is refused (422), never silently answered with the first flow. SQLite under HF_DATA_DIR, so that a
// restarted API server still knows its keys.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface IdempotencyRecord {
  flowId: string;
  /** Of the request as resolved (the source VM by id): the same operation whether it named the VM or gave its id. */
  fingerprint: string;
}

/** A stable hash of a request: its operation and its fields in a fixed order. */
export function requestFingerprint(operation: string, fields: Record<string, unknown>): string {
  const canonical = JSON.stringify([
    operation,
    ...Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k]]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export class IdempotencyStore {
  private readonly db: Database.Database;
  private readonly selectRecord: Database.Statement<[string, string], { flow_id: string; fingerprint: string }>;
  private readonly insertRecord: Database.Statement<[string, string, string, string, number]>;

  /** `dataDir/server.db`; in memory when `dataDir` is undefined (tests). */
  constructor(dataDir?: string) {
    if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
    this.db = new Database(dataDir ? path.join(dataDir, 'server.db') : ':memory:');
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
      operation TEXT NOT NULL,
      key TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      flow_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (operation, key)
    )`);
    this.selectRecord = this.db.prepare(
      'SELECT flow_id, fingerprint FROM idempotency_keys WHERE operation = ? AND key = ?',
    );
    this.insertRecord = this.db.prepare(
      'INSERT OR IGNORE INTO idempotency_keys (operation, key, fingerprint, flow_id, created_at) VALUES (?, ?, ?, ?, ?)',
    );
  }

  get(operation: string, key: string): IdempotencyRecord | undefined {
    const row = this.selectRecord.get(operation, key);
    return row ? { flowId: row.flow_id, fingerprint: row.fingerprint } : undefined;
  }

  /** Records the key for `record` unless it is recorded already; answers the record that holds (first one wins). */
  claim(operation: string, key: string, record: IdempotencyRecord): IdempotencyRecord {
    this.insertRecord.run(operation, key, record.fingerprint, record.flowId, Date.now());
    return this.get(operation, key)!;
  }

  close(): void {
    this.db.close();
  }
}
