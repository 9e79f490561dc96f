// What an activity knows of the flow it serves: its correlation id (derived from the workflow id), and a
// cancellation-aware wait that heartbeats while oVirt's asynchronous work goes on.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { pollUntil } from '../common/poll';
import { correlationIdFor } from '../common/correlation';

export function flowCorrelationId(): string {
  const { workflowExecution, activityId } = Context.current().info;
  return correlationIdFor(workflowExecution?.workflowId ?? activityId);
}

export interface WaitOptions {
  /** @default 600000 (10 minutes) */
  timeoutMs?: number;
  /** @default 1000 */
  intervalMs?: number;
}

/**
 * Polls `check` until it returns a value. Heartbeats on every poll (so a dead worker is noticed and a cancel
 * reaches us); times out with a retryable `WaitTimeout` failure.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: WaitOptions = {},
): Promise<T> {
  const ctx = Context.current();
  return pollUntil(check, {
    what,
    timeoutMs: opts.timeoutMs ?? 600_000,
    intervalMs: opts.intervalMs ?? 1000,
    sleep: (ms) => ctx.sleep(ms),
    onWait: () => ctx.heartbeat({ waitingFor: what }),
    timeoutError: (message) => ApplicationFailure.retryable(message, 'WaitTimeout'),
  });
}
