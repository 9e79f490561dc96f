// The chaos stack: every component a real process started with the project's CLI (`hybridflow temporal | engine |
// worker | vendor-demo | server`), each in its own process group so that a SIGKILL takes its children with it (the
// Temporal CLI binary below `hybridflow temporal`). Each is forked with an IPC channel: a component whose harness
// disappears, even by SIGKILL, stops itself (cli/stack/component.ts). The worker, vendors and server reach the engine
// through the chaos proxy, so an engine outage can be staged between them and the engine.
import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from '../helpers/ports';
import { registerVendorThroughApi } from '../helpers/vendors';
import { EngineProxy } from './proxy';

const BIN = path.resolve(__dirname, '../../bin/hybridflow.js');
const HANGING_VENDOR = path.resolve(__dirname, 'hanging-vendor.ts');
const STOP_GRACE_MS = 15_000;

export type ComponentName = 'temporal' | 'engine' | 'worker' | 'vendor-demo' | 'server' | 'hanging-vendor';
/** Started in this order, stopped in the reverse one. */
const ORDER: ComponentName[] = ['temporal', 'engine', 'worker', 'vendor-demo', 'server', 'hanging-vendor'];

export const HANGING_VENDOR_ID = 'hanging-storage';

interface Running {
  process: ChildProcess;
  exited: Promise<void>;
  /** Set once we stop or kill it on purpose. */
  expectedExit: boolean;
}

export interface StackOptions {
  /** Source VMs in the seed (all up, one disk each, some with snapshots). */
  vms: string[];
  /** Log each component's output lines to the console. */
  verbose?: boolean;
  log?: (line: string) => void;
}

export class ChaosStack {
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-chaos-'));
  readonly token = randomBytes(18).toString('base64url');
  readonly enginePassword = randomBytes(12).toString('base64url');
  readonly taskQueue = `chaos-${randomBytes(4).toString('hex')}`;
  readonly proxy = new EngineProxy();
  /** What went wrong with the stack itself (components that stopped by themselves), for the report. */
  readonly notes: string[] = [];
  private readonly running = new Map<ComponentName, Running>();
  private readonly tails = new Map<ComponentName, string[]>();
  private ports = { temporal: 0, temporalUi: 0, engine: 0, api: 0 };
  private stopping = false;

  constructor(private readonly opts: StackOptions) {}

  get apiUrl() {
    return `http://127.0.0.1:${this.ports.api}`;
  }
  /** The engine itself, not through the proxy: the harness's checks and fault rules go there. */
  get engineUrl() {
    return `http://127.0.0.1:${this.ports.engine}`;
  }
  get temporalAddress() {
    return `127.0.0.1:${this.ports.temporal}`;
  }

