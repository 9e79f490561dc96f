// Starts ONE real Temporal dev server for the whole test run, found the same way `hybridflow temporal` finds it.
// Test files reach it through TEMPORAL_TEST_ADDRESS and isolate themselves with their own task queues.
import { startDevServer, type RunningDevServer } from '../cli/temporal-server';
import { isPortFree } from '../cli/ports';

declare global {
  var __TEMPORAL_DEV_SERVER__: RunningDevServer | undefined;
}

async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    if ((await isPortFree(port)) && (await isPortFree(port + 1000))) return port;
  }
}

export default async function globalSetup(): Promise<void> {
  const server = await startDevServer({ port: await freePort(), log: (line) => console.log(`\n[global-setup] ${line}`) });
  globalThis.__TEMPORAL_DEV_SERVER__ = server;
  process.env.TEMPORAL_TEST_ADDRESS = server.address;
}
