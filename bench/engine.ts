// Speed of the built-in engine. A benchmark, not a test: `npm run bench [-- options]`.
//   1. step add + end pairs per second over real HTTP, from several keep-alive connections;
//   2. the time to list the first page of jobs with 100,000 jobs stored.
// Without --url it starts the engine itself, in a child process on a temporary directory, so the engine and the
// load generator do not share a core. With --url it targets a running engine (and fills jobs over HTTP).
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { openDatabase } from '../engine/db';
import { JobStore } from '../engine/jobs/store';
import { startEngineProcess } from './engine-child';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    user: { type: 'string', default: 'admin@internal' },
    password: { type: 'string', default: 'bench-password' },
    connections: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '5' },
    jobs: { type: 'string', default: '100000' },
    'steps-per-job': { type: 'string', default: '100' },
  },
});
const CONNECTIONS = Number(args.connections);
const SECONDS = Number(args.seconds);
const JOBS = Number(args.jobs);
const STEPS_PER_JOB = Number(args['steps-per-job']);

interface Target {
  url: string;
  /** Set when the bench started the engine: its process, whose CPU time the bench reads from /proc. */
  pid?: number;
  /** Set when the bench started the engine: its data directory, for filling jobs straight into the store. */
  dataDir?: string;
  stop(): Promise<void>;
}

async function startLocalEngine(): Promise<Target> {
  const engine = await startEngineProcess(args.password);
  return { ...engine, stop: engine.stop };
}

class Client {
  private readonly pool: Pool;
  private headers: Record<string, string> = {};

