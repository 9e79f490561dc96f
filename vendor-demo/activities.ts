// acme-storage, a simulated storage vendor. It stands for any vendor's worker (in any language) serving the vendor
// contract of common/vendor-contract.ts on its own task queue: it heartbeats its progress and sub-steps as
// `VendorProgress`, and it places clones through the built-in engine's storage-side hook.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type {
  CheckCloneableInput,
  CheckCloneableResult,
  CloneDiskInput,
  CloneDiskResult,
  DeleteImageInput,
  UpdateDiskMetadataInput,
  VendorActivities,
  VendorProgress,
  VendorSubStep,
} from '../common/vendor-contract';
import { StorageArrayError, type StorageArray } from './storage-array';

export const VENDOR_ID = 'acme-storage';

export interface AcmeOptions {
  array: StorageArray;
  /** How long a clone takes. @default 4000 */
  cloneMs?: number;
}

// A 404 from the array (no such domain or image) will not get better with retries.
const finalIfNotFound = (err: unknown) => {
  if (err instanceof StorageArrayError && err.status === 404)
    throw ApplicationFailure.nonRetryable(err.message, 'VendorNotFound');
  throw err;
};

export function createAcmeActivities(opts: AcmeOptions): VendorActivities {
  const cloneMs = opts.cloneMs ?? 4000;
  return {
    async checkCloneable(input: CheckCloneableInput): Promise<CheckCloneableResult> {
      const ctx = Context.current();
      const volumes: CheckCloneableResult['volumes'] = [];
      for (const [i, disk] of input.disks.entries()) {
        await ctx.sleep(cloneMs / 4 / Math.max(1, input.disks.length));
        ctx.heartbeat({ progress: Math.round(((i + 1) / input.disks.length) * 100) } satisfies VendorProgress);
        volumes.push({ diskId: disk.id, volume: `acme-vol-${disk.id.slice(0, 8)}`, cloneable: true });
      }
      return { vendor: VENDOR_ID, volumes };
    },

    async cloneDisk(input: CloneDiskInput): Promise<CloneDiskResult> {
      const ctx = Context.current();
      const subSteps: VendorSubStep[] = [];
      const report = (progress: number) => ctx.heartbeat({ progress, subSteps } satisfies VendorProgress);
      const phase = async (key: string, description: string, from: number, to: number, ms: number) => {
        const step: VendorSubStep = { key, description, status: 'running' };
        subSteps.push(step);
        const ticks = 5;
        for (let i = 1; i <= ticks; i++) {
          report(Math.round(from + ((to - from) * (i - 1)) / ticks));
          await ctx.sleep(ms / ticks); // throws once the flow cancelled us
        }
        step.status = 'finished';
        report(to);
      };
      await phase('snapshot', `Snapshot volume of ${input.sourceDisk.name} on the array`, 0, 10, cloneMs * 0.1);
      await phase(
        'copy',
        `Copy ${Math.round(input.sourceDisk.sizeBytes / 2 ** 30)} GiB to a new volume`,
        10,
        90,
        cloneMs * 0.8,
      );
      await phase('export', `Export the new volume into the storage domain`, 90, 100, cloneMs * 0.1);
      await opts.array
        .putImage(input.storageDomainId, input.imageId, {
          name: input.name,
          provisioned_size: input.sourceDisk.sizeBytes,
          source_disk_id: input.sourceDisk.id,
          description: `Cloned by ${VENDOR_ID} from ${input.sourceDisk.name}`,
        })
        .catch(finalIfNotFound);
      return { imageId: input.imageId, storageDomainId: input.storageDomainId, subSteps };
    },

    async updateDiskMetadata(input: UpdateDiskMetadataInput): Promise<void> {
      await opts.array
        .updateMetadata(input.storageDomainId, input.imageId, { alias: input.alias, description: input.description })
        .catch(finalIfNotFound);
    },

    async deleteImage(input: DeleteImageInput): Promise<void> {
      await opts.array.deleteImage(input.storageDomainId, input.imageId);
    },
  };
}
