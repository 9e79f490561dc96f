// Where the API commands find the API (URL and token) and the command-line options they share: `clone` and
// `flows` both take --url/--token, name the API's request fields as their flags, and fail the same way.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../common/config';
import { ApiError, failureMessage, MissingTokenError } from './errors';

/** The flags every API command takes. */
export interface ApiFlags {
  url?: string;
  token?: string;
}

/** The API's options, shared by every command that calls it. */
export const withApiOptions = (command: Command) =>
  command
    .option('--url <url>', 'API server URL (default: HF_API_URL, else http://127.0.0.1:8080)')
    .option(
      '--token <token>',
      'API token (default: HF_API_TOKEN, else $HF_DATA_DIR/api-token written by `hybridflow dev`)',
    );

/** Runs a command's action: any failure becomes one plain message on stderr and exit code 1, never a stack trace. */
export function apiAction<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      process.stderr.write(failureMessage(err) + '\n');
      process.exitCode = 1;
    }
  };
}

// The request fields named as the CLI's flags, so a 400 reads in the user's terms.
const FLAG_OF_FIELD: Record<string, string> = {
  sourceVm: '--vm',
  cloneName: '--name',
  prefix: '--prefix',
  count: '--count',
  maxParallel: '--max-parallel',
  onFailure: '--on-failure',
  startClones: '--start-clone',
  vendor: '--vendor',
  restartSource: '--no-restart-source',
  startClone: '--start-clone',
  status: '--status',
  kind: '--kind',
  vm: '--vm',
  pageSize: '--page-size',
  pageToken: '--page-token',
};

/** A field of a refused request as the user typed it: "--vm (sourceVm)". */
export function fieldLabel(field: string): string {
  const name = field.replace(/^(body|query|path)\./, '');
  const flag = FLAG_OF_FIELD[name];
  return flag ? `${flag} (${name})` : name;
}

export interface ApiSettings {
  url: string;
  token: string;
  /** Where the token came from, for messages: "--token", "HF_API_TOKEN" or the token file. */
  tokenSource: string;
}

/**
 * The API URL and token: flags first, then HF_API_URL / HF_API_TOKEN, then the token file `hybridflow dev` writes in
 * HF_DATA_DIR. The file is only read, never created.
 */
export function resolveApiSettings(flags: ApiFlags, env: NodeJS.ProcessEnv = process.env): ApiSettings {
  const config = loadConfig(env);
  const url = (flags.url ?? config.HF_API_URL).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+/i.test(url))
    throw new ApiError(`--url must be an http(s) URL such as http://127.0.0.1:8080, not "${url}".`);
  if (flags.token) return { url, token: flags.token, tokenSource: '--token' };
  if (config.HF_API_TOKEN) return { url, token: config.HF_API_TOKEN, tokenSource: 'HF_API_TOKEN' };
  const tokenFile = path.join(config.HF_DATA_DIR, 'api-token');
  let token = '';
  try {
    token = fs.readFileSync(tokenFile, 'utf8').trim();
  } catch {
    // missing or unreadable: reported below
  }
  if (!token) throw new MissingTokenError(tokenFile);
  return { url, token, tokenSource: tokenFile };
}
