// Request and response shapes of the flows API; the single source of their types and validation.
import { z } from 'zod';

/** oVirt VM names: letters, digits, '_', '-', '.'; up to 64 characters. */
export const VmRef = z.string().trim().min(1, 'is required').max(255);

/** oVirt's rule for VM names: letters, digits, '_', '-' and '.', at most 64 characters. */
export const VmName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, "may contain only letters, digits, '_', '-' and '.'");

const VendorId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a vendor id such as acme-storage').default('acme-storage');

export const ClonePreflightRequest = z.strictObject({
  sourceVm: VmRef,
  vendor: VendorId,
});
export type ClonePreflightRequest = z.infer<typeof ClonePreflightRequest>;

export const RapidCloneRequest = z.strictObject({
  sourceVm: VmRef,
  cloneName: VmName,
  vendor: VendorId,
  restartSource: z.boolean().default(true),
  startClone: z.boolean().default(false),
});
export type RapidCloneRequest = z.infer<typeof RapidCloneRequest>;

export const FlowStatus = z.enum(['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out']);
export type FlowStatus = z.infer<typeof FlowStatus>;

export const FlowIdParam = z.object({ id: z.string().min(1).max(255) });
