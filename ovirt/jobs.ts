// Engine jobs as hybridflow opens them, for the flows' mirror (activities) and standalone tasks (the API alike).
import type { CallOptions, OvirtClient } from './client';
import { Job } from './representation';

/**
 * Adds an external job (STARTED, as oVirt adds it), kept after it ends (`auto_cleared: false`) so admins can read it,
 * and tagged with `correlationId` (the flow's) so that whoever opens it again finds this one by search.
 */
export async function addExternalJob(
  ovirt: OvirtClient,
  description: string,
  opts: CallOptions & { correlationId: string },
): Promise<string> {
  const job = await ovirt.post('/jobs', { description, auto_cleared: false }, Job, opts);
  return job.id;
}
