// What an activity knows of the flow it serves: its correlation id (derived from the workflow id), and a
// cancellation-aware wait that heartbeats while oVirt's asynchronous work goes on.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { correlationIdFor } from './correlation';

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
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw ApplicationFailure.retryable(
        `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`,
        'WaitTimeout',
      );
    }
    ctx.heartbeat({ waitingFor: what });
    await ctx.sleep(opts.intervalMs ?? 1000);
  }
}
