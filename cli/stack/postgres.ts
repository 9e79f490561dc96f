// A PostgreSQL of our own (Debian's postgresql-15 binaries) in a data folder, on 127.0.0.1 only, with a generated
// password. Used by the real Temporal cluster (temporal-cluster.ts) for Temporal's databases and hybridflow's own.
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { pollUntil } from '../../common/poll';

const execFileAsync = promisify(execFile);

/** Debian's postgresql-15 package. */
export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';
/** The superuser initdb creates; also the OS user the server runs as when we are root. */
const SUPERUSER = 'postgres';
/** Kept next to the cluster's files so a restart on the same folder finds the password again. */
const PASSWORD_FILE = 'hybridflow-password';
const START_TIMEOUT_MS = 60_000;

export interface PostgresOptions {
  /** The cluster's data folder; initialised on first use, reused afterwards. */
  dataDir: string;
  /** A free port on 127.0.0.1. */
  port: number;
  /** @default POSTGRES_BIN_DIR */
  binDir?: string;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` (the maintenance database). */
  url: string;
  port: number;
  user: string;
  password: string;
  /** Creates the database unless it exists; answers its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m fast`; safe to call twice. */
  stop(): Promise<void>;
}

/** PostgreSQL could not be started; the message says why (with the server's last log lines). */
export class PostgresStartError extends Error {
  constructor(
    message: string,
    readonly dataDir: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'PostgresStartError';
  }
}

const isRoot = () => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, every binary runs as the `postgres` user. */
function asServerUser(binary: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', SUPERUSER, '--', binary, ...args]] : [binary, args];
}

