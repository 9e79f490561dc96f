// Bulk clone: a pool of VMs from one source VM in one flow. The source is shut down and its snapshots merged once;
// then each new VM is built by a child workflow of its own (bulkCloneMember: the vendor clones each disk, oVirt
// registers it, creates the VM and attaches the disks), at most `maxParallel` at a time; the source is started again
// at the end. Children keep each history small (a 100-VM pool in one history would near Temporal's limits), show as
// their own runs under the parent in the Temporal UI, and each undoes itself when it fails for good. One engine job
// holds it all: a step per new VM, with that VM's steps nested under it.
import {
  ApplicationFailure,
  CancellationScope,
  executeChild,
  isCancellation,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { VmDetails } from '../activities/vms';
import { rootMessage } from '../common/errors';
import type { ResolvedVendor } from '../common/vendor-contract';
import { buildClone, readySource, waiting } from './clone-steps';
import { Compensations } from './compensations';
import { MirroredJob } from './mirrored-job';

export type BulkCloneOnFailure = 'keep-completed' | 'undo-all';

export interface BulkCloneInput {
  sourceVm: string;
  sourceVmId?: string;
  /** The new VMs' names, checked free by the API. */
  names: string[];
  vendor: string;
  vendorRegistration: ResolvedVendor;
  /** How many VMs are built at once. @default 4 */
  maxParallel?: number;
  /** @default true */
  restartSource?: boolean;
  /** @default false */
  startClones?: boolean;
  /** @default 'keep-completed' */
  onFailure?: BulkCloneOnFailure;
}

export interface BulkCloneOutcome {
  name: string;
  /** `undone`: built, then removed because another VM failed (undo-all); `failed`: failed for good, undone itself. */
  status: 'completed' | 'failed' | 'undone' | 'cancelled' | 'not started';
  vmId?: string;
  diskIds?: string[];
  error?: string;
}

export interface BulkCloneResult {
  sourceVmId: string;
  completed: number;
  failed: number;
  vms: BulkCloneOutcome[];
}

export interface BulkCloneMemberInput {
  source: VmDetails;
  cloneName: string;
  vendor: string;
  vendorRegistration: ResolvedVendor;
  startClone: boolean;
  /** The parent flow's engine job and the step of this VM in it (none if the engine refused them). */
  engineJobId?: string;
  engineStepId?: string;
}

export interface BulkCloneMemberResult {
  cloneVmId: string;
  diskIds: string[];
}

/** One new VM of a bulk clone, mirrored under its step of the parent's engine job; undoes itself on failure. */
export async function bulkCloneMember(input: BulkCloneMemberInput): Promise<BulkCloneMemberResult> {
  const job = MirroredJob.nested(
    `Clone ${input.source.name} as ${input.cloneName}`,
    input.engineJobId,
    input.engineStepId,
  );
  const undo = new Compensations();
  const current = (text: string) => setCurrentDetails(`**${text}**\n\nVM ${input.cloneName} of a bulk clone`);
  try {
    const built = await buildClone({
      job,
      undo,
      vendor: input.vendor,
      vendorRegistration: input.vendorRegistration,
      source: input.source,
      cloneName: input.cloneName,
      marker: workflowInfo().workflowId,
      current,
    });
    if (input.startClone) {
      current(`Starting ${input.cloneName}`);
      await job.step(`Start VM ${input.cloneName}`, 'ovirt', waiting.startVm, {
        vmId: built.cloneVmId,
        name: input.cloneName,
      });
    }
    await job.end(true);
    current(`Done: ${input.cloneName} is ready`);
    return built;
  } catch (err) {
    const reason = isCancellation(err) ? 'cancelled' : rootMessage(err);
    const failedUndos = await CancellationScope.nonCancellable(async () => {
      await job.fail(reason);
      const failed = await undo.runAll(job);
      await job.end(false);
      return failed;
    });
    if (isCancellation(err)) throw err;
    const leftover = failedUndos.length ? ` Some undo steps failed: ${failedUndos.join('; ')}.` : ' It was undone.';
    throw ApplicationFailure.create({
      message: `VM ${input.cloneName}: ${reason}.${leftover}`,
      type: 'CloneFailed',
      nonRetryable: true,
      details: [{ reason, failedUndos }],
      cause: err instanceof Error ? err : undefined,
    });
  }
}

export async function bulkClone(input: BulkCloneInput): Promise<BulkCloneResult> {
  const count = input.names.length;
  const onFailure = input.onFailure ?? 'keep-completed';
  // Its VMs' children fill the same job: one failing for good fails it while the others go on.
  const job = await MirroredJob.open(`Bulk clone of ${input.sourceVm} into ${count} VMs`, { sharedWithParts: true });
  const undo = new Compensations();
  const outcomes: BulkCloneOutcome[] = input.names.map((name) => ({ name, status: 'not started' }));
  const tally = () => {
    const done = outcomes.filter((o) => o.status === 'completed').length;
    const failed = outcomes.filter((o) => o.status === 'failed').length;
    return `${done} of ${count} built, ${failed} failed`;
  };
  const current = (text: string) =>
    setCurrentDetails(`**${text}**\n\nBulk clone of ${input.sourceVm} into ${count} VMs (${input.vendor}): ${tally()}`);

  try {
    const { source, vm, wasRunning } = await readySource(job, undo, current, input);

    // Each VM's step, then its child, at most maxParallel at once; none begins once the flow is being cancelled.
    const build = async (i: number) => {
      const name = input.names[i]!;
      const outcome = outcomes[i]!;
      const step = await job.openStep(`vm${i + 1}`, `Clone ${source.name} as ${name}`, 'executing', undefined, 'ovirt');
      try {
        const built = await executeChild(bulkCloneMember, {
          workflowId: `${workflowInfo().workflowId}-${name}`,
          staticSummary: `VM ${name} of the bulk clone of ${source.name}`,
          args: [
            {
              source,
              cloneName: name,
              vendor: input.vendor,
              vendorRegistration: input.vendorRegistration,
              startClone: input.startClones ?? false,
              engineJobId: step.engineJobId,
              engineStepId: step.engineStepId,
            },
          ],
        });
        Object.assign(outcome, { status: 'completed', vmId: built.cloneVmId, diskIds: built.diskIds });
        await job.endStep(step, true);
      } catch (err) {
        Object.assign(outcome, { status: isCancellation(err) ? 'cancelled' : 'failed', error: rootMessage(err) });
        await CancellationScope.nonCancellable(() => job.endStep(step, false));
        if (isCancellation(err)) throw err;
      }
      current(`Building the VMs`);
    };
    let next = 0;
    const lane = async () => {
      while (next < count && !CancellationScope.current().consideredCancelled) await build(next++);
    };
    current('Building the VMs');
    await Promise.all(Array.from({ length: Math.min(input.maxParallel ?? 4, count) }, lane));

    const failed = outcomes.filter((o) => o.status === 'failed');
    if (failed.length && onFailure === 'undo-all')
      throw ApplicationFailure.nonRetryable(
        `${failed.length} of ${count} VMs failed (${failed.map((f) => f.name).join(', ')}), so all are undone`,
        'BulkCloneFailed',
      );
    if (wasRunning && (input.restartSource ?? true)) {
      current(`Starting ${source.name} again`);
      await job.step(`Start VM ${source.name} again`, 'ovirt', waiting.startVm, vm);
    }
    await job.end(failed.length === 0);
    current(failed.length ? `Done with failures: ${tally()}` : `Done: ${count} VMs ready`);
    return { sourceVmId: source.id, completed: count - failed.length, failed: failed.length, vms: outcomes };
  } catch (err) {
    const reason = isCancellation(err) ? 'cancelled' : rootMessage(err);
    const failedUndos = await CancellationScope.nonCancellable(async () => {
      current(`Failed (${reason}); undoing`);
      await job.fail(reason);
      // With undo-all, the VMs built are removed too; with keep-completed they stay (a cancel keeps them as well).
      if (onFailure === 'undo-all') {
        for (const o of outcomes.filter((x) => x.status === 'completed')) {
          const marker = `${workflowInfo().workflowId}-${o.name}`;
          undo.add(`remove VM ${o.name}`, waiting.removeVmMade, { name: o.name, marker });
          for (const diskId of o.diskIds ?? [])
            undo.add(`remove disk ${diskId} of ${o.name}`, waiting.removeDisk, { diskId });
          o.status = 'undone';
        }
      }
      const failed = await undo.runAll(job);
      await job.end(false);
      return failed;
    });
    current(`Failed: ${reason}`);
    if (isCancellation(err)) throw err;
    const leftover = failedUndos.length ? ` Some undo steps failed and need a look: ${failedUndos.join('; ')}.` : '';
    throw ApplicationFailure.create({
      message: `Bulk clone of ${input.sourceVm} failed: ${reason}.${leftover}`,
      type: 'BulkCloneFailed',
      nonRetryable: true,
      details: [{ reason, failedUndos, vms: outcomes }],
      cause: err instanceof Error ? err : undefined,
    });
  }
}
