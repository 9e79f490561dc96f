// The tests' one way to wait for a condition (never a sleep): poll until it holds, fail after a deadline.
import { pollUntil } from '../../common/poll';

/** Polls until `check` returns a value (not undefined or false), or fails after `timeoutMs`. */
export function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  return pollUntil(check, { what, timeoutMs, intervalMs: 100 });
}
