// The demo vendor's Temporal worker: polls the vendor's task queue and runs its activities.
import { type NativeConnection, Worker } from '@temporalio/worker';
import { vendorTaskQueue } from '../common/vendor-contract';
import { createAcmeActivities, VENDOR_ID, type AcmeOptions } from './activities';

export function createVendorWorker(opts: { connection: NativeConnection; namespace: string; queuePrefix: string } & AcmeOptions) {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: vendorTaskQueue(opts.queuePrefix, VENDOR_ID),
    activities: createAcmeActivities(opts),
  });
}
