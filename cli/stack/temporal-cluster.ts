// A real Temporal server (not the dev server): the pinned release built once with `go install`, on a PostgreSQL
// of its own (postgres.ts), with its databases set up by Temporal's own SQL tool and schema files, all four
// services in one process, the namespace and hybridflow's search attributes registered; optionally mTLS on the
// frontend. Used by `hybridflow temporal --cluster` and the production tests (test/cluster/).
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection, type TLSConfig } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import pg from 'pg';
import { pollUntil } from '../../common/poll';
import { searchAttributes } from '../../common/search-attributes';
import { isPortFree } from './ports';
import { startPostgres, type RunningPostgres } from './postgres';

const execFileAsync = promisify(execFile);

export const TEMPORAL_SERVER_VERSION = 'v1.30.1';
const MODULE = 'go.temporal.io/server';
/** The module's own development config for PostgreSQL, which ours is a copy of. */
const BASE_CONFIG = 'development-postgres12.yaml';
const ENV_NAME = 'hybridflow';
/** How long the four services may take to join and serve on a slow, busy machine. */
const START_TIMEOUT_MS = 120_000;
/** How long a build by another process may take before we stop waiting for it. */
const BUILD_WAIT_MS = 30 * 60_000;
/** Namespace retention: long enough to look at finished flows, short enough to keep the database small. */
const RETENTION_MS = 7 * 24 * 3600_000;

export interface ClusterOptions {
  /** Everything lives below it: `temporal-postgres/`, `temporal-cluster/` (config, log), `tls/`. */
  dataDir: string;
  /** The frontend's gRPC port on 127.0.0.1. @default a free port */
  port?: number;
  /** @default 'default' */
  namespace?: string;
  /** The frontend requires mTLS (certificates generated under `<dataDir>/tls/`). @default false */
  tls?: boolean;
  log?: (line: string) => void;
}

/** The files of the generated certificate authority and certificates (PEM). */
export interface ClusterTls {
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** The name in the server certificate (also valid: 127.0.0.1). */
  serverName: string;
}

export interface RunningCluster {
  /** The frontend, `127.0.0.1:<port>`. */
  address: string;
  namespace: string;
  /** A separate `hybridflow` database on the cluster's PostgreSQL, for the API servers' shared state. */
  databaseUrl: string;
  tls?: ClusterTls;
  /** The server's log file. */
  logFile: string;
  stop(): Promise<void>;
}

