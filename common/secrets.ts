// Secrets the dev stack generates on first start and keeps in HF_DATA_DIR, so that restarts keep them
// and other processes (the CLI, tests) can read them.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

function readOrCreate(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(24).toString('base64url');
    fs.writeFileSync(file, secret + '\n', { mode: 0o600 });
    return secret;
  }
}

/** The operator token of the API server: HF_API_TOKEN, else `$HF_DATA_DIR/api-token` (created if missing). */
export const apiToken = (config: Config) => config.HF_API_TOKEN ?? readOrCreate(config.HF_DATA_DIR, 'api-token');

/** Where the oVirt engine is: OVIRT_URL, else the built-in engine with its generated password. */
export function engineEndpoint(config: Config) {
  const builtIn = !config.OVIRT_URL;
  return {
    builtIn,
    url: config.OVIRT_URL ?? `http://127.0.0.1:${config.HF_ENGINE_PORT}/ovirt-engine/api`,
    user: config.OVIRT_USER,
    password: config.OVIRT_PASSWORD ?? (builtIn ? readOrCreate(config.HF_DATA_DIR, 'engine-password') : ''),
    caFile: config.OVIRT_CA_FILE,
    insecure: config.OVIRT_INSECURE,
  };
}
