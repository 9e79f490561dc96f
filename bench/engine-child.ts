// The built-in engine in a child process of a benchmark (engine-process.ts), on a temporary directory, so the engine
// and the load generator do not share a core.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export interface EngineProcess {
  /** The engine's base URL (`http://127.0.0.1:<port>`). */
  url: string;
  pid?: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startEngineProcess(password: string): Promise<EngineProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-bench-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'engine-process.ts'), dataDir, password],
    // `--import tsx` resolves from the working directory: the repository root.
    { stdio: ['ignore', 'pipe', 'inherit'], cwd: path.join(__dirname, '..') },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('ready ')) resolve(line.slice('ready '.length));
    });
    child.once('exit', (code) => reject(new Error(`the engine exited with ${code} before it was ready`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { url, pid: child.pid, dataDir, stop };
}
