// A vendor's activities as its registration says to call them: on its task queue, with its timeouts and retry
// policy, the flow's defaults where it registered none. No limit on waiting for the vendor's worker to start
// (scheduleToStart): a vendor may start late; once it works it must heartbeat.
import { proxyActivities, type ActivityInterfaceFor, type ActivityOptions } from '@temporalio/workflow';
import type { ResolvedVendor, VendorActivities } from '../common/vendor-contract';

type Defaults = Required<Pick<ActivityOptions, 'startToCloseTimeout' | 'heartbeatTimeout'>> & {
  retry: NonNullable<ActivityOptions['retry']>;
};

export function vendorActivities(vendor: ResolvedVendor, defaults: Defaults): ActivityInterfaceFor<VendorActivities> {
  const proxy = <K extends keyof VendorActivities>(name: K): ActivityInterfaceFor<VendorActivities>[K] => {
    const own = vendor.activities[name] ?? {};
    return proxyActivities<VendorActivities>({
      taskQueue: vendor.taskQueue,
      startToCloseTimeout: own.startToCloseTimeout ?? defaults.startToCloseTimeout,
      heartbeatTimeout: own.heartbeatTimeout ?? defaults.heartbeatTimeout,
      // A 404 from the array (no such domain or image) will not get better with retries.
      retry: { ...defaults.retry, ...own.retry, nonRetryableErrorTypes: ['VendorNotFound'] },
    })[name];
  };
  return {
    checkCloneable: proxy('checkCloneable'),
    cloneDisk: proxy('cloneDisk'),
    updateDiskMetadata: proxy('updateDiskMetadata'),
    deleteImage: proxy('deleteImage'),
  };
}
