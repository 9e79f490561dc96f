// Runs a Temporal dev server (the CLI's `server start-dev`) with hybridflow's search attributes registered.
// Used by `hybridflow temporal`, `hybridflow dev` and the tests' global setup.
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributes } from '../common/search-attributes';
import { findTemporalCli, TemporalCliNotFoundError } from './temporal-cli';

export interface DevServerOptions {
  port: number;
  /** Web UI port; omitted = headless. */
  uiPort?: number;
  /** SQLite file; omitted = in memory. */
  dbFile?: string;
  namespace?: string;
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
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: cli.executable,
        ip: '127.0.0.1',
        port: opts.port,
        ...(opts.uiPort ? { ui: true, uiPort: opts.uiPort } : { ui: false }),
        dbFilename: opts.dbFile,
        namespace: opts.namespace ?? 'default',
        searchAttributes,
        extraArgs: opts.dbFile ? ['--sqlite-pragma', 'journal_mode=wal'] : [],
        log: { format: 'pretty', level: 'error' },
      },
    });
  } catch (err) {
    if (cli.executable.type === 'cached-download') {
      throw new TemporalCliNotFoundError([`the SDK download (${(err as Error).message.split('\n')[0]})`]);
    }
    throw err;
  }
  const uiUrl = opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined;
  // The Web UI comes up a moment after the frontend; announce it only once it answers.
  if (uiUrl) await waitForHttp(uiUrl, 30_000);
  return {
    address: env.address,
    uiUrl,
    source: cli.source,
    stop: () => env.teardown(),
  };
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the Temporal Web UI at ${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
