// The steps that build one clone of a VM whose disks are ready (source down, snapshots merged): for each disk the
// vendor clones it on the array and writes its metadata, oVirt registers it; then the VM is created and the disks
// attached. Shared by the rapid clone (one clone) and each member of a bulk clone. Every undo is added before its
// step runs, and is safe when the step did nothing.
import { ApplicationFailure, proxyActivities, upsertSearchAttributes, uuid4 } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { VmDetails, VmDisk } from '../activities/vms';
import { OvirtVmId } from '../common/search-attributes';
import type { ResolvedVendor } from '../common/vendor-contract';
import { FINAL_OVIRT_ERRORS } from '../ovirt/errors';
import type { Compensations } from './compensations';
import type { MirroredJob } from './mirrored-job';
import { vendorActivities } from './vendor-calls';

// Retries are bounded by time, not by count: an engine that is down, slow or answering 409/5xx is waited out for
// up to 10 minutes per call (an hour for the long waits), since failing a clone half-way would need that same
// engine to undo it. 400/404 answers are final at once.

/** Reads and small writes: quick, retried with backoff (409 conflicts usually clear). */
export const quick = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: FINAL_OVIRT_ERRORS },
});

/**
 * Actions that wait for oVirt's asynchronous work (VM down/up, merges, registration): the wait heartbeats on every
 * poll, so a worker that dies is noticed within the heartbeat timeout and the action resumes elsewhere.
 */
export const waiting = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  scheduleToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', nonRetryableErrorTypes: FINAL_OVIRT_ERRORS },
});

/** A vendor's activities as a clone calls them (its own timeouts and retries where it registered them). */
export const cloneVendor = (registration: ResolvedVendor) =>
  vendorActivities(registration, {
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
  });

/**
 * Readies the source for cloning: reads it (by id when the API resolved one), shuts it down if it runs (its start
 * again added to the undos first) and merges its snapshots. Answers it as read, and whether it was running.
 */
export async function readySource(
  job: MirroredJob,
  undo: Compensations,
  current: (text: string) => void,
  input: { sourceVm: string; sourceVmId?: string },
): Promise<{ source: VmDetails; vm: { vmId: string; name: string }; wasRunning: boolean }> {
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
  return { source, vm, wasRunning };
}

const diskSuffix = (disk: VmDisk, index: number) => /_Disk\d+$/.exec(disk.name)?.[0] ?? `_Disk${index + 1}`;

export interface CloneBuild {
  job: MirroredJob;
  undo: Compensations;
  /** The vendor's id (as the step descriptions name it) and registration. */
  vendor: string;
  vendorRegistration: ResolvedVendor;
  /** The source as read, down (or never up) and with its snapshots merged. */
  source: VmDetails;
  cloneName: string;
  /** Marks the new VM as made by this flow, so its undo needs no id (the workflow id). */
  marker: string;
  /** Tells what the flow is doing now (the Temporal UI's current details). */
  current: (text: string) => void;
}

/** Builds the clone; answers the new VM's id and its disks' ids. */
export async function buildClone(b: CloneBuild): Promise<{ cloneVmId: string; diskIds: string[] }> {
  const vendor = cloneVendor(b.vendorRegistration);
  const clones: { disk: VmDisk; diskId: string; name: string }[] = [];
  for (const [i, disk] of b.source.disks.entries()) {
    const storageDomainId = disk.storageDomainId;
    if (!storageDomainId)
      throw ApplicationFailure.nonRetryable(`Disk ${disk.name} has no storage domain`, 'NothingToClone');
    const name = `${b.cloneName}${diskSuffix(disk, i)}`;
    const image = { imageId: uuid4(), storageDomainId };
    b.current(`${b.vendor} clones disk ${disk.name}`);
    // The array may have placed the image even if the clone did not succeed; but a vendor whose worker never took
    // the clone has nothing to undo (and no worker to undo it with).
    const cloneId = `clone-disk-${i + 1}`;
    let cloned = false;
    b.undo.addIf(
      async () => cloned || (await quick.vendorTookTask({ activityId: cloneId })),
      `delete the cloned image ${name} on the array`,
      vendor.deleteImage,
      image,
    );
    await b.job.external(`${b.vendor}: clone disk ${disk.name} as ${name}`, cloneId, vendor.cloneDisk, {
      ...image,
      name,
      sourceDisk: { id: disk.id, name: disk.name, sizeBytes: disk.sizeBytes, storageDomainId },
    });
    cloned = true;
    await b.job.external(
      `${b.vendor}: write the metadata of ${name} in its storage domain`,
      `disk-metadata-${i + 1}`,
      vendor.updateDiskMetadata,
      {
        ...image,
        alias: name,
        description: `Clone of ${disk.name} (VM ${b.source.name})`,
      },
    );
    b.current(`Registering disk ${name}`);
    b.undo.add(`remove disk ${name}`, waiting.removeDisk, { diskId: image.imageId });
    await b.job.step(`Register disk ${name}`, 'ovirt', waiting.registerDisk, {
      storageDomainId,
      diskId: image.imageId,
    });
    clones.push({ disk, diskId: image.imageId, name });
  }

  b.current(`Creating VM ${b.cloneName}`);
  // The new VM is known by its name and this flow's marker until it exists, so its undo needs no id.
  const made = { name: b.cloneName, marker: b.marker };
  b.undo.add(`remove VM ${b.cloneName}`, waiting.removeVmMade, made);
  const { vmId: cloneVmId } = await b.job.step(
    `Create VM ${b.cloneName} from the configuration of ${b.source.name}`,
    'ovirt',
    waiting.createVm,
    { ...made, source: b.source },
  );

  for (const c of clones) {
    await b.job.step(`Attach disk ${c.name} to VM ${b.cloneName}`, 'ovirt', quick.attachDisk, {
      vmId: cloneVmId,
      diskId: c.diskId,
      interface: c.disk.interface,
      bootable: c.disk.bootable,
    });
  }
  return { cloneVmId, diskIds: clones.map((c) => c.diskId) };
}
