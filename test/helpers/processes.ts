// Running `hybridflow <command>` as a real process and watching its output and its process tree.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/hybridflow.js');

/** A child process whose output is watched. */
export interface Watched {
  process: ChildProcess;
  output(): string;
  /** Resolves once the output matches, rejects if the process exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}
export type Cli = Watched;

/** Collects a process's stdout and stderr, and waits for patterns in them. */
export function watchProcess(child: ChildProcess): Watched {
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    listeners.forEach((l) => l());
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => done(new Error(`Timed out waiting for ${pattern}; output:\n${output}`)),
          timeoutMs,
        );
        const check = () => {
          const m = output.match(pattern);
          if (m) done(undefined, m);
        };
        const done = (err?: Error, m?: RegExpMatchArray) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve(m!);
        };
        listeners.add(check);
        void exited.then((code) => done(new Error(`exited with ${code} before ${pattern}; output:\n${output}`)));
        check();
      });
    },
  };
}

/** Runs the `hybridflow` command; `stdin` is written to its standard input (else it has none). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, opts: { detached?: boolean; stdin?: string } = {}): Cli {
  const child = spawn(process.execPath, [BIN, ...args], {
    // The worker's /metrics on a free port unless the test chooses one: its default would be shared by every worker.
    env: { ...process.env, HF_METRICS_PORT: '0', ...env },
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  return watchProcess(child);
}

/** Runs `python3 -u <args>` from the repository root (the example vendors), unbuffered. */
export function runPython(args: string[], env: NodeJS.ProcessEnv): Watched {
  return watchProcess(
    spawn('python3', ['-u', ...args], {
      cwd: ROOT,
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** Every process below `pid`, found through /proc via ps. */
export function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (all.push(c), walk(c)));
  walk(pid);
  return all;
}

export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
