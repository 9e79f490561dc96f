// Fields that flow inputs share (and the inventory and vendor schemas with them): a VM reference, a VM name, a
// vendor id. Kept apart from schemas.ts so that each flow kind's input schema (kinds/) can use them.
import { z } from '../zod';

/** A VM by exact name or by id: never a pattern (oVirt's search would take `*` as a wildcard). */
export const VmRef = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64, 'must be at most 64 characters')
  // A VM id (a UUID) is made of the same characters as a name.
  .regex(/^[A-Za-z0-9_.-]*$/, "must be a VM's exact name (letters, digits, '_', '-' and '.') or its id")
  .openapi({ example: 'web-01' });

/** oVirt's rule for VM names: letters, digits, '_', '-' and '.', at most 64 characters. */
export const VmName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, "may contain only letters, digits, '_', '-' and '.'")
  .openapi({ example: 'web-01-clone' });

export const VendorId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a vendor id such as acme-storage')
  .openapi({ example: 'acme-storage' });
