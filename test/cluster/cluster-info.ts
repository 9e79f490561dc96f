// What global-setup.ts publishes about the run's Temporal cluster, and the variables a hybridflow process needs to
// use it.
import fs from 'node:fs';
import type { ClusterTls } from '../../cli/stack/temporal-cluster';

export interface ClusterInfo {
  address: string;
  namespace: string;
  databaseUrl: string;
  tls: ClusterTls;
  serverKey: string;
  dataDir: string;
}

export function clusterInfo(): ClusterInfo {
  const file = process.env.HF_TEST_CLUSTER;
  if (!file) throw new Error('HF_TEST_CLUSTER is unset: run these tests with `npm run test:production`');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ClusterInfo;
}

/** TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_* (the client certificate), DATABASE_URL, HF_SERVER_KEY. */
export function clusterEnv(info: ClusterInfo = clusterInfo()): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: info.address,
    TEMPORAL_NAMESPACE: info.namespace,
    TEMPORAL_TLS: 'true',
    TEMPORAL_TLS_CA_FILE: info.tls.caFile,
    TEMPORAL_TLS_CERT_FILE: info.tls.clientCertFile,
    TEMPORAL_TLS_KEY_FILE: info.tls.clientKeyFile,
    TEMPORAL_TLS_SERVER_NAME: info.tls.serverName,
    DATABASE_URL: info.databaseUrl,
    HF_SERVER_KEY: info.serverKey,
  };
}
