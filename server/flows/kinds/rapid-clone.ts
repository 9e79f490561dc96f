// The rapid clone: a running VM cloned on the array as a new VM (workflows/rapid-clone.ts).
import { rapidClone, type RapidCloneInput } from '../../../workflows/rapid-clone';
import { z } from '../../zod';
import { VendorId, VmName, VmRef } from '../fields';
import { defineFlowKind } from '../flow-kind';
import { resolveCloneSource } from './clone-source';

export const RapidCloneRequest = z
  .strictObject({
    sourceVm: VmRef,
    cloneName: VmName,
    vendor: VendorId.default('acme-storage'),
    restartSource: z
      .boolean()
      .default(true)
      .openapi({ description: 'Start the source VM again afterwards if it was up' }),
    startClone: z.boolean().default(false).openapi({ description: 'Start the clone once it is built' }),
  })
  .openapi('RapidCloneRequest');
export type RapidCloneRequest = z.infer<typeof RapidCloneRequest>;

export const rapidCloneKind = defineFlowKind({
  name: 'rapid-clone',
  description: 'Start a rapid clone of a VM',
  input: RapidCloneRequest,
  workflow: rapidClone,
  summary: (input: RapidCloneInput) => `Rapid clone of ${input.sourceVm} as ${input.cloneName} (${input.vendor})`,
  errors: { 409: 'The clone name is taken', 502: 'The engine refused to read the source VM' },
  async prepare(request, deps) {
    const { input, started } = await resolveCloneSource(request, deps, request.cloneName);
    return {
      input: { ...request, ...input },
      ...started,
      // The clone's name is checked last: a repeated key finds its flow although the name is taken by now.
      beforeStart: () => deps.inventory.requireFreeName(request.cloneName),
    };
  },
});
