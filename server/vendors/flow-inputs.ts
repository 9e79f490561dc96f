// What a rapid clone of this VM will send each activity of the storage contract, built from the VM's real disks
// before the flow starts, so that a vendor whose registered input schema would refuse it is a 400 now rather than a
// flow that fails half-way. (Ids the flow makes later, like the new image's, are placeholders of the same form.)
import { randomUUID } from 'node:crypto';
import type { StorageActivityName } from '../../common/storage-contract';
import type { OvirtClient } from '../../ovirt/client';
import { attachedDisks, diskSummary } from '../../ovirt/vm-queries';

export async function storageInputsFor(
  ovirt: OvirtClient,
  source: { id: string; name: string },
  cloneName?: string,
): Promise<Record<StorageActivityName, unknown[]>> {
  const disks = (await attachedDisks(ovirt, source.id)).map(({ disk }) => {
    const { id, name, sizeBytes } = diskSummary(disk);
    const storageDomainId = disk.storage_domains?.storage_domain[0]?.id;
    return { id, name, sizeBytes, ...(storageDomainId ? { storageDomainId } : {}) };
  });
  const placed = disks.map((d, i) => ({
    disk: d,
    imageId: randomUUID(),
    storageDomainId: d.storageDomainId ?? randomUUID(),
    name: `${cloneName ?? source.name}_Disk${i + 1}`,
  }));
  return {
    checkCloneable: [{ vmId: source.id, vmName: source.name, disks }],
    cloneDisk: cloneName
      ? placed.map((p) => ({
          sourceDisk: p.disk,
          storageDomainId: p.storageDomainId,
          imageId: p.imageId,
          name: p.name,
        }))
      : [],
    updateDiskMetadata: cloneName
      ? placed.map((p) => ({
          imageId: p.imageId,
          storageDomainId: p.storageDomainId,
          alias: p.name,
          description: `Cloned from ${p.disk.name}`,
        }))
      : [],
    deleteImage: cloneName ? placed.map((p) => ({ imageId: p.imageId, storageDomainId: p.storageDomainId })) : [],
  };
}
