// The real hybridflow processes for the bench:flows sections that measure the product (rapidClone, handoff,
// streams, atRest): `hybridflow engine`, `server`, `worker` (and optionally `vendor-demo`) as child processes on the
// run's Temporal dev server, so the figures (and each process's RSS) are the product's own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../cli/stack/ports';
import { pollUntil } from '../../common/poll';
import { callApi, type ApiAnswer } from '../../test/helpers/external-tasks';
import { runCli, type Cli } from '../../test/helpers/processes';
import { fillPath } from '../../common/api-path';
import { apiRoutes } from '../../server/api/routes';

export const TOKEN = 'bench-operator-token-0123456789';
const PASSWORD = 'bench-engine-password-0123456789';

export interface StackOptions {
  temporalAddress: string;
  /** Source VMs the engine is seeded with (`vm-0001` ...), each up with one disk: one per flow, so that no two
   * flows shut down or clone the same VM at once. */
  vms: number;
  vendorDemo?: boolean;
  log(line: string): void;
}

export interface Stack {
  apiUrl: string;
  engineUrl: string;
  /** The engine's admin password, and the API's operator token. */
  password: string;
  token: string;
  workerMetricsUrl: string;
  server: Cli;
  worker: Cli;
  api(method: string, p: string, body?: unknown): Promise<ApiAnswer>;
  /** The source VM of flow `n` (0-based). */
  vm(n: number): string;
  /** Resident memory of a process, from /proc (Linux). */
  rssMb(cli: Cli): number;
  stop(): Promise<void>;
}

export const vmName = (n: number) => `vm-${String(n + 1).padStart(4, '0')}`;

export async function startStack(opts: StackOptions): Promise<Stack> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-bench-flows-'));
  const seedFile = path.join(root, 'seed.json');
  fs.writeFileSync(
    seedFile,
    JSON.stringify({
      clusters: [{ name: 'Default' }],
      storage_domains: [{ name: 'data1', size_gb: 1_000_000 }],
      vms: Array.from({ length: opts.vms }, (_, n) => ({
        name: vmName(n),
        status: 'up',
        disks: [{ name: `${vmName(n)}_Disk1`, size_gb: 10 }],
      })),
    }),
  );
  const [enginePort, apiPort] = [await freePort(), await freePort()];
  const engineUrl = `http://127.0.0.1:${enginePort}/ovirt-engine/api`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // Server and worker share one data folder: the server database (vendors, webhook secrets) is SQLite there.
  const dataDir = fs.mkdtempSync(path.join(root, 'hybridflow-'));
  const common = {
    TEMPORAL_ADDRESS: opts.temporalAddress,
    HF_TASK_QUEUE: `bench-${Date.now()}`,
    HF_API_TOKEN: TOKEN,
    OVIRT_URL: engineUrl,
    OVIRT_PASSWORD: PASSWORD,
    HF_DEMO_VENDOR: 'true',
    HF_DEMO_CLONE_MS: '0',
    HF_LOG_LEVEL: 'warn',
    HF_SHUTDOWN_GRACE: '2s',
    HF_DATA_DIR: dataDir,
  };
  const processes: Cli[] = [];
  const stop = async () => {
    // Reverse order: the worker and the server stop before the engine they call.
    for (const p of [...processes].reverse()) {
      if (p.process.exitCode === null && p.process.signalCode === null) p.process.kill('SIGTERM');
      await p.exited;
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  const start = async (args: string[], env: Record<string, string> = {}) => {
    const cli = runCli(args, { ...common, ...env });
    processes.push(cli);
    await cli.waitFor(/(Worker|API server|Vendor \(demo\)|Engine API):\s+\S/, 90_000);
    return cli;
  };
  try {
    opts.log(`Starting hybridflow engine (${opts.vms} VMs), server, worker ...`);
    await start(['engine'], {
      HF_ENGINE_PORT: String(enginePort),
      HF_ENGINE_TRANSITION_MS: '0',
      HF_ENGINE_SEED_FILE: seedFile,
      HF_DATA_DIR: fs.mkdtempSync(path.join(root, 'engine-')),
    });
    const server = await start(['server'], { HF_API_PORT: String(apiPort) });
    const worker = await start(['worker'], { HF_METRICS_PORT: '0' });
    const metrics = (await worker.waitFor(/Worker metrics:\s+(\S+)/))[1]!;
    if (opts.vendorDemo) await start(['vendor-demo']);
    return {
      apiUrl,
      engineUrl,
      password: PASSWORD,
      token: TOKEN,
      workerMetricsUrl: metrics,
      server,
      worker,
      api: (method, p, body) => callApi(apiUrl, TOKEN, method, p, body),
      vm: vmName,
      rssMb: (cli) => {
        const status = fs.readFileSync(`/proc/${cli.process.pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Polls the flow through the API until it is no longer running; answers its document. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function flowClosed(stack: Stack, id: string, timeoutMs = 600_000): Promise<any> {
  return pollUntil(
    async () => {
      const f = await stack.api('GET', fillPath(apiRoutes.getFlow.path, { id }));
      return f.status === 200 && f.body.status !== 'running' ? f.body : undefined;
    },
    { what: `flow ${id} to close`, timeoutMs, intervalMs: 100 },
  );
}

/** Every request the Temporal dev server has served so far (its `service_requests` counter, summed over operations). */
export async function temporalRequests(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  let sum = 0;
  for (const m of text.matchAll(/^service_requests\{[^}]*\} (\S+)$/gm)) sum += Number(m[1]);
  return sum;
}

/** Temporal requests per second over `seconds` (every client: server, worker, vendors). */
export async function temporalRate(metricsUrl: string, seconds: number): Promise<number> {
  const before = await temporalRequests(metricsUrl);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return ((await temporalRequests(metricsUrl)) - before) / seconds;
}
