// A vendor's activities as its registration says to call them, with its timeouts and retry policy (the flow's
// defaults where it registered none): a temporal-mode vendor's on its own task queue, served by its worker (no limit
// on waiting for it to start); a webhook vendor's as deliveries by the main worker, completed through the vendor
// API. Either way the vendor must heartbeat while it works.
import {
  ActivityCancellationType,
  proxyActivities,
  type ActivityInterfaceFor,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { createVendorWebhookActivities } from '../activities/vendor-webhook';
import type { ResolvedVendor, VendorActivities } from '../common/vendor-contract';

/** Marks a vendor call whose progress the vendor API relays to the flow itself (a webhook vendor's). */
export const PROGRESS_RELAYED = Symbol('progressRelayed');

type WebhookActivities = ReturnType<typeof createVendorWebhookActivities>;

type Defaults = Required<Pick<ActivityOptions, 'startToCloseTimeout' | 'heartbeatTimeout'>> & {
  retry: NonNullable<ActivityOptions['retry']>;
};

export function vendorActivities(vendor: ResolvedVendor, defaults: Defaults): ActivityInterfaceFor<VendorActivities> {
  const options = (name: keyof VendorActivities): ActivityOptions => {
    const own = vendor.activities[name] ?? {};
    return {
      // A cancelled vendor step is waited for until the vendor has stopped (or its heartbeat timeout passed), so
      // the undo that follows never races a clone still placing its image.
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      startToCloseTimeout: own.startToCloseTimeout ?? defaults.startToCloseTimeout,
      heartbeatTimeout: own.heartbeatTimeout ?? defaults.heartbeatTimeout,
      // A 404 from the array (no such domain or image) will not get better with retries; nor a vendor's own
      // non-retryable failure.
      retry: { ...defaults.retry, ...own.retry, nonRetryableErrorTypes: ['VendorNotFound', 'VendorRejected'] },
    };
  };
  const proxy = <K extends keyof VendorActivities>(name: K): ActivityInterfaceFor<VendorActivities>[K] => {
    if (vendor.mode === 'temporal')
      return proxyActivities<VendorActivities>({ taskQueue: vendor.taskQueue, ...options(name) })[name];
    const deliver = proxyActivities<WebhookActivities>(options(name)).deliverVendorTask;
    const request = (input: unknown) => ({ vendorId: vendor.id, webhookUrl: vendor.webhookUrl, activity: name, input });
    // The same call shapes as a proxied activity (MirroredJob runs it with executeWithOptions). The vendor API
    // signals its progress to the flow, so MirroredJob needs no watcher for it.
    const call = ((input: unknown) => deliver(request(input))) as ActivityInterfaceFor<VendorActivities>[K];
    return Object.assign(call, {
      executeWithOptions: (opts: ActivityOptions, [input]: [unknown]) =>
        deliver.executeWithOptions(opts, [request(input)]),
      [PROGRESS_RELAYED]: true,
    });
  };
  return {
    checkCloneable: proxy('checkCloneable'),
    cloneDisk: proxy('cloneDisk'),
    updateDiskMetadata: proxy('updateDiskMetadata'),
    deleteImage: proxy('deleteImage'),
  };
}
