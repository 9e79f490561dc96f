// Starts ONE real Temporal cluster (cli/stack/temporal-cluster.ts) with mTLS on its frontend for all of
// test/cluster/, under a temporary folder removed by global-teardown.ts. The first run on a machine builds the
// Temporal server from source (about 5 minutes, cached in ~/.cache/hybridflow/).
//
// Test files find the cluster through HF_TEST_CLUSTER: the path of a JSON file holding a `ClusterInfo`
// (test/cluster/cluster-info.ts reads it):
//   address      the frontend, 127.0.0.1:<port> (mTLS: a client certificate from the cluster's CA is required)
//   namespace    'default', with hybridflow's search attributes registered
//   databaseUrl  postgres://... of a `hybridflow` database on the cluster's PostgreSQL (for DATABASE_URL)
//   tls          { caFile, serverCertFile, serverKeyFile, clientCertFile, clientKeyFile, serverName: 'localhost' }
//   serverKey    an HF_SERVER_KEY for the run (processes sharing DATABASE_URL must share one)
//   dataDir      the temporary folder (the server's log is dataDir/temporal-cluster/server.log)
// `clusterEnv()` there turns it into the TEMPORAL_*, DATABASE_URL and HF_SERVER_KEY variables a hybridflow process
// takes.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTemporalCluster, type RunningCluster } from '../../cli/stack/temporal-cluster';
import type { ClusterInfo } from './cluster-info';

declare global {
  var __TEMPORAL_CLUSTER__: { cluster: RunningCluster; dataDir: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hybridflow-cluster-'));
  fs.chmodSync(dataDir, 0o755); // PostgreSQL runs as the `postgres` user when we are root; it must reach its folder
  const started = Date.now();
  const cluster = await startTemporalCluster({
    dataDir,
    tls: true,
    log: (line) => console.log(`\n[cluster global-setup] ${line}`),
  });
  console.log(`\n[cluster global-setup] Temporal cluster at ${cluster.address} in ${Date.now() - started} ms`);
  globalThis.__TEMPORAL_CLUSTER__ = { cluster, dataDir };
  const info: ClusterInfo = {
    address: cluster.address,
    namespace: cluster.namespace,
    databaseUrl: cluster.databaseUrl,
    tls: cluster.tls!,
    serverKey: randomBytes(32).toString('hex'),
    dataDir,
  };
  const file = path.join(dataDir, 'cluster.json');
  fs.writeFileSync(file, JSON.stringify(info, null, 2));
  process.env.HF_TEST_CLUSTER = file;
}
