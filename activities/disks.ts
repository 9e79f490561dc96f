// Disk and snapshot activities over oVirt REST; like the VM ones, each is safe to run again.
import type { OvirtClient } from '../ovirt/client';
import { OvirtNotFoundError } from '../ovirt/errors';
import { collection, Disk, Snapshot } from '../ovirt/representation';
import { waitForEngineJobs } from './engine-work';
import { flowCorrelationId, waitUntil } from './flow-context';

const ignoreNotFound = (err: unknown) => {
  if (!(err instanceof OvirtNotFoundError)) throw err;
};

export function createDiskActivities(deps: { ovirt: OvirtClient; pollIntervalMs?: number }) {
  const engine = () => deps.ovirt.withCorrelationId(flowCorrelationId());
  const wait = { intervalMs: deps.pollIntervalMs ?? 1000 };
  const diskStatus = (ovirt: OvirtClient, diskId: string) =>
    ovirt.get(`/disks/${diskId}`, Disk).then(
      (d) => d.status ?? 'ok',
      (err) => (ignoreNotFound(err), 'gone' as const),
    );

  return {
    /**
     * Coalesces the VM's disks: deletes (merges) every snapshot but the active one, then waits until they are
     * gone and the disks are unlocked.
     */
    async mergeSnapshots({
      vmId,
      name,
      diskIds,
    }: {
      vmId: string;
      name: string;
      diskIds: string[];
    }): Promise<{ merged: number }> {
      const ovirt = engine();
      const list = () => ovirt.get(`/vms/${vmId}/snapshots`, collection('snapshot', Snapshot));
      const toMerge = (await list()).filter((s) => s.snapshot_type !== 'active');
      for (const snapshot of toMerge) {
        // One at a time: oVirt locks the disks while it merges, so the next delete would be a 409 anyway.
        if (snapshot.snapshot_status !== 'locked') {
          await ovirt.delete(`/vms/${vmId}/snapshots/${snapshot.id}`).catch(ignoreNotFound);
        }
        await waitUntil(
          `snapshot "${snapshot.description ?? snapshot.id}" of ${name} to merge`,
          async () => ((await list()).some((s) => s.id === snapshot.id) ? undefined : true),
          wait,
        );
      }
      await waitUntil(
        `the disks of ${name} to unlock`,
        async () => {
          const statuses = await Promise.all(diskIds.map((id) => diskStatus(ovirt, id)));
          return statuses.every((s) => s !== 'locked') ? true : undefined;
        },
        wait,
      );
      await waitForEngineJobs(ovirt, `merging the snapshots of ${name}`, wait.intervalMs);
      return { merged: toMerge.length };
    },

    /** Registers an image a storage array wrote into a domain, and waits until the disk is ok. */
    async registerDisk({ storageDomainId, diskId }: { storageDomainId: string; diskId: string }): Promise<void> {
      const ovirt = engine();
      if ((await diskStatus(ovirt, diskId)) === 'gone') {
        await ovirt.post(`/storagedomains/${storageDomainId}/disks;unregistered`, { disk: { id: diskId } }, Disk);
      }
      await waitUntil(
        `disk ${diskId} to be ok`,
        async () => ((await diskStatus(ovirt, diskId)) === 'ok' ? true : undefined),
        wait,
      );
      await waitForEngineJobs(ovirt, `registering disk ${diskId}`, wait.intervalMs);
    },

    /** Undo of registerDisk: removes the disk from oVirt (and with it the image). */
    async removeDisk({ diskId }: { diskId: string }): Promise<void> {
      const ovirt = engine();
      await ovirt.delete(`/disks/${diskId}`).catch(ignoreNotFound);
      await waitUntil(
        `disk ${diskId} to be removed`,
        async () => ((await diskStatus(ovirt, diskId)) === 'gone' ? true : undefined),
        wait,
      );
    },
  };
}
