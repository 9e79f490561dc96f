// Test access to the run's shared Temporal dev server (started by global-setup.ts).
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { installRuntime } from '../../cli/stack/temporal-runtime';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../worker/interceptors';

export function temporalTestAddress(): string {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is unset: run the tests through jest (global-setup.ts)');
  return address;
}

/** A task queue of this test file alone. */
export const uniqueTaskQueue = (name: string) => `test-${name}-${randomUUID().slice(0, 8)}`;

export async function connectTemporal() {
  installRuntime('ERROR'); // expected failures in tests would flood the output
  const address = temporalTestAddress();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection }),
    nativeConnection,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

let bundle: Promise<WorkflowBundle> | undefined;
/** Workflow code bundled once per test file (suite). */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}
