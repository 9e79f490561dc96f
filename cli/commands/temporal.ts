// `hybridflow temporal`: only the Temporal dev server, with the project's search attributes registered; with
// `--cluster`, a real Temporal server on a PostgreSQL of its own (cli/stack/temporal-cluster.ts).
import path from 'node:path';
import { loadConfig, type Config } from '../../common/config';
import { runComponent, type Started } from '../stack/component';
import { checkPortsFree } from '../stack/ports';
import { startTemporalCluster } from '../stack/temporal-cluster';
import { startDevServer } from '../stack/temporal-server';

export interface TemporalCommandOptions {
  cluster?: boolean;
  tls?: boolean;
}

export const temporalCommand = (opts: TemporalCommandOptions = {}) =>
  runComponent('temporal', async () => {
    const config = loadConfig();
    if (opts.tls && !opts.cluster) throw new Error('--tls works with --cluster only');
    return opts.cluster ? startCluster(config, Boolean(opts.tls)) : startDev(config);
  });

async function startDev(config: Config): Promise<Started> {
  await checkPortsFree({ TEMPORAL_PORT: config.TEMPORAL_PORT, TEMPORAL_UI_PORT: config.TEMPORAL_UI_PORT });
  const server = await startDevServer({
    port: config.TEMPORAL_PORT,
    uiPort: config.TEMPORAL_UI_PORT,
    dbFile: path.join(config.HF_DATA_DIR, 'temporal.db'),
    namespace: config.TEMPORAL_NAMESPACE,
  });
  return {
    urls: [
      `Temporal server:  ${server.address} (namespace ${config.TEMPORAL_NAMESPACE}; CLI from ${server.source})`,
      `Temporal UI:      ${server.uiUrl}`,
    ],
    stop: server.stop,
  };
}

async function startCluster(config: Config, tls: boolean): Promise<Started> {
  await checkPortsFree({ TEMPORAL_PORT: config.TEMPORAL_PORT });
  const cluster = await startTemporalCluster({
    dataDir: config.HF_DATA_DIR,
    port: config.TEMPORAL_PORT,
    namespace: config.TEMPORAL_NAMESPACE,
    tls,
  });
  const urls = [
    `Temporal server:  ${cluster.address} (namespace ${cluster.namespace}; a real cluster, log ${cluster.logFile})`,
    `DATABASE_URL=${cluster.databaseUrl}`,
  ];
  if (cluster.tls) {
    urls.push(
      'TEMPORAL_TLS=true',
      `TEMPORAL_TLS_CA_FILE=${cluster.tls.caFile}`,
      `TEMPORAL_TLS_CERT_FILE=${cluster.tls.clientCertFile}`,
      `TEMPORAL_TLS_KEY_FILE=${cluster.tls.clientKeyFile}`,
      `TEMPORAL_TLS_SERVER_NAME=${cluster.tls.serverName}`,
    );
  }
  return { urls, stop: cluster.stop };
}
