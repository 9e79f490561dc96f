// What a storage vendor implements: activities on its own task queue, served by a Temporal worker in any language.
// Names and shapes here are the contract; the demo vendor (vendor-demo/) is one implementation.

/** The task queue a vendor's worker polls. */
export const vendorTaskQueue = (prefix: string, vendor: string) => `${prefix}.vendor.${vendor}`;

export interface CheckCloneableInput {
  vmId: string;
  vmName: string;
  disks: { id: string; name: string; sizeBytes: number; storageDomainId?: string }[];
}
export interface CheckCloneableResult {
  vendor: string;
  volumes: { diskId: string; volume: string; cloneable: boolean; reason?: string }[];
}

export interface VendorActivities {
  /** Checks that the array holding these disks can clone them (rapid-clone preflight). */
  checkCloneable(input: CheckCloneableInput): Promise<CheckCloneableResult>;
}
