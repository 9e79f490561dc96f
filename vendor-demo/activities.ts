// acme-storage, a simulated storage vendor. It stands for any vendor's worker (in any language) serving the vendor
// contract of common/vendor-contract.ts on its own task queue.
import { Context, sleep } from '@temporalio/activity';
import type { CheckCloneableInput, CheckCloneableResult, VendorActivities } from '../common/vendor-contract';

export const VENDOR_ID = 'acme-storage';

export function createAcmeActivities(opts: { workMs?: number } = {}): VendorActivities {
  const workMs = opts.workMs ?? 1500;
  return {
    async checkCloneable(input: CheckCloneableInput): Promise<CheckCloneableResult> {
      const volumes: CheckCloneableResult['volumes'] = [];
      for (const [i, disk] of input.disks.entries()) {
        // Looking a volume up on the array takes a moment; heartbeat so Temporal knows the vendor is alive.
        await sleep(workMs / Math.max(1, input.disks.length));
        Context.current().heartbeat({ progress: Math.round(((i + 1) / input.disks.length) * 100) });
        volumes.push({ diskId: disk.id, volume: `acme-vol-${disk.id.slice(0, 8)}`, cloneable: true });
      }
      return { vendor: VENDOR_ID, volumes };
    },
  };
}
