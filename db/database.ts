// The database of the API servers and the workers: Kysely over SQLite ($HF_DATA_DIR/server.db; in memory without a
// data dir) for one machine, or over PostgreSQL (DATABASE_URL) for a deployment whose API servers and workers share
// their state. Both are migrated to the latest schema when opened, by the same migrations; queries are written
// against Kysely only, so they run unchanged on either.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations';
import type { ServerTables } from './tables';

export type ServerDb = Kysely<ServerTables>;

/** Where the server database is: DATABASE_URL when set, else the data directory's SQLite file. */
export interface ServerDbLocation {
  dataDir?: string;
  /** `postgres://user:password@host:port/database`. */
  databaseUrl?: string;
}

export const serverDbLocation = (config: { HF_DATA_DIR: string; DATABASE_URL?: string }): ServerDbLocation => ({
  dataDir: config.HF_DATA_DIR,
  databaseUrl: config.DATABASE_URL,
});

function sqliteDb(dataDir?: string): ServerDb {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const sqlite = new Database(dataDir ? path.join(dataDir, 'server.db') : ':memory:');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<ServerTables>({ dialect: new SqliteDialect({ database: sqlite }) });
}

function postgresDb(databaseUrl: string): ServerDb {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle connection the server drops (a PostgreSQL restart, a failover) is an error on the pool, not a crash.
  pool.on('error', () => undefined);
  return new Kysely<ServerTables>({ dialect: new PostgresDialect({ pool }) });
}

export async function openServerDb(where: ServerDbLocation = {}): Promise<ServerDb> {
  const db = where.databaseUrl ? postgresDb(where.databaseUrl) : sqliteDb(where.dataDir);
  const migrator = new Migrator({ db, provider: migrationProvider });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) break;
    // Several processes open one database at the same moment: one migrates (in a transaction; on PostgreSQL under
    // Kysely's migration lock), another may fail on what it just made; a second look finds the migrations applied.
    if (attempt < 5) {
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      continue;
    }
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const where_ = where.databaseUrl ? 'DATABASE_URL' : 'The server database';
    throw new Error(`${where_} could not be migrated${failed ? ` (${failed})` : ''}: ${describe(error)}`);
  }
  return db;
}

/** A connection error's words (pg's AggregateError of each address tried says nothing by itself). */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return describe(error.errors[0]);
  return error instanceof Error ? error.message || error.constructor.name : String(error);
}

/**
 * Holds `table`'s row `id` until the transaction `trx` ends, so that concurrent reports on one record (from API
 * servers sharing PostgreSQL) check and change it one after the other. SQLite needs nothing: its write transactions
 * already run one at a time.
 */
export async function lockRow(trx: Kysely<ServerTables>, table: 'external_tasks', id: string): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`select 1 from ${sql.table(table)} where id = ${id} for update`.execute(trx);
}
