// Runs a Temporal dev server (the CLI's `server start-dev`) with hybridflow's search attributes registered.
// Used by `hybridflow temporal`, `hybridflow dev` and the tests' global setup.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { type EphemeralServerExecutable, TestWorkflowEnvironment } from '@temporalio/testing';
import { pollUntil } from '../../common/poll';
import { searchAttributes } from '../../common/search-attributes';
import { findTemporalCli, TemporalCliNotFoundError } from './temporal-cli';

/** How long a (slow, busy) machine may take to start the dev server. */
const START_TIMEOUT_MS = 60_000;

export interface DevServerOptions {
  port: number;
  /** Web UI port; omitted = headless. */
  uiPort?: number;
  /** SQLite file; omitted = in memory. */
  dbFile?: string;
  namespace?: string;
  /** Serve the server's Prometheus metrics (`service_requests` ...) on this port; omitted = none (benchmarks). */
  metricsPort?: number;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface RunningDevServer {
  address: string;
  uiUrl?: string;
  source: string;
  stop(): Promise<void>;
}

export async function startDevServer(opts: DevServerOptions): Promise<RunningDevServer> {
  const log = opts.log ?? console.log;
  const cli = findTemporalCli(opts.env, log);
  if (opts.dbFile) fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  const server =
    cli.executable.type === 'existing-path'
      ? await spawnDevServer(cli.executable.path, opts)
      : await sdkDevServer(cli.executable, opts);
  const uiUrl = opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined;
  try {
    // The Web UI comes up a moment after the frontend; announce it only once it answers.
    if (uiUrl) await waitForHttp(uiUrl, 30_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { address: `127.0.0.1:${opts.port}`, uiUrl, source: cli.source, stop: server.stop };
}

/** `temporal server start-dev` as our own child: we choose how long a slow machine may take to start it. */
async function spawnDevServer(executable: string, opts: DevServerOptions): Promise<{ stop(): Promise<void> }> {
  const namespace = opts.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    namespace,
    '--log-format',
    'pretty',
    '--log-level',
    'error',
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort)] : ['--headless']),
    ...(opts.dbFile ? ['--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=wal'] : []),
    ...(opts.metricsPort ? ['--metrics-port', String(opts.metricsPort)] : []),
    ...searchAttributes.flatMap((a) => ['--search-attribute', `${a.name}=Keyword`]),
  ];
  const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForFrontend(`127.0.0.1:${opts.port}`, namespace, START_TIMEOUT_MS, exited, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}

/** The SDK's own download of the CLI (needs internet), run by the SDK. */
async function sdkDevServer(
  executable: EphemeralServerExecutable,
  opts: DevServerOptions,
): Promise<{ stop(): Promise<void> }> {
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable,
        ip: '127.0.0.1',
        port: opts.port,
        ...(opts.uiPort ? { ui: true, uiPort: opts.uiPort } : { ui: false }),
        dbFilename: opts.dbFile,
        namespace: opts.namespace ?? 'default',
        searchAttributes,
        extraArgs: [
          ...(opts.dbFile ? ['--sqlite-pragma', 'journal_mode=wal'] : []),
          ...(opts.metricsPort ? ['--metrics-port', String(opts.metricsPort)] : []),
        ],
        log: { format: 'pretty', level: 'error' },
      },
    });
    return { stop: () => env.teardown() };
  } catch (err) {
    throw new TemporalCliNotFoundError([`the SDK download (${(err as Error).message.split('\n')[0]})`]);
  }
}

/** Waits until the frontend answers for the namespace (it is registered at start). */
async function waitForFrontend(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: Promise<number | null>,
  stderr: () => string,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  await pollUntil(
    async () => {
      if (exitCode !== undefined) {
        throw new Error(
          `the Temporal dev server exited (code ${exitCode}) while starting: ${stderr().trim().split('\n').slice(-3).join(' ')}`,
        );
      }
      try {
        const connection = await Connection.connect({ address, connectTimeout: 1000 });
        try {
          await connection.workflowService.describeNamespace({ namespace });
          return true;
        } finally {
          await connection.close();
        }
      } catch {
        return undefined; // not serving yet
      }
    },
    {
      what: `the Temporal dev server at ${address}`,
      timeoutMs,
      intervalMs: 250,
      timeoutError: () => new Error(`the Temporal dev server at ${address} did not start within ${timeoutMs / 1000} s`),
    },
  );
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  await pollUntil(
    async () => {
      try {
        return (await fetch(url)).ok;
      } catch {
        return undefined; // not listening yet
      }
    },
    {
      what: `the Temporal Web UI at ${url}`,
      timeoutMs,
      timeoutError: () => new Error(`the Temporal Web UI at ${url} did not answer within ${timeoutMs / 1000} s`),
    },
  );
}
