// oVirt users report that a disk can show `ok` before the job that changed it has ended, so after asynchronous
// actions we also wait until the engine's own jobs for this flow (found by correlation id) have ended.
import type { OvirtClient } from '../ovirt/client';
import { collection, Job } from '../ovirt/representation';
import { flowCorrelationId, waitUntil } from './flow-context';

export function waitForEngineJobs(ovirt: OvirtClient, what: string, intervalMs: number): Promise<true> {
  const correlationId = flowCorrelationId();
  return waitUntil(
    `the engine's jobs for ${what} to end`,
    async () => {
      const jobs = await ovirt.get('/jobs', collection('job', Job), {
        query: { search: `correlation_id=${correlationId}` },
      });
      return jobs.some((j) => j.external === false && j.status === 'started') ? undefined : true;
    },
    { intervalMs },
  );
}
