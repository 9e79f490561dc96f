// The bulk clone: a pool of new VMs from one source VM in one flow (workflows/bulk-clone.ts). The names come as a
// list or as a prefix and a count (poolNames: `pool-` x 12 = pool-01 ... pool-12).
import { poolNames } from '../../../common/bulk-clone-pool';
import { bulkClone, bulkCloneMember, type BulkCloneInput } from '../../../workflows/bulk-clone';
import { z } from '../../zod';
import { VendorId, VmName, VmRef } from '../fields';
import { defineFlowKind } from '../flow-kind';
import { resolveCloneSource } from './clone-source';

/** Up to this many VMs per flow (each is a child workflow; the parent's history stays small). */
export const MAX_BULK_VMS = 100;

export const BulkCloneRequest = z
  .strictObject({
    sourceVm: VmRef,
    names: z
      .array(VmName)
      .min(1, 'must name at least one VM')
      .max(MAX_BULK_VMS, `may name at most ${MAX_BULK_VMS} VMs`)
      .refine((names) => new Set(names).size === names.length, 'must not name a VM twice')
      .optional()
      .openapi({ description: 'The new VMs, by name; or give prefix and count' }),
    prefix: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(60, 'must be at most 60 characters')
      .regex(/^[A-Za-z0-9_.-]+$/, "may contain only letters, digits, '_', '-' and '.'")
      .optional()
      .openapi({ description: 'With count: the new VMs are named prefix1 ... prefixN', example: 'pool-' }),
    count: z.number().int().min(1).max(MAX_BULK_VMS).optional().openapi({ example: 5 }),
    vendor: VendorId.default('acme-storage'),
    maxParallel: z.number().int().min(1).max(20).default(4).openapi({ description: 'How many VMs are built at once' }),
    restartSource: z
      .boolean()
      .default(true)
      .openapi({ description: 'Start the source VM again at the end if it was up' }),
    startClones: z.boolean().default(false).openapi({ description: 'Start each new VM once it is built' }),
    onFailure: z.enum(['keep-completed', 'undo-all']).default('keep-completed').openapi({
      description: 'A VM failing for good is undone alone (keep-completed), or every VM of the pool is (undo-all)',
    }),
  })
  .superRefine((req, ctx) => {
    const byPrefix = req.prefix !== undefined || req.count !== undefined;
    if (req.names && byPrefix)
      ctx.addIssue({ code: 'custom', path: ['names'], message: 'give either names or prefix and count, not both' });
    else if (!req.names && !byPrefix)
      ctx.addIssue({ code: 'custom', path: ['names'], message: 'give names, or prefix and count' });
    else if (byPrefix && req.prefix === undefined)
      ctx.addIssue({ code: 'custom', path: ['prefix'], message: 'is required with count' });
    else if (byPrefix && req.count === undefined)
      ctx.addIssue({ code: 'custom', path: ['count'], message: 'is required with prefix' });
    else if (req.prefix && req.count && !VmName.safeParse(poolNames(req.prefix, req.count).at(-1)).success)
      ctx.addIssue({ code: 'custom', path: ['prefix'], message: 'makes names longer than 64 characters' });
  })
  .openapi('BulkCloneRequest');
export type BulkCloneRequest = z.infer<typeof BulkCloneRequest>;

export const bulkCloneKind = defineFlowKind({
  name: 'bulk-clone',
  description: 'Clone a VM into a pool of new VMs',
  input: BulkCloneRequest,
  workflow: bulkClone,
  summary: (input: BulkCloneInput) =>
    `Bulk clone of ${input.sourceVm} into ${input.names.length} VMs (${input.vendor})`,
  errors: { 502: 'The engine refused to read the source VM' },
  async prepare(request, deps) {
    const names = request.names ?? poolNames(request.prefix!, request.count!);
    const { input, started } = await resolveCloneSource(request, deps, names[0]);
    const { prefix: _prefix, count: _count, ...rest } = request;
    return {
      input: { ...rest, names, ...input },
      ...started,
      // Checked last: a repeated key finds its flow although the names are taken by then.
      beforeStart: () =>
        deps.inventory.requireFreeNames(names, (i) => (request.names ? `body.names.${i}` : `body.prefix`)),
    };
  },
});

/**
 * Each VM of a bulk clone is a child workflow (bulkCloneMember, id `<flow id>-<vm name>`): the API reads one as a flow
 * of this kind, so a page or the CLI can show that VM's steps, but never lists it or starts one.
 */
export const bulkCloneMemberKind = {
  name: 'bulk-clone-member',
  workflow: bulkCloneMember,
  parentKind: bulkCloneKind.name,
} as const;
