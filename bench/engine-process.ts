// The engine under benchmark, in its own process so it does not share a core with the load generator.
// Prints `ready <url>` on stdout once it listens; stops on SIGTERM.
import { startEngine } from '../engine/start';

async function main(): Promise<void> {
  const [dataDir, password] = process.argv.slice(2);
  if (!dataDir || !password) throw new Error('usage: engine-process.ts <dataDir> <password>');
  const engine = await startEngine({ port: 0, dataDir, adminPassword: password });
  process.stdout.write(`ready ${engine.url}\n`);
  const stop = (): void => {
    engine.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
