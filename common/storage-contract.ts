// The storage contract's activities as data: what each takes and gives (zod, and JSON Schema 2020-12 made from it),
// and an example input of each. The registry checks that a vendor registering one of these names accepts the
// contract's input, and a rapid clone needs a vendor with all of them. (The TypeScript types are in
// vendor-contract.ts.)
import { z } from 'zod';

const SourceDisk = z.object({
  id: z.string(),
  name: z.string(),
  sizeBytes: z.number(),
  storageDomainId: z.string().optional(),
});
const SubStep = z.object({
  key: z.string(),
  description: z.string(),
  status: z.enum(['running', 'finished', 'failed']),
});

export const storageContract = {
  checkCloneable: {
    description: 'Checks that the array holding these disks can clone them (rapid-clone preflight)',
    input: z.object({ vmId: z.string(), vmName: z.string(), disks: z.array(SourceDisk) }),
    output: z.object({
      vendor: z.string(),
      volumes: z.array(
        z.object({ diskId: z.string(), volume: z.string(), cloneable: z.boolean(), reason: z.string().optional() }),
      ),
    }),
  },
  cloneDisk: {
    description: 'Clones a disk on the array into the storage domain, as an unregistered image with the given id',
    input: z.object({ sourceDisk: SourceDisk, storageDomainId: z.string(), imageId: z.string(), name: z.string() }),
    output: z.object({ imageId: z.string(), storageDomainId: z.string(), subSteps: z.array(SubStep).optional() }),
  },
  updateDiskMetadata: {
    description: "Writes the image's metadata in the storage domain (what oVirt shows once the disk is registered)",
    input: z.object({ imageId: z.string(), storageDomainId: z.string(), alias: z.string(), description: z.string() }),
    output: z.null(),
  },
  deleteImage: {
    description: 'Undo of cloneDisk: deletes the image if it is still unregistered; succeeds if it is gone already',
    input: z.object({ imageId: z.string(), storageDomainId: z.string() }),
    output: z.null(),
  },
} as const;

export type StorageActivityName = keyof typeof storageContract;
export const storageActivityNames = Object.keys(storageContract) as StorageActivityName[];

const DISK = {
  id: '6a1c1f4e-1b0e-4c55-9d36-0c3b3c1f7a10',
  name: 'web-01_disk1',
  sizeBytes: 10737418240,
  storageDomainId: '1f0e5c7a-2b9d-4e8f-a3c6-5d7e9f1a2b3c',
};

/** An input of each contract activity as a flow sends it: a registered input schema must accept it. */
export const storageContractExamples: Record<StorageActivityName, unknown> = {
  checkCloneable: { vmId: '0b3c5d7e-9f1a-4b2c-8d3e-4f5a6b7c8d9e', vmName: 'web-01', disks: [DISK] },
  cloneDisk: {
    sourceDisk: DISK,
    storageDomainId: DISK.storageDomainId,
    imageId: '9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b',
    name: 'web-01-clone_disk1',
  },
  updateDiskMetadata: {
    imageId: '9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b',
    storageDomainId: DISK.storageDomainId,
    alias: 'web-01-clone_disk1',
    description: 'Cloned from web-01_disk1 by acme-storage',
  },
  deleteImage: { imageId: '9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b', storageDomainId: DISK.storageDomainId },
};

/** The registration of every contract activity as the contract defines it (what acme-storage registers). */
export function contractRegistrations() {
  return storageActivityNames.map((name) => ({
    name,
    description: storageContract[name].description,
    inputSchema: z.toJSONSchema(storageContract[name].input) as Record<string, unknown>,
    outputSchema: z.toJSONSchema(storageContract[name].output) as Record<string, unknown>,
  }));
}
