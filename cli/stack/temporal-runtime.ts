// The Temporal Runtime of a worker process: warnings only, written as JSON lines through the process's logger (else
// the SDK's console logger), the SDK's own metrics on a Prometheus endpoint when asked, and no signal handlers of
// its own, because runComponent decides when to stop. Installed once per process (the tests share one).
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporalLogger, type Logger } from '../../common/log';

export interface RuntimeOptions {
  /** The process's logger; the SDK's lines go through it at `level` and above. @default the SDK's console logger */
  log?: Logger;
  /** `host:port` where the SDK serves its metrics (`temporal_*`) for Prometheus. @default none */
  metricsBindAddress?: string;
}

let installed = false;
export function installRuntime(level: 'WARN' | 'ERROR' = 'WARN', opts: RuntimeOptions = {}): void {
  if (installed) return;
  Runtime.install({
    logger: opts.log
      ? temporalLogger(opts.log.child({}, { level: level === 'WARN' ? 'warn' : 'error' }))
      : new DefaultLogger(level),
    telemetryOptions: {
      logging: { filter: { core: level, other: 'ERROR' } },
      ...(opts.metricsBindAddress
        ? { metrics: { prometheus: { bindAddress: opts.metricsBindAddress, useSecondsForDurations: true } } }
        : {}),
    },
    shutdownSignals: [],
  });
  installed = true;
}
