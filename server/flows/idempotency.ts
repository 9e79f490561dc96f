// The fingerprint an Idempotency-Key is kept with (db/idempotency-keys.ts): the same key may only come again with
// the same request.
import { createHash } from 'node:crypto';

/** A stable hash of a request: its operation and its fields in a fixed order. */
export function requestFingerprint(operation: string, fields: Record<string, unknown>): string {
  const canonical = JSON.stringify([
    operation,
    ...Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k]]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