export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  const log = opts.log ?? console.log;
  const binDir = opts.binDir ?? POSTGRES_BIN_DIR;
  const dataDir = path.resolve(opts.dataDir);
  if (!fs.existsSync(path.join(binDir, 'initdb'))) {
    throw new PostgresStartError(
      `PostgreSQL 15 was not found in ${binDir} (install Debian's postgresql-15: apt-get install postgresql-15)`,
      dataDir,
    );
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (isRoot()) await handToServerUser(dataDir);
  const password = fs.existsSync(path.join(dataDir, 'PG_VERSION'))
    ? readPassword(dataDir)
    : await initialise(binDir, dataDir, log);

  // The server is our child (not pg_ctl's daemon) so that the parent death signal reaches it: if we die, even by
  // SIGKILL, it gets SIGINT (a fast shutdown) instead of holding the folder and the port.
  const serverArgs = [
    '-D',
    dataDir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `port=${opts.port}`,
    '-c',
    'unix_socket_directories=',
    '-c',
    'max_connections=300', // Temporal's four services pool up to ~90 connections, the API servers a few more
  ];
  const pdeath = ['--pdeathsig', 'SIGINT'];
  const setprivArgs = isRoot() ? [`--reuid=${SUPERUSER}`, `--regid=${SUPERUSER}`, '--init-groups', ...pdeath] : pdeath;
  const child = spawn('setpriv', [...setprivArgs, '--', path.join(binDir, 'postgres'), ...serverArgs], {
    cwd: '/',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  child.once('error', (err) => (stderr += `\n${err.message}`));

  const baseUrl = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}`;
  const urlOf = (database: string) => `${baseUrl}/${database}`;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (exitCode !== undefined) return;
      const [cmd, args] = asServerUser(path.join(binDir, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'fast', '-w']);
      try {
        await execFileAsync(cmd, args, { cwd: '/', timeout: 30_000 });
      } catch {
        child.kill('SIGINT'); // pg_ctl failed (e.g. the pid file is gone): signal the server ourselves
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    })());

  try {
    await pollUntil(
      async () => {
        if (exitCode !== undefined) {
          throw new PostgresStartError(
            `PostgreSQL exited (code ${exitCode}) while starting in ${dataDir}: ${lastLines(stderr)}`,
            dataDir,
          );
        }
        return (await canConnect(urlOf('postgres'))) || undefined;
      },
      {
        what: `PostgreSQL on port ${opts.port}`,
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 200,
        timeoutError: (message) => new PostgresStartError(`${message}: ${lastLines(stderr)}`, dataDir),
      },
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url: urlOf('postgres'),
    port: opts.port,
    user: SUPERUSER,
    password,
    stop,
    async createDatabase(name) {
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const client = new pg.Client({ connectionString: urlOf('postgres') });
      await client.connect();
      try {
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (found.rowCount === 0) {
          try {
            await client.query(`CREATE DATABASE "${name}"`);
          } catch (err) {
            if ((err as { code?: string }).code !== '42P04') throw err; // 42P04: created meanwhile by someone else
          }
        }
      } finally {
        await client.end();
      }
      return urlOf(name);
    },
  };
}

/** initdb with a generated superuser password; answers the password. */
async function initialise(binDir: string, dataDir: string, log: (line: string) => void): Promise<string> {
  log(`Initialising a PostgreSQL cluster in ${dataDir} ...`);
  const password = crypto.randomBytes(24).toString('base64url');
  // initdb reads the password from a file the server user can read; it lives only for the call.
  const pwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hybridflow-pw-'));
  const pwFile = path.join(pwDir, 'pw');
  fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (isRoot()) {
      fs.chmodSync(pwDir, 0o711);
      const { uid, gid } = serverUser();
      fs.chownSync(pwFile, uid, gid);
    }
    const [cmd, args] = asServerUser(path.join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      `--pwfile=${pwFile}`,
      '--auth-host=scram-sha-256',
      '--auth-local=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
    ]);
    await execFileAsync(cmd, args, { cwd: '/', timeout: 120_000 });
  } catch (err) {
    const output = (err as { stderr?: string }).stderr ?? (err as Error).message;
    throw new PostgresStartError(`initdb failed in ${dataDir}: ${lastLines(output)}`, dataDir, err);
  } finally {
    fs.rmSync(pwDir, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(dataDir, PASSWORD_FILE), password, { mode: 0o600 });
  return password;
}

function readPassword(dataDir: string): string {
  try {
    return fs.readFileSync(path.join(dataDir, PASSWORD_FILE), 'utf8').trim();
  } catch (err) {
    throw new PostgresStartError(
      `${dataDir} holds a PostgreSQL cluster that hybridflow did not create (no ${PASSWORD_FILE} in it); choose another folder`,
      dataDir,
      err,
    );
  }
}

function serverUser(): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${SUPERUSER}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new Error(`running as root, but there is no '${SUPERUSER}' user to run PostgreSQL as`);
  return { uid: Number(uid), gid: Number(gid) };
}

/** As root: the folder belongs to the server user, who must also be able to reach it. */
async function handToServerUser(dataDir: string): Promise<void> {
  const { uid, gid } = serverUser();
  const stat = fs.statSync(dataDir);
  if (stat.uid !== uid) fs.chownSync(dataDir, uid, gid);
  try {
    await execFileAsync('runuser', ['-u', SUPERUSER, '--', 'test', '-w', dataDir, '-a', '-x', dataDir], { cwd: '/' });
  } catch (err) {
    throw new PostgresStartError(
      `the '${SUPERUSER}' user cannot reach ${dataDir} (a parent folder is closed to other users); choose a data folder below world-searchable folders`,
      dataDir,
      err,
    );
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch (err) {
    // 28P01: the password is wrong, which waiting will not fix
    if ((err as { code?: string }).code === '28P01')
      throw new Error(`PostgreSQL refused the password: ${url.replace(/:[^:@]*@/, ':***@')}`, { cause: err });
    return false; // not accepting connections yet
  } finally {
    await client.end().catch(() => undefined);
  }
}

const lastLines = (text: string) => text.trim().split('\n').slice(-4).join(' | ');
