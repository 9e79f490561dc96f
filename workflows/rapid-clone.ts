// Rapid clone of a running VM, the flow hybridflow exists for: oVirt's steps and a storage vendor's steps in one
// durable workflow, mirrored as one engine job. If anything fails for good, or the flow is cancelled, every step
// already done is undone (newest first), so no VM or disk is left behind.
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { VmDisk } from '../activities/vms';
import { rootCause } from '../common/errors';
import { OvirtVmId } from '../common/search-attributes';
import type { ResolvedVendor } from '../common/vendor-contract';
import { FINAL_OVIRT_ERRORS } from '../ovirt/errors';
import { Compensations } from './compensations';
import { MirroredJob } from './mirrored-job';
import { vendorActivities } from './vendor-calls';

export interface RapidCloneInput {
  /** Name of the source VM (as the API resolved it: what the flow's descriptions say). */
  sourceVm: string;
  /** Its id, when the API resolved it: the flow acts on exactly that VM. */
  sourceVmId?: string;
  cloneName: string;
  vendor: string;
  /** The vendor's registration as the API resolved it at the start (task queue, timeouts, retry per activity). */
  vendorRegistration: ResolvedVendor;
  /** Start the source VM again afterwards if it was up. @default true */
  restartSource?: boolean;
  /** Start the clone once it is built. @default false */
  startClone?: boolean;
}

export interface RapidCloneResult {
  sourceVmId: string;
  cloneVmId: string;
  cloneName: string;
  diskIds: string[];
}

// Retries are bounded by time, not by count: an engine that is down, slow or answering 409/5xx is waited out for
// up to 10 minutes per call (an hour for the long waits), since failing a clone half-way would need that same
// engine to undo it. 400/404 answers are final at once.

// Reads and small writes: quick, retried with backoff (409 conflicts usually clear).
const quick = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: FINAL_OVIRT_ERRORS },
});

// Actions that wait for oVirt's asynchronous work (VM down/up, merges, registration): the wait heartbeats on every
// poll, so a worker that dies is noticed within the heartbeat timeout and the action resumes elsewhere.
const waiting = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  scheduleToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: FINAL_OVIRT_ERRORS },
});

const diskSuffix = (disk: VmDisk, index: number) => /_Disk\d+$/.exec(disk.name)?.[0] ?? `_Disk${index + 1}`;

