// docker-compose.yml, checked without a Docker engine: it is valid against the compose specification's JSON Schema
// (after interpolating ${VAR:-default} / ${VAR:?message} as compose does), every hybridflow service receives the
// variables its component needs in production and only variables common/config.ts knows, the services agree with
// each other (namespace, search attributes, database, engine), and `docker-compose config -q` accepts it when a
// compose tool is installed (.ci/run installs Debian's docker-compose).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';
import { parseDocument } from 'yaml';
import { EnvSchema, loadConfig } from '../../common/config';
import { searchAttributes } from '../../common/search-attributes';

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const SCHEMA_FILE = path.join(ROOT, 'test/fixtures/compose-spec.json');

/** What an operator sets: the values the file insists on (`${VAR:?...}`) and nothing else. */
const REQUIRED_INPUT = {
  OVIRT_PASSWORD: 'engine-password',
  HF_API_TOKEN: 'an-api-token-of-32-characters-xx',
  HF_SERVER_KEY: 'a-server-key-of-at-least-32-characters',
};

type Env = Record<string, string | undefined>;
type Tree = unknown;

/**
 * Compose's interpolation of one value: `$$` is a `$`; `$VAR`, `${VAR}`; `${VAR:-default}` / `${VAR-default}`
 * (unset or empty / unset); `${VAR:?message}` / `${VAR?message}` (an error); `${VAR:+other}` / `${VAR+other}`.
 * Nested `${...}` inside a default is not supported (Debian's docker-compose 1.29 does not read it either).
 */
function interpolate(value: string, env: Env, used?: [string, string][]): string {
  const pattern = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(.?))/g;
  return value.replace(pattern, (match, dollar, name, op, arg, bare, other) => {
    if (dollar) return '$';
    if (other !== undefined) throw new Error(`invalid interpolation ${JSON.stringify(match)} in ${value}`);
    const variable = (name ?? bare) as string;
    if (typeof arg === 'string' && arg.includes('${')) throw new Error(`nested interpolation in ${value}`);
    used?.push([variable, op ?? '']);
    const v = env[variable];
    const set = v !== undefined;
    const nonEmpty = set && v !== '';
    switch (op) {
      case undefined:
        return v ?? '';
      case ':-':
        return nonEmpty ? v : arg;
      case '-':
        return set ? v : arg;
      case ':?':
      case '?':
        if (op === ':?' ? !nonEmpty : !set) throw new Error(`${variable}: ${arg}`);
        return v as string;
      case ':+':
        return nonEmpty ? arg : '';
      default:
        return set ? arg : '';
    }
  });
}

/** Every string of the parsed file interpolated (keys are not, as in compose). */
function interpolateTree(tree: Tree, env: Env, used?: [string, string][]): Tree {
  if (typeof tree === 'string') return interpolate(tree, env, used);
  if (Array.isArray(tree)) return tree.map((t) => interpolateTree(t, env, used));
  if (tree && typeof tree === 'object') {
    return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, interpolateTree(v, env, used)]));
  }
  return tree;
}

/** The file as compose reads it: YAML 1.1 merge keys (`<<: *anchor`) resolved, duplicate keys an error. */
function readCompose(text: string): Tree {
  const doc = parseDocument(text, { merge: true, uniqueKeys: true });
  if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('\n'));
  return doc.toJS({ maxAliasCount: 1000 });
}

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  deploy?: { replicas?: number };
  ports?: (string | { published?: string })[];
  healthcheck?: { test?: string[] | string };
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
}

const composeText = fs.readFileSync(COMPOSE_FILE, 'utf8');
const load = (env: Env = REQUIRED_INPUT, text = composeText) => interpolateTree(readCompose(text), env) as Compose;

