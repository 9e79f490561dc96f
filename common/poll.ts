// Polling until something is there, written once for activities, the CLI's process supervision, the bench and the
// tests; the caller chooses how to sleep (an activity sleeps cancellably) and what to do between polls (heartbeat).

export interface PollOptions {
  /** What is awaited, for the timeout's message ("the engine to answer"). */
  what: string;
  timeoutMs: number;
  /** @default 200 */
  intervalMs?: number;
  /** @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each sleep (an activity heartbeats here). */
  onWait?: () => void;
  /** The error thrown at the deadline. @default an Error "Timed out after N s waiting for <what>" */
  timeoutError?: (message: string) => Error;
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls `check` until it returns something other than undefined (or false), and returns that. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: PollOptions,
): Promise<T> {
  const { what, timeoutMs, intervalMs = 200, sleep = timer } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) {
      const message = `Timed out after ${Math.round(timeoutMs / 100) / 10} s waiting for ${what}`;
      throw options.timeoutError ? options.timeoutError(message) : new Error(message);
    }
    options.onWait?.();
    await sleep(Math.max(1, Math.min(intervalMs, deadline - Date.now())));
  }
}
