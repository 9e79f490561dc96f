// `hybridflow vendor-demo`: the simulated storage vendor acme-storage, serving its own task queue.
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../../common/config';
import { engineEndpoint } from '../../common/secrets';
import { createStorageArray } from '../../vendor-demo/storage-array';
import { createVendorWorker } from '../../vendor-demo/worker';
import { runComponent } from '../stack/component';
import { temporalConnectionOptions } from '../stack/temporal-connection';
import { installRuntime } from '../stack/temporal-runtime';
import { createLogger } from '../../common/log';

export const vendorDemoCommand = () =>
  runComponent('vendor-demo', async () => {
    const config = loadConfig();
    installRuntime('WARN', { log: createLogger('vendor-demo', { level: config.HF_LOG_LEVEL }) });
    const connection = await NativeConnection.connect(temporalConnectionOptions(config));
    // The demo's "storage array" is the built-in engine's storage-side hook.
    const engine = engineEndpoint(config);
    const array = createStorageArray({
      engineUrl: new URL(engine.url).origin,
      user: engine.user,
      password: engine.password,
    });
    const worker = await createVendorWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      queuePrefix: config.HF_TASK_QUEUE,
      array,
      cloneMs: config.HF_DEMO_CLONE_MS,
      shutdownGraceTime: config.HF_SHUTDOWN_GRACE,
    });
    const running = worker.run();
    return {
      urls: [`Vendor (demo):    acme-storage polling task queue ${worker.options.taskQueue}`],
      stop: async () => {
        worker.shutdown();
        await running;
        await connection.close();
      },
    };
  });
