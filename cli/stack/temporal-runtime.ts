// The Temporal Runtime of a worker process: warnings only on the console, and no signal handlers of its own,
// because runComponent decides when to stop.
import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;
export function installRuntime(level: 'WARN' | 'ERROR' = 'WARN'): void {
  if (installed) return;
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: { logging: { filter: { core: level, other: 'ERROR' } } },
    shutdownSignals: [],
  });
  installed = true;
}
