// Zod schemas for oVirt's JSON as the engine really writes it: booleans and integers arrive as strings
// ("false", "3"), dates as epoch milliseconds, collections as {"vm": [...]}, null fields left out.
import { z } from 'zod';

/** "true"/"false" (oVirt) or real booleans. Note that the string "false" must read as false. */
export const ovBool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
/** "3" (oVirt) or 3. */
export const ovInt = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const ovDate = z.union([z.number(), z.string().transform((v) => (/^\d+$/.test(v) ? Number(v) : Date.parse(v)))]);
const ref = z.object({ id: z.string(), href: z.string().optional() });

export const JobStatus = z.enum(['started', 'finished', 'failed', 'aborted', 'unknown']);

export const Job = z.object({
  id: z.string(),
  description: z.string(),
  status: JobStatus,
  external: ovBool.optional(),
  auto_cleared: ovBool.optional(),
  start_time: ovDate.optional(),
  end_time: ovDate.optional(),
});
export type Job = z.infer<typeof Job>;

export const Step = z.object({
  id: z.string(),
  description: z.string(),
  status: JobStatus,
  type: z.string().optional(),
  number: ovInt.optional(),
  external: ovBool.optional(),
  progress: ovInt.optional(),
  parent_step: ref.optional(),
  job: ref.optional(),
  start_time: ovDate.optional(),
  end_time: ovDate.optional(),
});
export type Step = z.infer<typeof Step>;

export const Vm = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  description: z.string().optional(),
  comment: z.string().optional(),
  memory: ovInt.optional(),
  type: z.string().optional(),
  cpu: z
    .object({
      topology: z.object({ cores: ovInt.optional(), sockets: ovInt.optional(), threads: ovInt.optional() }).optional(),
    })
    .optional(),
  os: z.object({ type: z.string().optional() }).optional(),
  cluster: ref.optional(),
  template: ref.optional(),
});
export type Vm = z.infer<typeof Vm>;

export const Disk = z.object({
  id: z.string(),
  name: z.string().optional(),
  alias: z.string().optional(),
  status: z.string().optional(),
  provisioned_size: ovInt.optional(),
  format: z.string().optional(),
  storage_domains: z.object({ storage_domain: z.array(ref) }).optional(),
});
export type Disk = z.infer<typeof Disk>;

export const DiskAttachment = z.object({
  id: z.string(),
  active: ovBool.optional(),
  bootable: ovBool.optional(),
  interface: z.string().optional(),
  disk: ref,
});
export type DiskAttachment = z.infer<typeof DiskAttachment>;

export const Snapshot = z.object({
  id: z.string(),
  description: z.string().optional(),
  snapshot_type: z.string().optional(),
  snapshot_status: z.string().optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/** A collection as oVirt writes it: `{"vm": [...]}`, or `{}` when empty. */
export const collection = <T extends z.ZodType>(key: string, item: T) =>
  z.object({ [key]: z.array(item).optional() }).transform((c) => (c[key] ?? []) as z.infer<T>[]);

export const Fault = z.object({ reason: z.string().optional(), detail: z.string().optional() });
