// Starts ONE real Temporal dev server for the whole test run, found the same way `hybridflow temporal` finds it.
// Test files reach it through TEMPORAL_TEST_ADDRESS and isolate themselves with their own task queues.
import { startDevServer, type RunningDevServer } from '../cli/stack/temporal-server';
import { freePort } from './helpers/ports';

declare global {
  var __TEMPORAL_DEV_SERVER__: RunningDevServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const server = await startDevServer({
    port: await freePort(),
    log: (line) => console.log(`\n[global-setup] ${line}`),
  });
  globalThis.__TEMPORAL_DEV_SERVER__ = server;
  process.env.TEMPORAL_TEST_ADDRESS = server.address;
}
