// The `hybridflow` command line.
import { Command } from 'commander';
import { registerCloneCommand } from './commands/clone';
import { registerFlowsCommands } from './commands/flows';
import { registerVendorsCommands } from './commands/vendors';
import { devCommand } from './commands/dev';
import { engineCommand } from './commands/engine';
import { serverCommand } from './commands/server';
import { temporalCommand } from './commands/temporal';
import { vendorDemoCommand } from './commands/vendor-demo';
import { workerCommand } from './commands/worker';

const program = new Command('hybridflow').description('Hybrid oVirt + vendor operations as durable Temporal workflows');
program.command('dev').description('run the whole stack on embedded defaults (= npm start)').action(devCommand);
program
  .command('temporal')
  .description('run only the Temporal dev server')
  .option('--cluster', 'run a real Temporal server on a PostgreSQL of its own instead (data under HF_DATA_DIR)')
  .option('--tls', 'with --cluster: the frontend requires mTLS (certificates generated under HF_DATA_DIR/tls)')
  .action(temporalCommand);
program.command('engine').description('run only the built-in oVirt-compatible engine').action(engineCommand);
program.command('worker').description('run only the Temporal worker').action(workerCommand);
program.command('server').description('run only the API server and web UI').action(serverCommand);
program
  .command('vendor-demo')
  .description('run only the simulated storage vendor acme-storage')
  .action(vendorDemoCommand);
// Commands that call the API server: clone, flows start|list|show|cancel, vendors.
registerCloneCommand(program);
registerFlowsCommands(program);
registerVendorsCommands(program);
program.parseAsync().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