/** A service's environment as its container sees it (compose passes every value as a string). */
function environmentOf(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

/** hybridflow's own services: those built from the repository's Dockerfile, named by their `hybridflow` command. */
const hybridflowServices = (compose: Compose) =>
  Object.fromEntries(
    Object.entries(compose.services)
      .filter(([, s]) => s.build !== undefined)
      .map(([name, s]) => [name, { service: s, command: [s.command ?? []].flat()[0] ?? '', env: environmentOf(s) }]),
  );

/** What each component cannot do without in a deployment of several replicas on a shared database. */
const NEEDS: Record<string, string[]> = {
  server: [
    'DATABASE_URL',
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'HF_TASK_QUEUE',
    'HF_API_TOKEN',
    'HF_SERVER_KEY',
    'HF_HOST',
    'HF_ALLOWED_HOSTS',
    'OVIRT_URL',
    'OVIRT_USER',
    'OVIRT_PASSWORD',
    'TEMPORAL_UI_URL',
  ],
  worker: [
    'DATABASE_URL',
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'HF_TASK_QUEUE',
    'HF_SERVER_KEY',
    'OVIRT_URL',
    'OVIRT_USER',
    'OVIRT_PASSWORD',
  ],
  'vendor-demo': [
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'HF_TASK_QUEUE',
    'OVIRT_URL',
    'OVIRT_USER',
    'OVIRT_PASSWORD',
  ],
  engine: ['HF_HOST', 'HF_ALLOWED_HOSTS', 'OVIRT_USER', 'OVIRT_PASSWORD'],
};

/** The problems of the hybridflow services' environments: missing, unknown or invalid variables. */
function environmentProblems(compose: Compose): string[] {
  const known = new Set(Object.keys(EnvSchema.shape));
  const problems: string[] = [];
  for (const [name, { command, env }] of Object.entries(hybridflowServices(compose))) {
    const needs = NEEDS[command];
    if (!needs) {
      problems.push(`${name}: runs \`hybridflow ${command}\`, which this test does not know`);
      continue;
    }
    for (const v of needs) if (!(v in env)) problems.push(`${name}: ${v} is not passed`);
    for (const v of Object.keys(env)) if (!known.has(v)) problems.push(`${name}: ${v} is not a variable of EnvSchema`);
    try {
      loadConfig(env);
    } catch (err) {
      problems.push(`${name}: ${(err as Error).message}`);
    }
  }
  return problems;
}

const schemaValidator = () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema names draft-07 by its https address; Ajv knows draft-07 (its default) by the http one.
  ajv.addMetaSchema({ ...draft07, $id: 'https://json-schema.org/draft-07/schema' });
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as object);
};

/** Go-style durations as compose writes them (`40s`, `1m30s`), in ms. */
const durationMs = (d: string) =>
  [...d.matchAll(/(\d+)(ms|s|m|h)/g)].reduce(
    (sum, [, n, unit]) => sum + Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms'],
    0,
  );

