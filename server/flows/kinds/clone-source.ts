// What every kind that clones from a source VM checks first, in this order: the vendor (400 if unknown or lacking
// the storage contract), the source VM (400 if unknown), and that the vendor's registered input schemas accept what
// the flow will send it.
import type { PrepareDeps } from '../flow-kind';

export async function resolveCloneSource(
  request: { sourceVm: string; vendor: string },
  { inventory, vendors }: PrepareDeps,
  cloneName?: string,
) {
  const vendor = await vendors.resolve(request.vendor);
  const source = await inventory.resolveSource(request);
  await vendors.checkInputs(vendor.id, await inventory.storageInputs(source, cloneName));
  return {
    source,
    vendor,
    /** The workflow's input fields naming them: the source by name (for its descriptions) and id, the registration. */
    input: { sourceVm: source.name, sourceVmId: source.id, vendorRegistration: vendor },
    /** The flow's search attributes and id part, and its request as an Idempotency-Key compares it (by VM id). */
    started: {
      subject: source.name,
      searchAttributes: { vendor: request.vendor, ovirtVmId: source.id },
      sameRequest: { ...request, sourceVm: source.id },
    },
  };
}
