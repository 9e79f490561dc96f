// The Temporal server every component talks to: TEMPORAL_ADDRESS, else the local dev server on TEMPORAL_PORT;
// with TLS (and a client certificate, or Temporal Cloud's API key) when configured.
import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from '../../common/config';

export const temporalAddress = (config: Config) => config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;

/** The Web UI: TEMPORAL_UI_URL, else the dev server's own UI when we run it. */
export const temporalUiUrl = (config: Config) =>
  config.TEMPORAL_UI_URL ?? (config.TEMPORAL_ADDRESS ? undefined : `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`);

/** What both `Connection.connect` (clients) and `NativeConnection.connect` (workers) take. */
export interface TemporalConnectionOptions {
  address: string;
  /** Absent: plaintext. */
  tls?: TLSConfig;
  /** Sent as `authorization: Bearer <key>`. */
  apiKey?: string;
}

/** A TLS file named by a variable could not be read. */
export class TemporalTlsFileError extends Error {
  constructor(
    readonly variable: string,
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`${variable}: cannot read ${file} (${(cause as Error).message})`);
    this.name = 'TemporalTlsFileError';
  }
}

/**
 * TLS is on with TEMPORAL_TLS, TEMPORAL_API_KEY (Temporal Cloud) or any TEMPORAL_TLS_* file; without a CA file the
 * system's trust store checks the server.
 */
export function temporalConnectionOptions(config: Config): TemporalConnectionOptions {
  const address = temporalAddress(config);
  const apiKey = config.TEMPORAL_API_KEY;
  const tlsOn =
    config.TEMPORAL_TLS ||
    Boolean(apiKey || config.TEMPORAL_TLS_CA_FILE || config.TEMPORAL_TLS_CERT_FILE || config.TEMPORAL_TLS_KEY_FILE);
  if (!tlsOn) return { address };
  const read = (variable: 'TEMPORAL_TLS_CA_FILE' | 'TEMPORAL_TLS_CERT_FILE' | 'TEMPORAL_TLS_KEY_FILE') => {
    const file = config[variable];
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new TemporalTlsFileError(variable, file, err);
    }
  };
  const ca = read('TEMPORAL_TLS_CA_FILE');
  const crt = read('TEMPORAL_TLS_CERT_FILE');
  const key = read('TEMPORAL_TLS_KEY_FILE');
  const tls: TLSConfig = {
    ...(ca && { serverRootCACertificate: ca }),
    ...(crt && key && { clientCertPair: { crt, key } }),
    ...(config.TEMPORAL_TLS_SERVER_NAME && { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME }),
  };
  return { address, tls, ...(apiKey && { apiKey }) };
}
