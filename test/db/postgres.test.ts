// The server database on PostgreSQL (DATABASE_URL), as API servers and workers of one deployment share it: the same
// migrations and queries as on SQLite, and what concurrency across processes needs (one migration, one winner per
// Idempotency-Key, reports on one task one after the other, the demo vendor registered once by servers starting
// together). A real PostgreSQL of our own (Debian's package), started on a free port for this file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPostgres, type RunningPostgres } from '../../cli/stack/postgres';
import { SecretBox } from '../../common/secret-box';
import { openServerDb, type ServerDb } from '../../db/database';
import { createExternalTaskStore } from '../../db/external-tasks';
import { createIdempotencyStore } from '../../db/idempotency-keys';
import { createSessionStore } from '../../db/sessions';
import { DEMO_VENDOR, registerContractVendor } from '../../server/vendors/demo';
import { createVendorRegistry } from '../../server/vendors/registry';
import { freePort } from '../helpers/ports';
import { openInProcess } from '../helpers/server-db';

let dir: string;
let postgres: RunningPostgres;
let url: string;
let db: ServerDb;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-pg-'));
  fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as its own user, who must reach its folder
  postgres = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), log: () => undefined });
  url = await postgres.createDatabase('hybridflow');
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await postgres?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('four processes opening a new database at once all find it migrated, with the tables SQLite has', async () => {
  const results = await Promise.all([1, 2, 3, 4].map(() => openInProcess({ databaseUrl: url })));
  expect(results).toEqual(results.map(() => ({ code: 0, output: 'migrated\n' })));
  db = await openServerDb({ databaseUrl: url });
  const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
  const sqlite = await openServerDb();
  expect(tables).toEqual((await sqlite.introspection.getTables()).map((t) => t.name).sort());
  await sqlite.destroy();
}, 60_000);

test('an unreachable DATABASE_URL is a clear error naming the variable', async () => {
  const closed = `postgres://postgres:x@127.0.0.1:${await freePort()}/hybridflow`;
  await expect(openServerDb({ databaseUrl: closed })).rejects.toThrow(
    /^DATABASE_URL could not be migrated: .*ECONNREFUSED/,
  );
}, 30_000);

test('concurrent claims of one Idempotency-Key: one wins, every claim answers the winner', async () => {
  const keys = createIdempotencyStore(db);
  const claims = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      keys.claim('rapid-clone', 'pg-key', { flowId: `f${i}`, fingerprint: `p${i}` }),
    ),
  );
  expect(new Set(claims.map((c) => c.flowId)).size).toBe(1);
  expect(await keys.get('rapid-clone', 'pg-key')).toEqual(claims[0]);
});

test('sessions: made on one server, known on another, ended everywhere by a logout', async () => {
  const other = await openServerDb({ databaseUrl: url });
  try {
    const here = createSessionStore(db);
    const there = createSessionStore(other);
    const id = await here.create();
    expect(await there.touch(id)).toBe(true);
    await there.end(id);
    expect(await here.touch(id)).toBe(false);
  } finally {
    await other.destroy();
  }
});

test('two servers starting together register the demo vendor once, and both start', async () => {
  const other = await openServerDb({ databaseUrl: url });
  try {
    const registries = [db, other].map((d) =>
      createVendorRegistry({ db: d, box: new SecretBox('k'.repeat(32)), taskQueue: 'hybridflow' }),
    );
    await Promise.all(registries.map((r) => registerContractVendor(r, DEMO_VENDOR)));
    const vendors = await registries[1]!.list();
    expect(vendors.filter((v) => v.id === DEMO_VENDOR.id)).toHaveLength(1);
  } finally {
    await other.destroy();
  }
});

test("a report's transaction holds its task: a second report on it (another server) waits until the first ends", async () => {
  const other = await openServerDb({ databaseUrl: url });
  try {
    const first = createExternalTaskStore(db);
    const second = createExternalTaskStore(other);
    const now = new Date().toISOString();
    const t = {
      id: 'pg-task',
      vendorId: DEMO_VENDOR.id,
      description: 'd',
      correlationId: null,
      timeoutSeconds: 60,
      now,
    };
    expect(await first.create(t)).toBe(true);
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const a = first.transaction(async (trx) => {
      await trx.lock(t.id);
      locked();
      await held;
      await trx.addStep(t.id, { id: 's1', parentStepId: null, key: null, description: 'one', type: 'executing' }, now);
      order.push('first');
    });
    await isLocked;
    const b = second.transaction(async (trx) => {
      await trx.lock(t.id);
      await trx.addStep(t.id, { id: 's2', parentStepId: null, key: null, description: 'two', type: 'executing' }, now);
      order.push('second');
    });
    // The second report is waiting on the task's row; the first one ends and then the second goes on.
    await new Promise((r) => setTimeout(r, 300));
    expect(order).toEqual([]);
    release();
    await Promise.all([a, b]);
    expect(order).toEqual(['first', 'second']);
    const task = await first.get({ operator: true }, t.id);
    expect(task?.steps.map((s) => s.id)).toEqual(['s1', 's2']); // distinct places, in the order accepted
  } finally {
    await other.destroy();
  }
});
