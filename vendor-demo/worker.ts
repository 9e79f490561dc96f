// The demo vendor's Temporal worker: polls the vendor's task queue and runs its activities.
import type { Duration } from '@temporalio/common';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { vendorTaskQueue } from '../common/vendor-contract';
import { createAcmeActivities, VENDOR_ID, type AcmeOptions } from './activities';

export function createVendorWorker(
  opts: {
    connection: NativeConnection;
    namespace: string;
    queuePrefix: string;
    /** On shutdown, how long a running clone may go on before it is cancelled. @default the SDK's (0) */
    shutdownGraceTime?: Duration;
  } & AcmeOptions,
) {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: vendorTaskQueue(opts.queuePrefix, VENDOR_ID),
    activities: createAcmeActivities(opts),
    ...(opts.shutdownGraceTime ? { shutdownGraceTime: opts.shutdownGraceTime } : {}), // undefined is not "unset"
    // Heartbeats carry the progress that admins watch; send them at least every second instead of the SDK's
    // default throttle (0.8 x the heartbeat timeout, 24 s here), or a clone would look frozen until it ends.
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
  });
}
