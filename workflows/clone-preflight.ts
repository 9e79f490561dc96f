// Clone preflight: the first hybrid flow. It reads the source VM over oVirt REST, then asks the storage vendor,
// on the vendor's own task queue, whether the array can clone its disks. Both steps are mirrored as one engine job.
import { proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { VmSummary } from '../activities/vms';
import { OvirtVmId } from '../common/search-attributes';
import type { CheckCloneableResult, ResolvedVendor } from '../common/vendor-contract';
import { FINAL_OVIRT_ERRORS } from '../ovirt/errors';
import { MirroredJob } from './mirrored-job';
import { vendorActivities } from './vendor-calls';

export interface ClonePreflightInput {
  /** Name of the source VM (as the API resolved it). */
  sourceVm: string;
  /** Its id, when the API resolved it: the flow reads exactly that VM. */
  sourceVmId?: string;
  vendor: string;
  /** The vendor's registration as the API resolved it at the start. */
  vendorRegistration: ResolvedVendor;
}
export interface ClonePreflightResult {
  vm: VmSummary;
  report: CheckCloneableResult;
  cloneable: boolean;
}

// A quick oVirt read: bad requests and unknown VMs fail at once, anything else is retried with backoff for up to
// 10 minutes (an engine outage is waited out).
const ovirt = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: FINAL_OVIRT_ERRORS },
});

export async function clonePreflight(input: ClonePreflightInput): Promise<ClonePreflightResult> {
  const vendor = vendorActivities(input.vendorRegistration, {
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
  });
  const job = await MirroredJob.open(`Clone preflight of ${input.sourceVm} with ${input.vendor}`);
  try {
    setCurrentDetails(`**Step 1/2**: reading VM ${input.sourceVm}`);
    const vm = await job.step(`Read VM ${input.sourceVm} and its disks`, 'ovirt', ovirt.readVm, {
      vm: input.sourceVmId ?? input.sourceVm,
    });
    const disks = vm.disks.map(({ id, name, sizeBytes, storageDomainId }) => ({
      id,
      name,
      sizeBytes,
      storageDomainId,
    }));
    upsertSearchAttributes([{ key: OvirtVmId, value: vm.id }]);
    setCurrentDetails(`**Step 2/2**: ${input.vendor} checks the disks of ${vm.name}`);
    const report = await job.step(
      `${input.vendor}: check that the disks of ${vm.name} can be cloned`,
      'external',
      vendor.checkCloneable,
      {
        vmId: vm.id,
        vmName: vm.name,
        disks,
      },
    );
    const cloneable = report.volumes.every((v) => v.cloneable);
    await job.end(true);
    setCurrentDetails(cloneable ? `${vm.name} can be cloned` : `${vm.name} cannot be cloned`);
    return { vm, report, cloneable };
  } catch (err) {
    await job.end(false);
    throw err;
  }
}