  constructor(readonly url: string) {
    this.pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 30_000 });
  }

  async login(user: string, password: string): Promise<void> {
    const res = await this.pool.request({
      path: '/ovirt-engine/sso/oauth/token',
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'password',
        scope: 'ovirt-app-api',
        username: user,
        password,
      }).toString(),
    });
    const body = (await res.body.json()) as { access_token?: string };
    if (!body.access_token) throw new Error(`login failed: ${res.statusCode} ${JSON.stringify(body)}`);
    this.headers = {
      authorization: `Bearer ${body.access_token}`,
      accept: 'application/json',
      'content-type': 'application/json',
    };
  }

  /** Calls the API (or any path starting with '/') and returns the JSON body; throws unless `expect` matches. */
  async call<T>(
    method: 'GET' | 'POST',
    apiPath: string,
    body?: unknown,
    expect = method === 'POST' ? [200, 201] : [200],
  ): Promise<T> {
    const fullPath =
      apiPath.startsWith('/ovirt-engine') || apiPath.startsWith('/tasks') ? apiPath : `/ovirt-engine/api${apiPath}`;
    const res = await this.pool.request({
      path: fullPath,
      method,
      headers: this.headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.body.json()) as T;
    if (!expect.includes(res.statusCode))
      throw new Error(`${method} ${fullPath}: ${res.statusCode} ${JSON.stringify(json)}`);
    return json;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

async function stepPairs(client: Client): Promise<{ pairs: number; seconds: number; latencyMs: number[] }> {
  const deadline = Date.now() + SECONDS * 1000;
  const latencyMs: number[] = [];
  let pairs = 0;
  const worker = async (): Promise<void> => {
    let jobId = '';
    let inJob = STEPS_PER_JOB;
    while (Date.now() < deadline) {
      if (inJob >= STEPS_PER_JOB) {
        jobId = (await client.call<{ id: string }>('POST', '/jobs', { description: 'bench job', auto_cleared: true }))
          .id;
        inJob = 0;
      }
      const started = performance.now();
      const step = await client.call<{ id: string }>('POST', `/jobs/${jobId}/steps`, {
        description: 'bench step',
        type: 'executing',
      });
      await client.call('POST', `/jobs/${jobId}/steps/${step.id}/end`, { succeeded: true });
      latencyMs.push(performance.now() - started);
      pairs++;
      inJob++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return { pairs, seconds: (performance.now() - started) / 1000, latencyMs };
}

/** Fills the store up to `count` jobs. Local engine: straight into SQLite through JobStore, in one transaction. */
async function fillJobs(target: Target, client: Client, count: number): Promise<{ how: string; seconds: number }> {
  const started = performance.now();
  if (target.dataDir) {
    const db = openDatabase(target.dataDir);
    try {
      const store = new JobStore(db);
      const base = Date.now() - count * 1000;
      db.transaction(() => {
        for (let i = 0; i < count; i++) {
          const job = store.addJob(
            { description: `filler job ${i}`, autoCleared: false, external: true },
            base + i * 1000,
          );
          if (i % 3 === 1) store.endJob(job.id, 'finished', false, base + i * 1000 + 500);
          else if (i % 50 === 7) store.endJob(job.id, 'failed', false, base + i * 1000 + 500);
        }
      })();
      // What the automatic checkpoints would have done along the way: the engine then reads the jobs from the
      // database file, not from a 100,000-job write-ahead log.
      db.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      db.close();
    }
    return {
      how: 'directly through JobStore in one SQLite transaction (not over HTTP)',
      seconds: (performance.now() - started) / 1000,
    };
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < count) await client.call('POST', '/jobs', { description: 'filler job' });
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return { how: 'over HTTP (POST /jobs)', seconds: (performance.now() - started) / 1000 };
}

async function timeList(
  client: Client,
  apiPath: string,
  rounds = 20,
): Promise<{ firstMs: number; medianMs: number; p95Ms: number }> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await client.call('GET', apiPath);
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { firstMs: times[0]!, medianMs: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95) };
}

/** CPU time (user + system) a process has used so far, in milliseconds; undefined where /proc is missing. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const ms = (n: number): string => `${n.toFixed(1)} ms`;

async function main(): Promise<void> {
  const target: Target = args.url ? { url: args.url, stop: () => Promise.resolve() } : await startLocalEngine();
  const client = new Client(target.url);
  try {
    await client.login(args.user, args.password);
    const cpu = os.cpus();
    console.log(
      `machine: ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, ${os.platform()} ${os.release()}`,
    );
    console.log(
      `engine: ${target.url}${target.dataDir ? ' (started by the bench, own process, temporary directory)' : ''}`,
    );

    await stepPairs(client); // warm-up (JIT, SQLite page cache); not counted
    const engineCpuBefore = processCpuMs(target.pid);
    const clientCpuBefore = process.cpuUsage();
    const run = await stepPairs(client);
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const engineCpuMs = (processCpuMs(target.pid) ?? NaN) - (engineCpuBefore ?? NaN);
    const sorted = [...run.latencyMs].sort((a, b) => a - b);
    console.log(
      `step add + end: ${Math.round(run.pairs / run.seconds)} pairs/s (${run.pairs} pairs in ${run.seconds.toFixed(1)} s, ` +
        `${CONNECTIONS} keep-alive connections; pair latency median ${ms(percentile(sorted, 0.5))}, p95 ${ms(percentile(sorted, 0.95))})`,
    );
    const perPair = (cpuMs: number): string => `${Math.round((cpuMs * 1000) / run.pairs)} µs`;
    console.log(
      `CPU per pair: engine ${Number.isNaN(engineCpuMs) ? 'n/a' : perPair(engineCpuMs)}, ` +
        `load generator ${perPair((clientCpu.user + clientCpu.system) / 1000)} (busy share of one core: engine ` +
        `${Number.isNaN(engineCpuMs) ? 'n/a' : `${Math.round(engineCpuMs / (run.seconds * 10))}%`})`,
    );

    const fill = await fillJobs(target, client, JOBS);
    console.log(`stored ${JOBS} more jobs ${fill.how} in ${fill.seconds.toFixed(1)} s`);
    for (const listPath of ['/jobs?max=100', '/tasks/api/jobs', '/tasks/api/counts']) {
      const t = await timeList(client, listPath);
      console.log(
        `GET ${listPath} (100,000+ jobs stored): first ${ms(t.firstMs)}, median ${ms(t.medianMs)}, p95 ${ms(t.p95Ms)}`,
      );
    }
  } finally {
    await client.close();
    await target.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