export async function rapidClone(input: RapidCloneInput): Promise<RapidCloneResult> {
  const restartSource = input.restartSource ?? true;
  // Vendor steps run on the vendor's own task queue, served by the vendor's worker in any language.
  const vendor = vendorActivities(input.vendorRegistration, {
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
  });
  const job = await MirroredJob.open(`Rapid clone of ${input.sourceVm} as ${input.cloneName}`);
  const undo = new Compensations();
  const current = (text: string) =>
    setCurrentDetails(`**${text}**\n\nRapid clone of ${input.sourceVm} as ${input.cloneName} (${input.vendor})`);

  try {
    current('Reading the source VM');
    const source = await job.step(`Read VM ${input.sourceVm}`, 'ovirt', quick.readVm, {
      vm: input.sourceVmId ?? input.sourceVm,
    });
    upsertSearchAttributes([{ key: OvirtVmId, value: source.id }]);
    if (!source.disks.length)
      throw ApplicationFailure.nonRetryable(`VM ${source.name} has no disk to clone`, 'NothingToClone');
    const vm = { vmId: source.id, name: source.name };

    // Each undo is added before its step runs, and is safe when the step did nothing: a step cancelled or failed
    // half-way (the engine finished the shutdown, the array placed the image) is undone all the same.
    const wasRunning = source.status !== 'down';
    if (wasRunning) {
      current(`Shutting down ${source.name}`);
      undo.add(`Start VM ${source.name} again`, waiting.startVm, vm);
      await job.step(`Shut down VM ${source.name}`, 'ovirt', waiting.shutdownVm, vm);
    }

    current(`Merging the snapshots of ${source.name}`);
    await job.step(`Merge the snapshots of ${source.name} (coalesce its disks)`, 'ovirt', waiting.mergeSnapshots, {
      ...vm,
      diskIds: source.disks.map((d) => d.id),
    });

    const clones: { disk: VmDisk; diskId: string; name: string }[] = [];
    for (const [i, disk] of source.disks.entries()) {
      const storageDomainId = disk.storageDomainId;
      if (!storageDomainId)
        throw ApplicationFailure.nonRetryable(`Disk ${disk.name} has no storage domain`, 'NothingToClone');
      const name = `${input.cloneName}${diskSuffix(disk, i)}`;
      const image = { imageId: uuid4(), storageDomainId };
      current(`${input.vendor} clones disk ${disk.name}`);
      // The array may have placed the image even if the clone did not succeed; but a vendor whose worker never took
      // the clone has nothing to undo (and no worker to undo it with).
      const cloneId = `clone-disk-${i + 1}`;
      let cloned = false;
      undo.addIf(
        async () => cloned || (await quick.vendorTookTask({ activityId: cloneId })),
        `delete the cloned image ${name} on the array`,
        vendor.deleteImage,
        image,
      );
      await job.external(`${input.vendor}: clone disk ${disk.name} as ${name}`, cloneId, vendor.cloneDisk, {
        ...image,
        name,
        sourceDisk: { id: disk.id, name: disk.name, sizeBytes: disk.sizeBytes, storageDomainId },
      });
      cloned = true;
      await job.external(
        `${input.vendor}: write the metadata of ${name} in its storage domain`,
        `disk-metadata-${i + 1}`,
        vendor.updateDiskMetadata,
        {
          ...image,
          alias: name,
          description: `Clone of ${disk.name} (VM ${source.name})`,
        },
      );
      current(`Registering disk ${name}`);
      undo.add(`remove disk ${name}`, waiting.removeDisk, { diskId: image.imageId });
      await job.step(`Register disk ${name}`, 'ovirt', waiting.registerDisk, {
        storageDomainId,
        diskId: image.imageId,
      });
      clones.push({ disk, diskId: image.imageId, name });
    }

    current(`Creating VM ${input.cloneName}`);
    // The new VM is known by its name and this flow's marker until it exists, so its undo needs no id.
    const made = { name: input.cloneName, marker: workflowInfo().workflowId };
    undo.add(`remove VM ${input.cloneName}`, waiting.removeVmMade, made);
    const { vmId: cloneVmId } = await job.step(
      `Create VM ${input.cloneName} from the configuration of ${source.name}`,
      'ovirt',
      waiting.createVm,
      { ...made, source },
    );
    const clone = { vmId: cloneVmId, name: input.cloneName };

    for (const c of clones) {
      await job.step(`Attach disk ${c.name} to VM ${input.cloneName}`, 'ovirt', quick.attachDisk, {
        vmId: cloneVmId,
        diskId: c.diskId,
        interface: c.disk.interface,
        bootable: c.disk.bootable,
      });
    }

    if (wasRunning && restartSource) {
      current(`Starting ${source.name} again`);
      await job.step(`Start VM ${source.name} again`, 'ovirt', waiting.startVm, vm);
    }
    if (input.startClone) {
      current(`Starting ${input.cloneName}`);
      await job.step(`Start VM ${input.cloneName}`, 'ovirt', waiting.startVm, clone);
    }
    await job.end(true);
    current(`Done: ${input.cloneName} is ready`);
    return { sourceVmId: source.id, cloneVmId, cloneName: input.cloneName, diskIds: clones.map((c) => c.diskId) };
  } catch (err) {
    const reason = isCancellation(err) ? 'cancelled' : rootMessage(err);
    // Undo must run even though the flow was cancelled.
    const failedUndos = await CancellationScope.nonCancellable(async () => {
      current(`Failed (${reason}); undoing the steps done`);
      await job.fail(reason);
      const failed = await undo.runAll(job);
      await job.end(false);
      return failed;
    });
    current(`Failed: ${reason}`);
    if (isCancellation(err)) throw err;
    const leftover = failedUndos.length
      ? ` Some undo steps failed and need a look: ${failedUndos.join('; ')}.`
      : ' Every step done was undone.';
    // The original failure goes along as the cause, so the Temporal UI and the API show the whole chain.
    throw ApplicationFailure.create({
      message: `Rapid clone of ${input.sourceVm} as ${input.cloneName} failed: ${reason}.${leftover}`,
      type: 'RapidCloneFailed',
      nonRetryable: true,
      details: [{ reason, failedUndos }],
      cause: err instanceof Error ? err : undefined,
    });
  }
}

/** The innermost message of a failure chain: the one that says what went wrong. */
function rootMessage(err: unknown): string {
  const root = rootCause(err);
  return root instanceof Error ? root.message : String(root);
}