  async start(): Promise<void> {
    this.ports = { temporal: await freePort(), temporalUi: 0, engine: await freePort(), api: await freePort() };
    this.ports.temporalUi = this.ports.temporal + 1000; // freePort checked it
    fs.writeFileSync(path.join(this.dataDir, 'seed.json'), JSON.stringify(seedFor(this.opts.vms), null, 2));
    await this.startComponent('temporal');
    await this.startComponent('engine');
    await this.proxy.listen(this.ports.engine);
    await Promise.all((['worker', 'vendor-demo', 'server'] as const).map((c) => this.startComponent(c)));
    await registerVendorThroughApi(`http://127.0.0.1:${this.ports.api}`, this.token, HANGING_VENDOR_ID);
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HF_DATA_DIR: this.dataDir,
      HF_ENGINE_PORT: String(this.ports.engine),
      HF_API_PORT: String(this.ports.api),
      HF_METRICS_PORT: '0', // the worker's /metrics on a free port: a restarted worker never waits for the old one's
      TEMPORAL_PORT: String(this.ports.temporal),
      TEMPORAL_UI_PORT: String(this.ports.temporalUi),
      TEMPORAL_ADDRESS: undefined,
      HF_TASK_QUEUE: this.taskQueue,
      HF_API_TOKEN: this.token,
      OVIRT_PASSWORD: this.enginePassword,
      OVIRT_USER: 'admin@internal',
      HF_ENGINE_TRANSITION_MS: '200',
      HF_ENGINE_UNKNOWN_ON_RESTART: 'true',
      HF_ENGINE_SEED_FILE: path.join(this.dataDir, 'seed.json'),
      HF_ENGINE_FAULTS: undefined,
      // The engine is reached through the proxy (not the built-in address), so the demo vendor is asked for.
      HF_DEMO_VENDOR: 'true',
      // Short enough that a vendor that never answers is given up within half a minute; long enough (with three
      // attempts) that a vendor whose heartbeats could not land while Temporal restarted is retried, not failed.
      HF_VENDOR_HEARTBEAT_TIMEOUT: '5s',
      HF_VENDOR_MAX_ATTEMPTS: '3',
      // Components stopped on purpose let running steps finish, briefly: the scenarios' timings stay as they were.
      HF_SHUTDOWN_GRACE: '2s',
    };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    return env;
  }

  /** Environment of one component: everything but the engine reaches the engine through the proxy. */
  private envFor(name: ComponentName): NodeJS.ProcessEnv {
    const env = this.env();
    if (name !== 'engine' && name !== 'temporal')
      env.OVIRT_URL = `http://127.0.0.1:${this.proxy.port}/ovirt-engine/api`;
    return env;
  }

  isRunning(name: ComponentName): boolean {
    return this.running.has(name);
  }

  /** Forks the component and resolves once it announced itself ready. */
  async startComponent(name: ComponentName): Promise<void> {
    if (this.running.has(name)) return;
    const [module, args, execArgv] =
      name === 'hanging-vendor' ? [HANGING_VENDOR, [], ['--require', 'tsx/cjs']] : [BIN, [name], []];
    const child = fork(module, args, {
      env: this.envFor(name),
      execArgv,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const tail = this.tails.get(name) ?? [];
    this.tails.set(name, tail);
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 40) tail.shift();
        if (this.opts.verbose) this.opts.log?.(`[${name}] ${line}`);
      }
    };
    child.stdout?.on('data', onLine);
    child.stderr?.on('data', onLine);
    const entry: Running = {
      process: child,
      expectedExit: false,
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
    };
    this.running.set(name, entry);
    void entry.exited.then(() => {
      if (this.running.get(name) === entry) this.running.delete(name);
      if (!entry.expectedExit && !this.stopping) {
        // A supervisor (systemd, Kubernetes) would start it again; so do we, and say so in the report.
        this.notes.push(
          `${name} exited by itself (code ${child.exitCode ?? child.signalCode}); restarted. Last output: ${tail.slice(-3).join(' | ')}`,
        );
        void this.startComponent(name).catch((err: Error) =>
          this.notes.push(`${name} could not be restarted: ${err.message}`),
        );
      }
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} not ready within 120 s; output:\n${tail.join('\n')}`)),
        120_000,
      );
      child.on('message', (msg: { type?: string; message?: string }) => {
        if (msg.type === 'ready') {
          clearTimeout(timer);
          resolve();
        }
        if (msg.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(`${name} could not start: ${msg.message}`));
        }
      });
      void entry.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before it was ready; output:\n${tail.join('\n')}`));
      });
    }).catch(async (err: Error) => {
      entry.expectedExit = true;
      killGroup(child, 'SIGKILL');
      await entry.exited;
      throw err;
    });
  }

  /** SIGKILL to the component's whole process group; resolves once it has exited. */
  async kill(name: ComponentName): Promise<void> {
    const entry = this.running.get(name);
    if (!entry) return;
    entry.expectedExit = true;
    killGroup(entry.process, 'SIGKILL');
    await entry.exited;
    this.running.delete(name);
  }

  /** Asks the component to stop (over IPC, as `hybridflow dev` does), SIGKILL after a grace period. */
  async stopComponent(name: ComponentName): Promise<void> {
    const entry = this.running.get(name);
    if (!entry) return;
    entry.expectedExit = true;
    const timer = setTimeout(() => killGroup(entry.process, 'SIGKILL'), STOP_GRACE_MS);
    if (entry.process.connected) entry.process.send({ type: 'stop' });
    else killGroup(entry.process, 'SIGTERM');
    await entry.exited;
    clearTimeout(timer);
    killGroup(entry.process, 'SIGKILL'); // anything it left in its group
    this.running.delete(name);
  }

  async restart(name: ComponentName, downMs: number, how: 'kill' | 'stop' = 'kill'): Promise<void> {
    if (how === 'kill') await this.kill(name);
    else await this.stopComponent(name);
    await sleep(downMs);
    await this.startComponent(name);
  }

  lastOutput(name: ComponentName): string[] {
    return this.tails.get(name) ?? [];
  }

  /** Stops every component (clients first), the proxy, and removes the data directory. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const name of [...ORDER].reverse()) await this.stopComponent(name).catch(() => undefined);
    await this.proxy.close();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // gone already
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A seed with one up VM per flow, so flows run in parallel on distinct source VMs. */
function seedFor(vms: string[]) {
  return {
    clusters: [{ name: 'Default' }],
    storage_domains: [{ name: 'data1', size_gb: 8192 }],
    vms: vms.map((name, i) => ({
      name,
      status: 'up',
      memory_mb: 2048,
      disks: [{ name: `${name}_Disk1`, size_gb: 10 }],
      ...(i % 3 === 0 ? { snapshots: [{ description: 'nightly' }] } : {}),
    })),
  };
}
