// Secrets the dev stack generates on first start and keeps in HF_DATA_DIR, so that restarts keep them
// and other processes (the CLI, tests) can read them.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

/** Where a secret came from: its variable, its file, or generated just now into its file. */
export type SecretSource = { from: 'variable'; variable: string } | { from: 'file' | 'generated'; file: string };

function readOrCreate(dataDir: string, name: string): { secret: string; source: SecretSource } {
  const file = path.join(dataDir, name);
  try {
    return { secret: fs.readFileSync(file, 'utf8').trim(), source: { from: 'file', file } };
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(24).toString('base64url');
    fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
    return { secret, source: { from: 'generated', file } };
  }
}

/** The operator token of the API server: HF_API_TOKEN, else `$HF_DATA_DIR/api-token` (created if missing). */
export function apiTokenWithSource(config: Config): { secret: string; source: SecretSource } {
  if (config.HF_API_TOKEN)
    return { secret: config.HF_API_TOKEN, source: { from: 'variable', variable: 'HF_API_TOKEN' } };
  return readOrCreate(config.HF_DATA_DIR, 'api-token');
}
export const apiToken = (config: Config) => apiTokenWithSource(config).secret;

/** The key that seals secrets in the server database: HF_SERVER_KEY, else `$HF_DATA_DIR/server-key`. */
export const serverKey = (config: Config) =>
  config.HF_SERVER_KEY ?? readOrCreate(config.HF_DATA_DIR, 'server-key').secret;

/** The built-in engine's admin password: OVIRT_PASSWORD, else `$HF_DATA_DIR/engine-password` (created if missing). */
export function enginePasswordWithSource(config: Config): { secret: string; source: SecretSource } {
  if (config.OVIRT_PASSWORD)
    return { secret: config.OVIRT_PASSWORD, source: { from: 'variable', variable: 'OVIRT_PASSWORD' } };
  return readOrCreate(config.HF_DATA_DIR, 'engine-password');
}

/** Where the oVirt engine is: OVIRT_URL, else the built-in engine with its generated password. */
export function engineEndpoint(config: Config) {
  const builtIn = !config.OVIRT_URL;
  return {
    builtIn,
    url: config.OVIRT_URL ?? `http://127.0.0.1:${config.HF_ENGINE_PORT}/ovirt-engine/api`,
    user: config.OVIRT_USER,
    password: config.OVIRT_PASSWORD ?? (builtIn ? enginePasswordWithSource(config).secret : ''),
    caFile: config.OVIRT_CA_FILE,
    insecure: config.OVIRT_INSECURE,
  };
}
