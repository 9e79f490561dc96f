// The Correlation-Id of a flow, derived from its workflow id so that every retry, every worker, the API server and
// the tests compute the same one. oVirt keeps only [0-9a-zA-Z_-] and at most 36 characters, so long ids are shortened
// with a hash to stay unique.
import { createHash } from 'node:crypto';

export function correlationIdFor(workflowId: string): string {
  const clean = workflowId.replace(/[^0-9a-zA-Z_-]/g, '');
  if (clean === workflowId && clean.length <= 36) return clean;
  const hash = createHash('sha256').update(workflowId).digest('hex').slice(0, 12);
  return `${clean.slice(0, 23)}-${hash}`;
}
