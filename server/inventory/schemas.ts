// What the wizard needs from the inventory: VMs with status and disks, clone-name checks.
import { z } from '../zod';
import { VmName } from '../flows/schemas';

export const VmDiskInfo = z
  .object({ id: z.string(), name: z.string(), status: z.string(), sizeBytes: z.number() })
  .openapi('VmDisk');

export const VmInfo = z
  .object({ id: z.string(), name: z.string(), status: z.string(), disks: z.array(VmDiskInfo) })
  .openapi('Vm');

export const VmList = z.object({ items: z.array(VmInfo) }).openapi('VmList');

export const VmListQuery = z.object({
  search: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9_.-]*$/, "may contain only the characters of VM names: letters, digits, '_', '-' and '.'")
    .optional()
    .openapi({ description: 'Part of the VM name' }),
});

export const NameCheckQuery = z.object({ name: z.string().max(200) });

export const NameCheck = z
  .object({
    name: z.string(),
    valid: z.boolean(),
    available: z.boolean(),
    problem: z.string().nullable().openapi({ description: 'Why the name cannot be used, in plain words' }),
  })
  .openapi('NameCheck');

export { VmName };