export async function startTemporalCluster(opts: ClusterOptions): Promise<RunningCluster> {
  const log = opts.log ?? console.log;
  const namespace = opts.namespace ?? 'default';
  const dataDir = path.resolve(opts.dataDir);
  const root = path.join(dataDir, 'temporal-cluster');
  fs.mkdirSync(root, { recursive: true });
  const binaries = await ensureTemporalServer(log);
  const moduleDir = await moduleDirectory();
  const tls = opts.tls ? await generateCertificates(path.join(dataDir, 'tls')) : undefined;
  const ports = await choosePorts(root, opts.port);

  const postgres = await startPostgres({ dataDir: path.join(dataDir, 'temporal-postgres'), port: ports.postgres, log });
  let server: ReturnType<typeof spawnServer> | undefined;
  const stop = async () => {
    await server?.stop();
    await postgres.stop();
  };
  try {
    await setUpDatabases(binaries.sql, moduleDir, postgres);
    const databaseUrl = await postgres.createDatabase('hybridflow');
    writeConfig(root, moduleDir, ports, postgres, tls);
    const logFile = path.join(root, 'server.log');
    server = spawnServer(binaries.server, root, logFile);
    const address = `127.0.0.1:${ports.frontend}`;
    const tlsConfig: TLSConfig | undefined = tls && {
      serverRootCACertificate: fs.readFileSync(tls.caFile),
      clientCertPair: { crt: fs.readFileSync(tls.clientCertFile), key: fs.readFileSync(tls.clientKeyFile) },
      serverNameOverride: tls.serverName,
    };
    await prepareNamespace(address, tlsConfig, namespace, server, logFile);
    return { address, namespace, databaseUrl, tls, logFile, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

interface Binaries {
  server: string;
  sql: string;
}

/** `~/.cache/hybridflow/temporal-<version>/{server,sql}`, built once; concurrent callers wait for one build. */
export async function ensureTemporalServer(log: (line: string) => void = console.log): Promise<Binaries> {
  const cacheDir = path.join(os.homedir(), '.cache', 'hybridflow', `temporal-${TEMPORAL_SERVER_VERSION}`);
  const binaries = { server: path.join(cacheDir, 'server'), sql: path.join(cacheDir, 'sql') };
  const built = () => fs.existsSync(binaries.server) && fs.existsSync(binaries.sql);
  if (built()) return binaries;
  fs.mkdirSync(cacheDir, { recursive: true });
  const lockFile = `${cacheDir}.lock`;
  const deadline = Date.now() + BUILD_WAIT_MS;
  for (;;) {
    if (built()) return binaries;
    if (takeLock(lockFile)) break;
    if (Date.now() > deadline) throw new Error(`gave up waiting for the Temporal server build holding ${lockFile}`);
    log(`Waiting for another build of the Temporal server ${TEMPORAL_SERVER_VERSION} (${lockFile}) ...`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
  try {
    if (built()) return binaries;
    log(`Building the Temporal server ${TEMPORAL_SERVER_VERSION} (once, about 5 minutes)...`);
    // Into a folder of our own first, so a half-written binary is never taken for a finished one.
    const gobin = fs.mkdtempSync(path.join(cacheDir, '.build-'));
    const logFile = `${cacheDir}.build.log`;
    const started = Date.now();
    try {
      await execFileAsync(
        'go',
        [
          'install',
          `${MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`,
          `${MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`,
        ],
        { env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod' }, maxBuffer: 64 << 20, timeout: BUILD_WAIT_MS },
      );
    } catch (err) {
      fs.rmSync(gobin, { recursive: true, force: true });
      const output = (err as { stderr?: string }).stderr ?? '';
      fs.writeFileSync(logFile, output);
      const reason =
        (err as { code?: string }).code === 'ENOENT' ? 'the Go toolchain (go) is not on PATH' : lastLines(output);
      throw new Error(`building the Temporal server ${TEMPORAL_SERVER_VERSION} failed: ${reason} (log: ${logFile})`, {
        cause: err,
      });
    }
    fs.renameSync(path.join(gobin, 'sql'), binaries.sql);
    fs.renameSync(path.join(gobin, 'server'), binaries.server); // last: its presence means "built"
    fs.rmSync(gobin, { recursive: true, force: true });
    log(`Built the Temporal server ${TEMPORAL_SERVER_VERSION} in ${Math.round((Date.now() - started) / 1000)} s.`);
    return binaries;
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

/** Creates the lock file with our pid; a lock whose process is gone is stale and taken over. */
function takeLock(lockFile: string): boolean {
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = Number(fs.readFileSync(lockFile, 'utf8').trim());
  try {
    if (holder) process.kill(holder, 0);
    return false; // the builder is alive
  } catch {
    fs.rmSync(lockFile, { force: true });
    return takeLock(lockFile);
  }
}

/** The module's source folder in the Go module cache (read-only): config files and schema. */
async function moduleDirectory(): Promise<string> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('go', ['mod', 'download', '-json', `${MODULE}@${TEMPORAL_SERVER_VERSION}`], {
      env: { ...process.env, GOFLAGS: '-mod=mod' },
      cwd: os.tmpdir(), // outside any Go module
    }));
  } catch (err) {
    const reason =
      (err as { code?: string }).code === 'ENOENT'
        ? 'the Go toolchain (go) is not on PATH'
        : lastLines(`${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`);
    throw new Error(`cannot find the files of ${MODULE}@${TEMPORAL_SERVER_VERSION} (config, schema): ${reason}`, {
      cause: err,
    });
  }
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download did not report the folder of ${MODULE}@${TEMPORAL_SERVER_VERSION}`);
  return dir;
}

interface Ports {
  frontend: number;
  frontendMembership: number;
  frontendHttp: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
  postgres: number;
}

/**
 * The ports of the last run when they are still free (the cluster remembers its members' addresses in the
 * database for a while), else free ones.
 */
async function choosePorts(root: string, frontend: number | undefined): Promise<Ports> {
  const file = path.join(root, 'ports.json');
  const chosen = new Set<number>(frontend ? [frontend] : []);
  let previous: Partial<Ports> = {};
  try {
    previous = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Ports>;
  } catch {
    // first run
  }
  const pick = async (name: keyof Ports): Promise<number> => {
    const before = previous[name];
    if (before && !chosen.has(before) && (await isPortFree(before))) {
      chosen.add(before);
      return before;
    }
    for (;;) {
      const port = 20000 + Math.floor(Math.random() * 11000); // below the ephemeral range (32768+)
      if (!chosen.has(port) && (await isPortFree(port))) {
        chosen.add(port);
        return port;
      }
    }
  };
  const ports: Ports = {
    frontend: frontend ?? (await pick('frontend')),
    frontendMembership: await pick('frontendMembership'),
    frontendHttp: await pick('frontendHttp'),
    history: await pick('history'),
    historyMembership: await pick('historyMembership'),
    matching: await pick('matching'),
    matchingMembership: await pick('matchingMembership'),
    worker: await pick('worker'),
    workerMembership: await pick('workerMembership'),
    metrics: await pick('metrics'),
    postgres: await pick('postgres'),
  };
  fs.writeFileSync(file, JSON.stringify(ports, null, 2));
  return ports;
}

/** Both databases, with Temporal's SQL tool and the module's versioned schema; a no-op when they are current. */
async function setUpDatabases(sqlTool: string, moduleDir: string, postgres: RunningPostgres): Promise<void> {
  for (const [database, schema] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    const env = {
      ...process.env,
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(postgres.port),
      SQL_USER: postgres.user,
      SQL_PASSWORD: postgres.password, // in the environment, not on a command line others can read
      SQL_DATABASE: database,
    };
    const run = async (args: string[]) => {
      try {
        await execFileAsync(sqlTool, args, { env, timeout: 300_000, maxBuffer: 16 << 20 });
      } catch (err) {
        const output = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
        throw new Error(`temporal sql tool ${args[0]} on ${database} failed: ${lastLines(output)}`, { cause: err });
      }
    };
    if (!(await databaseExists(postgres, database))) await run(['create-database']);
    if (!(await hasSchemaVersion(postgres, database))) await run(['setup-schema', '-v', '0.0']);
    await run(['update-schema', '-d', path.join(moduleDir, 'schema', 'postgresql', 'v12', schema, 'versioned')]);
  }
}

async function query<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const databaseExists = (postgres: RunningPostgres, name: string) =>
  query(
    postgres.url,
    async (c) => ((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0,
  );

const hasSchemaVersion = (postgres: RunningPostgres, name: string) =>
  query(
    postgres.url.replace(/\/postgres$/, `/${name}`),
    async (c) => (await c.query("SELECT to_regclass('public.schema_version') AS t")).rows[0]?.t != null,
  );

/** Our config: the module's development-postgres12.yaml with our ports, database and (optionally) TLS. */
function writeConfig(root: string, moduleDir: string, ports: Ports, postgres: RunningPostgres, tls?: ClusterTls) {
  const configDir = path.join(root, 'config');
  fs.mkdirSync(path.join(configDir, 'dynamicconfig'), { recursive: true });
  const dynamicConfig = path.join(configDir, 'dynamicconfig', 'development-sql.yaml');
  let dynamic = fs.readFileSync(path.join(moduleDir, 'config', 'dynamicconfig', 'development-sql.yaml'), 'utf8');
  dynamic = replaceExactly(dynamic, 'http://localhost:7243/', `http://localhost:${ports.frontendHttp}/`, 1);
  // As the dev server does: search attributes are usable the moment they are registered.
  dynamic += '\nsystem.forceSearchAttributesCacheRefreshOnRead:\n  - value: true\n';
  fs.writeFileSync(dynamicConfig, dynamic);

  let config = fs.readFileSync(path.join(moduleDir, 'config', BASE_CONFIG), 'utf8');
  const edits: [string, string, number][] = [
    ['level: info', 'level: warn', 1],
    ['connectAddr: "127.0.0.1:5432"', `connectAddr: "127.0.0.1:${postgres.port}"`, 2],
    ['user: "temporal"', `user: "${postgres.user}"`, 2],
    ['password: "temporal"', `password: "${postgres.password}"`, 2],
    ['port: 7936', 'port: 0', 1], // no pprof
    ['listenAddress: "127.0.0.1:8000"', `listenAddress: "127.0.0.1:${ports.metrics}"`, 1],
    ['grpcPort: 7233', `grpcPort: ${ports.frontend}`, 1],
    ['membershipPort: 6933', `membershipPort: ${ports.frontendMembership}`, 1],
    ['httpPort: 7243', `httpPort: ${ports.frontendHttp}`, 1],
    ['grpcPort: 7234', `grpcPort: ${ports.history}`, 1],
    ['membershipPort: 6934', `membershipPort: ${ports.historyMembership}`, 1],
    ['grpcPort: 7235', `grpcPort: ${ports.matching}`, 1],
    ['membershipPort: 6935', `membershipPort: ${ports.matchingMembership}`, 1],
    ['grpcPort: 7239', `grpcPort: ${ports.worker}`, 1],
    ['membershipPort: 6939', `membershipPort: ${ports.workerMembership}`, 1],
    ['rpcAddress: "localhost:7233"', `rpcAddress: "localhost:${ports.frontend}"`, 1],
    ['filepath: "config/dynamicconfig/development-sql.yaml"', `filepath: ${JSON.stringify(dynamicConfig)}`, 1],
  ];
  for (const [from, to, count] of edits) config = replaceExactly(config, from, to, count);
  if (tls) config = replaceExactly(config, '\nglobal:\n', `\nglobal:\n${tlsSection(tls)}`, 1);
  fs.writeFileSync(path.join(configDir, `${ENV_NAME}.yaml`), config, { mode: 0o600 }); // it holds the DB password
}

/**
 * The frontend requires a client certificate from our CA. The server's own clients of the frontend (the system
 * workers) present the server certificate, which is also valid for client authentication; internode traffic stays
 * on loopback without TLS.
 */
function tlsSection(tls: ClusterTls): string {
  const q = JSON.stringify;
  const client = [`      serverName: ${q(tls.serverName)}`, `      rootCaFiles: [${q(tls.caFile)}]`];
  return [
    '  tls:',
    '    frontend:',
    '      server:',
    `        certFile: ${q(tls.serverCertFile)}`,
    `        keyFile: ${q(tls.serverKeyFile)}`,
    '        requireClientAuth: true',
    `        clientCaFiles: [${q(tls.caFile)}]`,
    '      client:',
    ...client.map((l) => `  ${l}`),
    '    systemWorker:',
    `      certFile: ${q(tls.serverCertFile)}`,
    `      keyFile: ${q(tls.serverKeyFile)}`,
    '      client:',
    ...client.map((l) => `  ${l}`),
    '',
  ].join('\n');
}

function replaceExactly(text: string, from: string, to: string, count: number): string {
  const found = text.split(from).length - 1;
  if (found !== count) {
    throw new Error(`the Temporal ${TEMPORAL_SERVER_VERSION} config has ${found} x '${from}', expected ${count}`);
  }
  return text.split(from).join(to);
}

/** A CA, a server certificate for localhost/127.0.0.1 and a client certificate, made once with the openssl CLI. */
export async function generateCertificates(dir: string): Promise<ClusterTls> {
  const files: ClusterTls = {
    caFile: path.join(dir, 'ca.pem'),
    serverCertFile: path.join(dir, 'server.pem'),
    serverKeyFile: path.join(dir, 'server.key'),
    clientCertFile: path.join(dir, 'client.pem'),
    clientKeyFile: path.join(dir, 'client.key'),
    serverName: 'localhost',
  };
  if (Object.values(files).every((f) => f === 'localhost' || fs.existsSync(f))) return files;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caKey = path.join(dir, 'ca.key');
  const openssl = async (args: string[]) => {
    try {
      await execFileAsync('openssl', args, { cwd: dir });
    } catch (err) {
      const reason =
        (err as { code?: string }).code === 'ENOENT'
          ? 'the openssl command is not on PATH'
          : lastLines((err as { stderr?: string }).stderr ?? '');
      throw new Error(`generating the cluster's certificates in ${dir} failed: ${reason}`, { cause: err });
    }
  };
  const newKey = (file: string) => ['-newkey', 'rsa:2048', '-nodes', '-keyout', file];
  await openssl([
    'req',
    '-x509',
    ...newKey(caKey),
    '-out',
    files.caFile,
    '-days',
    '3650',
    '-subj',
    '/CN=hybridflow local Temporal CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const sign = async (name: string, subject: string, extensions: string[], key: string, cert: string) => {
    const csr = path.join(dir, `${name}.csr`);
    const ext = path.join(dir, `${name}.ext`);
    fs.writeFileSync(
      ext,
      ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', ...extensions].join('\n'),
    );
    await openssl(['req', ...newKey(key), '-out', csr, '-subj', subject]);
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      files.caFile,
      '-CAkey',
      caKey,
      '-CAcreateserial',
      '-out',
      cert,
      '-days',
      '825',
      '-extfile',
      ext,
    ]);
    fs.rmSync(csr);
    fs.rmSync(ext);
  };
  await sign(
    'server',
    '/CN=localhost',
    ['subjectAltName=DNS:localhost,IP:127.0.0.1', 'extendedKeyUsage=serverAuth,clientAuth'],
    files.serverKeyFile,
    files.serverCertFile,
  );
  await sign(
    'client',
    '/CN=hybridflow-client',
    ['extendedKeyUsage=clientAuth'],
    files.clientKeyFile,
    files.clientCertFile,
  );
  return files;
}

/** `server start` as our child; it gets SIGTERM if we die (parent death signal), like the PostgreSQL below it. */
function spawnServer(binary: string, root: string, logFile: string) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    'setpriv',
    [
      '--pdeathsig',
      'SIGTERM',
      '--',
      binary,
      '--root',
      root,
      '--config',
      'config',
      '--env',
      ENV_NAME,
      '--allow-no-auth',
      'start',
    ],
    { cwd: root, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  child.once('error', (err) => fs.appendFileSync(logFile, `\ncould not run the server: ${err.message}\n`));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('close', (code) => {
      exitCode = code;
      resolve();
    }),
  );
  return {
    exitCode: () => exitCode,
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits for the frontend, then registers the namespace and the search attributes unless they exist. */
async function prepareNamespace(
  address: string,
  tls: TLSConfig | undefined,
  namespace: string,
  server: { exitCode(): number | null | undefined },
  logFile: string,
): Promise<void> {
  const connection = await pollUntil(
    async () => {
      const code = server.exitCode();
      if (code !== undefined) {
        throw new Error(`the Temporal server exited (code ${code}) while starting: ${lastLines(readTail(logFile))}`);
      }
      let c: Connection | undefined;
      try {
        c = await Connection.connect({ address, tls, connectTimeout: 2000 });
        await c.workflowService.getSystemInfo({});
        return c;
      } catch {
        await c?.close();
        return undefined; // not serving yet
      }
    },
    {
      what: `the Temporal server at ${address}`,
      timeoutMs: START_TIMEOUT_MS,
      intervalMs: 500,
      timeoutError: (message) => new Error(`${message} (log: ${logFile})`),
    },
  );
  try {
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(RETENTION_MS),
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 6) throw err; // 6: ALREADY_EXISTS (a restart)
    }
    // The namespace reaches the other services' caches within seconds; adding search attributes needs it there.
    const existing = await pollUntil(
      async () => {
        try {
          return await connection.operatorService.listSearchAttributes({ namespace });
        } catch {
          return undefined;
        }
      },
      { what: `namespace ${namespace} to be usable`, timeoutMs: 60_000, intervalMs: 500 },
    );
    const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
    const missing = Object.fromEntries(
      searchAttributes
        .filter((a) => !existing.customAttributes?.[a.name])
        .map((a) => [a.name, IndexedValueType[`INDEXED_VALUE_TYPE_${a.type}`]]),
    );
    if (Object.keys(missing).length) {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    }
  } finally {
    await connection.close();
  }
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '';
  }
}

const lastLines = (text: string) => text.trim().split('\n').slice(-5).join(' | ');
