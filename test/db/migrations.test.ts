// The server and the worker open the server database at the same moment (`hybridflow dev` starts them together):
// every process must come up with the schema migrated once, whichever migrates.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openServerDb } from '../../db/database';
import { createIdempotencyStore } from '../../db/idempotency-keys';
import { openInProcess } from '../helpers/server-db';

test('four processes opening a new database at once all find it migrated', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-db-'));
  try {
    const results = await Promise.all([1, 2, 3, 4].map(() => openInProcess({ dataDir: dir })));
    expect(results).toEqual(results.map(() => ({ code: 0, output: 'migrated\n' })));
    const db = await openServerDb({ dataDir: dir });
    const tables = await db.introspection.getTables();
    expect(tables.map((t) => t.name).sort()).toEqual([
      'external_task_steps',
      'external_tasks',
      'idempotency_keys',
      'vendor_activities',
      'vendor_keys',
      'vendor_tasks',
      'vendors',
      'web_sessions',
    ]);
    await db.destroy();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

test('a database whose Idempotency-Keys the API server kept by hand keeps them under the migration', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-db-'));
  try {
    // The table as the API server made it before the keys moved into the data layer (migration 005).
    const old = new Database(path.join(dir, 'server.db'));
    old.exec(`CREATE TABLE idempotency_keys (operation TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
      flow_id TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (operation, key))`);
    old.prepare('INSERT INTO idempotency_keys VALUES (?, ?, ?, ?, ?)').run('rapid-clone', 'k1', 'p1', 'f1', Date.now());
    old.close();
    const db = await openServerDb({ dataDir: dir });
    const keys = createIdempotencyStore(db);
    expect(await keys.get('rapid-clone', 'k1')).toEqual({ flowId: 'f1', fingerprint: 'p1' });
    expect(await keys.claim('rapid-clone', 'k1', { flowId: 'f2', fingerprint: 'p2' })).toEqual({
      flowId: 'f1',
      fingerprint: 'p1',
    });
    await db.destroy();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
