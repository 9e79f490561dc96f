// The clone preflight: whether the vendor can clone a VM's disks (workflows/clone-preflight.ts).
import { clonePreflight, type ClonePreflightInput } from '../../../workflows/clone-preflight';
import { z } from '../../zod';
import { VendorId, VmRef } from '../fields';
import { defineFlowKind } from '../flow-kind';
import { resolveCloneSource } from './clone-source';

export const ClonePreflightRequest = z
  .strictObject({ sourceVm: VmRef, vendor: VendorId.default('acme-storage') })
  .openapi('ClonePreflightRequest');
export type ClonePreflightRequest = z.infer<typeof ClonePreflightRequest>;

export const clonePreflightKind = defineFlowKind({
  name: 'clone-preflight',
  description: 'Check that a VM can be cloned by a vendor',
  input: ClonePreflightRequest,
  workflow: clonePreflight,
  summary: (input: ClonePreflightInput) => `Clone preflight of ${input.sourceVm} with ${input.vendor}`,
  errors: { 502: 'The engine refused to read the source VM' },
  async prepare(request, deps) {
    const { input, started } = await resolveCloneSource(request, deps);
    return {
      input: { ...request, ...input },
      ...started,
    };
  },
});
