// What a storage vendor implements: activities on its own task queue, served by a Temporal worker in any language.
// Names and shapes here are the contract; the demo vendor (vendor-demo/) is one implementation.
//
// Progress: while it works, a vendor activity heartbeats a `VendorProgress` as its details. hybridflow reads those
// heartbeats and mirrors them: `progress` onto the vendor's engine step, each of `subSteps` as a nested engine step.
// SDKs throttle heartbeats (by default to 0.8 x the heartbeat timeout); a vendor worker should send them at least
// every second or two (TypeScript: `maxHeartbeatThrottleInterval`) so that progress shows while it works.

/** The task queue a vendor's worker polls. */
export const vendorTaskQueue = (prefix: string, vendor: string) => `${prefix}.vendor.${vendor}`;

import type { Duration } from '@temporalio/common';

/** How the flows call a vendor: heartbeat timeout (a Temporal duration string) and attempts per activity. */
export interface VendorTiming {
  /** @default '30 seconds' */
  heartbeatTimeout?: Duration;
  /** @default 5 */
  maximumAttempts?: number;
}

/** How a flow calls one vendor activity, from the vendor's registration (durations as Temporal writes them). */
export interface VendorActivityOptions {
  startToCloseTimeout?: Duration;
  heartbeatTimeout?: Duration;
  retry?: { maximumAttempts?: number; initialInterval?: Duration; maximumInterval?: Duration };
}

/**
 * A registered vendor as a flow uses it, resolved by the API when the flow starts and kept in the workflow's input:
 * its history shows what ran, and a replay needs no lookup.
 */
export type ResolvedVendor = {
  id: string;
  activities: Record<string, VendorActivityOptions>;
} & (
  | { mode: 'temporal'; taskQueue: string }
  /** Its tasks are POSTed to `webhookUrl` by the main worker and reported back through the vendor API. */
  | { mode: 'webhook'; webhookUrl: string }
);

export interface VendorSubStep {
  /** Stable within the activity, e.g. "snapshot". */
  key: string;
  description: string;
  status: 'running' | 'finished' | 'failed';
}

/** Heartbeat details of a vendor activity. */
export interface VendorProgress {
  /** 0..100 */
  progress?: number;
  subSteps?: VendorSubStep[];
}

export interface SourceDisk {
  id: string;
  name: string;
  sizeBytes: number;
  storageDomainId?: string;
}

export interface CheckCloneableInput {
  vmId: string;
  vmName: string;
  disks: SourceDisk[];
}
export interface CheckCloneableResult {
  vendor: string;
  volumes: { diskId: string; volume: string; cloneable: boolean; reason?: string }[];
}

export interface CloneDiskInput {
  sourceDisk: SourceDisk;
  /** Where the array must place the clone, as an image oVirt does not know yet (unregistered). */
  storageDomainId: string;
  /** The id the new image must have; chosen by the flow, so a retried clone cannot make a second image. */
  imageId: string;
  /** Name for the new image. */
  name: string;
}
export interface CloneDiskResult {
  imageId: string;
  storageDomainId: string;
  subSteps?: VendorSubStep[];
}

export interface UpdateDiskMetadataInput {
  imageId: string;
  storageDomainId: string;
  alias: string;
  description: string;
}

export interface DeleteImageInput {
  imageId: string;
  storageDomainId: string;
}

export interface VendorActivities {
  /** Checks that the array holding these disks can clone them (rapid-clone preflight). */
  checkCloneable(input: CheckCloneableInput): Promise<CheckCloneableResult>;
  /** Clones a disk on the array into the storage domain, as an unregistered image with the given id. */
  cloneDisk(input: CloneDiskInput): Promise<CloneDiskResult>;
  /** Writes the image's metadata in the storage domain (what oVirt shows once the disk is registered). */
  updateDiskMetadata(input: UpdateDiskMetadataInput): Promise<void>;
  /** Undo of cloneDisk: deletes the image if it is still unregistered; succeeds if it is gone already. */
  deleteImage(input: DeleteImageInput): Promise<void>;
}
