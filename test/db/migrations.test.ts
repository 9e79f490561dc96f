// The server and the worker open the server database at the same moment (`hybridflow dev` starts them together):
// every process must come up with the schema migrated once, whichever migrates.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openServerDb } from '../../db/database';

const ROOT = path.join(__dirname, '..', '..');
const OPEN = `require('tsx/cjs'); require('./db/database.ts').openServerDb(process.argv[1]).then((db) => db.destroy()).then(() => console.log('migrated'), (err) => { console.log(String(err)); process.exit(1); });`;

function openInProcess(dir: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['-e', OPEN, dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

test('four processes opening a new database at once all find it migrated', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-db-'));
  try {
    const results = await Promise.all([1, 2, 3, 4].map(() => openInProcess(dir)));
    expect(results).toEqual(results.map(() => ({ code: 0, output: 'migrated\n' })));
    const db = await openServerDb(dir);
    const tables = await db.introspection.getTables();
    expect(tables.map((t) => t.name).sort()).toEqual([
      'external_task_steps',
      'external_tasks',
      'vendor_activities',
      'vendor_keys',
      'vendor_tasks',
      'vendors',
    ]);
    await db.destroy();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
