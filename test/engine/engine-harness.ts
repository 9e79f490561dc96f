// Starts a real engine on a free port with a fresh data directory, and calls it over HTTP as a client would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startEngine } from '../../engine/start';
import type { EngineOptions, RunningEngine } from '../../engine/start';
import { ENGINE_PASSWORD } from '../helpers/credentials';

export interface Answer {
  status: number;
  headers: Headers;
  // Tests read whatever the engine wrote; the shape is what they assert.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** An entity as the engine wrote it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Entity = { id: string; href: string; [field: string]: any };

export type Caller = 'admin' | 'user' | 'none';

export interface CallOptions {
  as?: Caller;
  headers?: Record<string, string>;
  /** A body sent verbatim instead of JSON.stringify(body). */
  raw?: string;
}

/** The engine's clock in tests: real time plus what a test moved it on by (`advance`), instead of sleeping. */
export class TestClock {
  private offset = 0;
  private frozenAt: number | undefined;

  readonly now = (): number => (this.frozenAt ?? Date.now()) + this.offset;

  advance(ms: number): void {
    this.offset += ms;
  }

  /** Stops real time for the engine (only `advance` moves it): a slow machine cannot change what a test sees. */
  freeze(): void {
    this.frozenAt = Date.now();
  }
}

export type TestEngineOptions = Omit<EngineOptions, 'port' | 'dataDir' | 'adminPassword' | 'now'>;

export class TestEngine {
  private tokens = new Map<Caller, string>();

  private constructor(
    public engine: RunningEngine,
    readonly dataDir: string,
    readonly options: TestEngineOptions,
    /** The engine's clock; it runs on across restarts. */
    readonly clock: TestClock,
  ) {}

  private static launch(dataDir: string, options: TestEngineOptions, clock: TestClock): Promise<RunningEngine> {
    return startEngine({ port: 0, dataDir, adminPassword: ENGINE_PASSWORD, now: clock.now, ...options });
  }

  static async start(options: TestEngineOptions = {}, dataDir?: string): Promise<TestEngine> {
    const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hf-engine-'));
    const clock = new TestClock();
    return new TestEngine(await TestEngine.launch(dir, options, clock), dir, options, clock);
  }

  /** Closes and starts again on the same data directory (tokens are forgotten, as after a real restart). */
  async restart(options = this.options): Promise<void> {
    await this.engine.close();
    this.engine = await TestEngine.launch(this.dataDir, options, this.clock);
    this.tokens.clear();
  }

  async close(): Promise<void> {
    await this.engine.close();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  async token(as: 'admin' | 'user'): Promise<string> {
    let token = this.tokens.get(as);
    if (!token) {
      const answer = await this.sso({
        grant_type: 'password',
        scope: 'ovirt-app-api',
        username: as === 'admin' ? 'admin@internal' : 'user@internal',
        password: ENGINE_PASSWORD,
      });
      token = answer.body.access_token as string;
      this.tokens.set(as, token);
    }
    return token;
  }

  async sso(form: Record<string, string>): Promise<Answer> {
    const res = await fetch(`${this.engine.url}/ovirt-engine/sso/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  }

  /** Calls `url` as admin unless told otherwise, with a JSON body if given. */
  private async request(method: string, url: string, body: unknown, options: CallOptions): Promise<Answer> {
    const as = options.as ?? 'admin';
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (as !== 'none') headers.authorization = `Bearer ${await this.token(as)}`;
    const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(url, { method, headers, body: payload });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Calls `/ovirt-engine/api` + path as admin unless told otherwise. */
  call(method: string, apiPath: string, body?: unknown, options: CallOptions = {}): Promise<Answer> {
    return this.request(method, `${this.engine.apiUrl}${apiPath}`, body, options);
  }

  get = (apiPath: string, options?: CallOptions): Promise<Answer> => this.call('GET', apiPath, undefined, options);
  post = (apiPath: string, body?: unknown, options?: CallOptions): Promise<Answer> =>
    this.call('POST', apiPath, body, options);

  del = (apiPath: string, options?: CallOptions): Promise<Answer> => this.call('DELETE', apiPath, undefined, options);

  /** Calls a path outside the oVirt API (e.g. `/builtin/faults`) with the same credentials. */
  callBuiltin(method: string, urlPath: string, body?: unknown, options: CallOptions = {}): Promise<Answer> {
    return this.request(method, `${this.engine.url}${urlPath}`, body, options);
  }

  /** The first VM with this exact name. */
  async vmNamed(name: string): Promise<Entity> {
    const vm = (await this.get(`/vms?search=name%3D${encodeURIComponent(name)}`)).body.vm?.[0] as Entity | undefined;
    if (!vm) throw new Error(`no VM named ${name}`);
    return vm;
  }

  /** Writes straight into the database, for states the API cannot create (e.g. an internal job). */
  withDatabase<T>(fn: (db: Database.Database) => T): T {
    const db = new Database(path.join(this.dataDir, 'engine.db'));
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  async addJob(body: Record<string, unknown> = { description: 'a job' }, options?: CallOptions): Promise<Entity> {
    const answer = await this.post('/jobs', body, options);
    if (answer.status !== 201) throw new Error(`add job: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  async addStep(jobId: string, body: Record<string, unknown> = {}): Promise<Entity> {
    const answer = await this.post(`/jobs/${jobId}/steps`, { description: 'a step', type: 'executing', ...body });
    if (answer.status !== 201) throw new Error(`add step: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** An internal (non-external) STARTED job, as oVirt's own operations create. */
  insertInternalJob(): { jobId: string; stepId: string } {
    const jobId = crypto.randomUUID();
    const stepId = crypto.randomUUID();
    const now = this.clock.now();
    this.withDatabase((db) => {
      db.prepare(
        `INSERT INTO jobs (id, description, status, external, auto_cleared, start_time, last_updated)
         VALUES (?, 'internal', 'started', 0, 1, ?, ?)`,
      ).run(jobId, now, now);
      db.prepare(
        `INSERT INTO steps (id, job_id, description, type, number, status, external, start_time)
         VALUES (?, ?, 'internal step', 'executing', 0, 'started', 0, ?)`,
      ).run(stepId, jobId, now);
    });
    return { jobId, stepId };
  }
}

/** One engine for a file's tests: started before them (handed to `use`), closed after them. */
export function engineForTests(use: (e: TestEngine) => void, options: TestEngineOptions = {}): void {
  let started: TestEngine | undefined;
  beforeAll(async () => {
    started = await TestEngine.start(options);
    use(started);
  });
  afterAll(async () => {
    await started?.close();
  });
}

/** Runs `fn` on an engine of its own, closed (and its data removed) afterwards whatever happens. */
export async function withEngine<T>(options: TestEngineOptions, fn: (e: TestEngine) => Promise<T>): Promise<T> {
  const e = await TestEngine.start(options);
  try {
    return await fn(e);
  } finally {
    await e.close();
  }
}
