// Stops the cluster of global-setup.ts and removes its folder.
import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const running = globalThis.__TEMPORAL_CLUSTER__;
  if (!running) return;
  await running.cluster.stop();
  fs.rmSync(running.dataDir, { recursive: true, force: true });
}
