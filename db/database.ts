// The database of the API server and the worker: Kysely over SQLite ($HF_DATA_DIR/server.db; in memory without a
// data dir), migrated to the latest schema when opened. Queries are written against Kysely, so another dialect (PostgreSQL) can take
// SQLite's place without touching them.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from './migrations';
import type { ServerTables } from './tables';

export type ServerDb = Kysely<ServerTables>;

export async function openServerDb(dataDir?: string): Promise<ServerDb> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const sqlite = new Database(dataDir ? path.join(dataDir, 'server.db') : ':memory:');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<ServerTables>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: migrationProvider });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) break;
    // The server and the worker open one file at the same moment: one migrates (in a transaction), the other fails
    // on what it just made; a second look finds the migrations applied.
    if (attempt < 5) {
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      continue;
    }
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`The server database could not be migrated${failed ? ` (${failed})` : ''}: ${String(error)}`);
  }
  return db;
}