/** `value`, or a failure naming what is missing. */
function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing from docker-compose.yml`);
  return value;
}

describe('docker-compose.yml', () => {
  const compose = load();
  const hf = hybridflowServices(compose);
  const service = (name: string, from = compose) => must(from.services[name], `service ${name}`);
  const env = (name: string) => must(hf[name], `service ${name}`).env;
  const variable = (name: string, v: string) => must(env(name)[v], `${name}'s ${v}`);

  describe('interpolation as compose does it', () => {
    it('reads defaults, required values and $$', () => {
      expect(interpolate('${A:-x}/${A-y}/$$A/${B}/$B', { B: 'b' })).toBe('x/y/$A/b/b');
      expect(interpolate('${A:-x}|${A-y}', { A: '' })).toBe('x|');
      expect(() => interpolate('${A:?set A}', { A: '' })).toThrow('A: set A');
      expect(interpolate('${A?set A}', { A: '' })).toBe('');
    });

    it('insists on exactly the secrets an operator must choose, and names the one missing', () => {
      const used: [string, string][] = [];
      interpolateTree(readCompose(composeText), REQUIRED_INPUT, used);
      const required = new Set(used.filter(([, op]) => op.includes('?')).map(([v]) => v));
      expect([...required].sort()).toEqual(Object.keys(REQUIRED_INPUT).sort());
      for (const v of Object.keys(REQUIRED_INPUT)) {
        expect(() => load({ ...REQUIRED_INPUT, [v]: undefined })).toThrow(new RegExp(`^${v}: set ${v}`));
      }
    });
  });

  describe("the compose specification's JSON Schema", () => {
    const validate = schemaValidator();

    it('accepts the file, with the defaults and with every variable set', () => {
      expect(validate(compose) ? [] : validate.errors).toEqual([]);
      const everything = load({
        ...REQUIRED_INPUT,
        OVIRT_URL: 'https://engine.example.com/ovirt-engine/api',
        OVIRT_CA_FILE: '/run/secrets/engine-ca.pem',
        HF_ALLOWED_HOSTS: 'hybridflow.example.com',
        TEMPORAL_BIND: '0.0.0.0',
        TEMPORAL_UI_BIND: '0.0.0.0',
      });
      expect(validate(everything) ? [] : validate.errors).toEqual([]);
    });

    it('rejects a misspelt key (so the check can fail)', () => {
      const broken = load(
        REQUIRED_INPUT,
        composeText.replace('    stop_grace_period: 40s', '    stop_grace_perod: 40s'),
      );
      expect(validate(broken)).toBe(false);
      expect(JSON.stringify(validate.errors)).toContain('stop_grace_perod');
    });
  });

  describe('the variables of the hybridflow services', () => {
    it('are the server, the worker, the demo vendor and the built-in engine', () => {
      expect(Object.fromEntries(Object.entries(hf).map(([n, s]) => [n, s.command]))).toEqual({
        server: 'server',
        worker: 'worker',
        'vendor-demo': 'vendor-demo',
        engine: 'engine',
      });
    });

    it('each service gets what its component needs, only variables EnvSchema knows, and they validate', () => {
      expect(environmentProblems(compose)).toEqual([]);
      // Against a real oVirt, and with the names the API server is reached by.
      const real = load({
        ...REQUIRED_INPUT,
        OVIRT_URL: 'https://engine.example.com/ovirt-engine/api',
        HF_ALLOWED_HOSTS: 'hybridflow.example.com,hybridflow',
      });
      expect(environmentProblems(real)).toEqual([]);
    });

    it('a missing or misspelt variable is a problem (so the check can fail)', () => {
      const missing = load(REQUIRED_INPUT, composeText.replace(/^ {2}DATABASE_URL: .*\n/m, ''));
      expect(environmentProblems(missing)).toEqual(
        expect.arrayContaining(['server: DATABASE_URL is not passed', 'worker: DATABASE_URL is not passed']),
      );
      const typo = load(REQUIRED_INPUT, composeText.replace('      HF_DEMO_VENDOR:', '      HF_DEMO_VENDER:'));
      expect(environmentProblems(typo)).toContain('server: HF_DEMO_VENDER is not a variable of EnvSchema');
    });

    it('the API servers listen on every interface, and workers and servers share the database and its key', () => {
      expect(loadConfig(env('server')).HF_HOST).toBe('0.0.0.0');
      expect(loadConfig(env('engine')).HF_HOST).toBe('0.0.0.0');
      for (const v of ['DATABASE_URL', 'HF_SERVER_KEY', 'TEMPORAL_NAMESPACE', 'HF_TASK_QUEUE']) {
        expect(variable('worker', v)).toBe(variable('server', v));
      }
      expect(variable('vendor-demo', 'HF_TASK_QUEUE')).toBe(variable('server', 'HF_TASK_QUEUE'));
      // No secret where it is not needed.
      for (const s of ['worker', 'vendor-demo', 'engine']) expect(Object.keys(env(s))).not.toContain('HF_API_TOKEN');
      expect(Object.keys(env('engine'))).not.toContain('HF_SERVER_KEY');
    });
  });

  describe('the services agree', () => {
    it('Temporal is the temporal service, with the namespace and every search attribute created', () => {
      const [host = '', port] = variable('server', 'TEMPORAL_ADDRESS').split(':');
      expect(service(host).image).toMatch(/^temporalio\/server:/);
      expect(service(host).ports?.some((p) => String(p).endsWith(`:${port}`))).toBe(true);
      const setup = service('temporal-create-namespace');
      expect(environmentOf(setup).TEMPORAL_NAMESPACE).toBe(variable('server', 'TEMPORAL_NAMESPACE'));
      const script = [setup.command].flat().join('\n');
      expect(script).toMatch(/namespace create -n "\$TEMPORAL_NAMESPACE"/);
      const created = [...script.matchAll(/search-attribute create .*--name (\w+) --type (\w+)/g)].map(([, n, t]) => ({
        name: n,
        type: t,
      }));
      const cliType = (t: string) => t.toLowerCase().replace(/(^|_)(\w)/g, (_m, _s, c: string) => c.toUpperCase());
      expect(created).toEqual(searchAttributes.map((a) => ({ name: a.name, type: cliType(a.type) })));
    });

    it('DATABASE_URL is the hybridflow database that hybridflow-database creates, on the postgresql service', () => {
      const chosen = load({ ...REQUIRED_INPUT, HYBRIDFLOW_DB_PASSWORD: 'chosen-password' });
      const url = new URL(must(environmentOf(service('server', chosen)).DATABASE_URL, 'DATABASE_URL'));
      expect(service(url.hostname).image).toMatch(/^postgres:16/);
      const creator = service('hybridflow-database', chosen);
      expect(environmentOf(creator).HYBRIDFLOW_DB_PASSWORD).toBe('chosen-password');
      expect(decodeURIComponent(url.password)).toBe('chosen-password');
      const script = [creator.command].flat().join('\n');
      expect(script).toContain(`CREATE ROLE ${url.username} LOGIN`);
      expect(script).toContain(`ALTER ROLE ${url.username} PASSWORD :'password'`);
      expect(script).toContain(`CREATE DATABASE ${url.pathname.slice(1)} OWNER ${url.username}`);
      for (const s of ['server', 'worker']) {
        expect(service(s).depends_on).toMatchObject({
          'hybridflow-database': { condition: 'service_completed_successfully' },
          'temporal-create-namespace': { condition: 'service_completed_successfully' },
        });
      }
    });

    it("OVIRT_URL's default is the built-in engine of the builtin-engine profile, which answers to that name", () => {
      const engineUrl = new URL(variable('server', 'OVIRT_URL'));
      expect(engineUrl.hostname).toBe('engine');
      const engine = loadConfig(env('engine'));
      expect(engine.HF_ALLOWED_HOSTS).toContain('engine');
      expect(Number(engineUrl.port)).toBe(engine.HF_ENGINE_PORT);
      expect(variable('engine', 'OVIRT_PASSWORD')).toBe(variable('server', 'OVIRT_PASSWORD'));
      expect(variable('engine', 'OVIRT_USER')).toBe(variable('server', 'OVIRT_USER'));
      for (const [name, s] of Object.entries(compose.services)) {
        const profiles = ['engine', 'vendor-demo'].includes(name) ? ['builtin-engine'] : undefined;
        expect([name, s.profiles]).toEqual([name, profiles]);
      }
    });

    it('two replicas of server and worker, health checks, and a stop grace longer than HF_SHUTDOWN_GRACE', () => {
      for (const s of ['server', 'worker']) expect(service(s).deploy?.replicas).toBe(2);
      // One published port per replica.
      const [, from, to] = /^(\d+)-(\d+):8080$/.exec(String(service('server').ports?.[0])) ?? [];
      expect(Number(to) - Number(from) + 1).toBeGreaterThanOrEqual(service('server').deploy?.replicas ?? 1);
      const port = loadConfig(env('server')).HF_API_PORT;
      expect([service('server').healthcheck?.test].flat().join(' ')).toContain(`http://127.0.0.1:${port}/readyz`);
      const metricsPort = loadConfig(env('worker')).HF_METRICS_PORT;
      expect([service('worker').healthcheck?.test].flat().join(' ')).toContain(
        `http://127.0.0.1:${metricsPort}/metrics`,
      );
      for (const s of ['postgresql', 'temporal', 'engine']) expect(service(s).healthcheck?.test).toBeDefined();
      for (const [name, { service: s, env: e }] of Object.entries(hf)) {
        if (name === 'engine') continue;
        const grace = durationMs(String(loadConfig(e).HF_SHUTDOWN_GRACE));
        expect([name, durationMs(s.stop_grace_period ?? '10s') > grace]).toEqual([name, true]);
      }
    });

    it('every image is pinned to a version, and every dependency is a service', () => {
      for (const [name, s] of Object.entries(compose.services)) {
        for (const dep of Object.keys(s.depends_on ?? {})) expect(Object.keys(compose.services)).toContain(dep);
        if (s.build === undefined)
          expect([name, s.image]).toEqual([name, expect.stringMatching(/^[\w./-]+:\d+(\.\d+)*$/)]);
      }
    });
  });

  // Debian's docker-compose (1.29) or Docker's compose plugin: its own schema and interpolation, and its checks
  // that the build context and mounted folders exist.
  const tool = ['docker-compose', 'docker compose'].find((t) => {
    const [cmd = '', ...args] = t.split(' ');
    return spawnSync(cmd, [...args, 'version'], { stdio: 'ignore' }).status === 0;
  });
  const runTool = (args: string[], file = COMPOSE_FILE, input: Env = REQUIRED_INPUT) => {
    const [cmd = '', ...pre] = (tool ?? '').split(' ');
    return spawnSync(cmd, [...pre, '--project-directory', ROOT, '-f', file, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...input },
      encoding: 'utf8',
    });
  };
  (tool ? describe : describe.skip)(`${tool ?? 'docker-compose'} config -q`, () => {
    it('accepts the file, with and without the builtin-engine profile', () => {
      for (const profile of [[], ['--profile', 'builtin-engine']]) {
        const run = runTool([...profile, 'config', '-q']);
        expect([run.status, run.stderr]).toEqual([0, '']);
      }
    });

    it('refuses it without the secrets, or with a misspelt key', () => {
      expect(runTool(['config', '-q'], COMPOSE_FILE, { OVIRT_PASSWORD: 'x' }).status).not.toBe(0);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-'));
      const broken = path.join(dir, 'docker-compose.yml');
      fs.writeFileSync(broken, composeText.replace('    stop_grace_period: 40s', '    stop_grace_perod: 40s'));
      try {
        const run = runTool(['config', '-q'], broken);
        expect(run.status).not.toBe(0);
        expect(run.stderr).toContain('stop_grace_perod');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
