// Rapid clone of a running VM, the flow hybridflow exists for: oVirt's steps and a storage vendor's steps in one
// durable workflow, mirrored as one engine job. If anything fails for good, or the flow is cancelled, every step
// already done is undone (newest first), so no VM or disk is left behind.
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { rootMessage } from '../common/errors';
import type { ResolvedVendor } from '../common/vendor-contract';
import { buildClone, readySource, waiting } from './clone-steps';
import { Compensations } from './compensations';
import { MirroredJob } from './mirrored-job';

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

export async function rapidClone(input: RapidCloneInput): Promise<RapidCloneResult> {
  const restartSource = input.restartSource ?? true;
  const job = await MirroredJob.open(`Rapid clone of ${input.sourceVm} as ${input.cloneName}`);
  const undo = new Compensations();
  const current = (text: string) =>
    setCurrentDetails(`**${text}**\n\nRapid clone of ${input.sourceVm} as ${input.cloneName} (${input.vendor})`);

  try {
    const { source, vm, wasRunning } = await readySource(job, undo, current, input);

    const { cloneVmId, diskIds } = await buildClone({
      job,
      undo,
      vendor: input.vendor,
      vendorRegistration: input.vendorRegistration,
      source,
      cloneName: input.cloneName,
      marker: workflowInfo().workflowId,
      current,
    });
    const clone = { vmId: cloneVmId, name: input.cloneName };

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
    return { sourceVmId: source.id, cloneVmId, cloneName: input.cloneName, diskIds };
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
