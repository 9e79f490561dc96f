// Opening the server database in a process of its own, as a server or worker starting would (so several can race).
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ServerDbLocation } from '../../db/database';

const ROOT = path.join(__dirname, '..', '..');
const OPEN = `require('tsx/cjs'); require('./db/database.ts').openServerDb(JSON.parse(process.argv[1])).then((db) => db.destroy()).then(() => console.log('migrated'), (err) => { console.log(String(err)); process.exit(1); });`;

/** Opens (and so migrates) the database in a new process; answers its exit code and output ("migrated"). */
export function openInProcess(where: ServerDbLocation): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['-e', OPEN, JSON.stringify(where)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}
