// Slows down password guessing: failed logins are counted per client address and per user name; past a few failures
// within a window, every further login for that address or name is refused (429, `Retry-After`) for a delay that
// doubles with each further failure, up to a cap. A successful login resets the counts of its address and name.
// Refused attempts are not checked, so even the right password waits: a guesser learns nothing during a delay.

export interface ThrottleOptions {
  /** Failures allowed before the first delay. @default 5 */
  freeFailures?: number;
  /** Failures older than this are forgotten, in milliseconds. @default 15 minutes */
  windowMs?: number;
  /** The first delay, in milliseconds; each further failure doubles it. @default 1000 */
  firstDelayMs?: number;
  /** The longest delay, in milliseconds. @default 60 seconds */
  maxDelayMs?: number;
  /** Keys remembered at most; past this the oldest are forgotten. @default 10000 */
  maxKeys?: number;
  /** @default Date.now */
  now?: () => number;
}

interface Failures {
  count: number;
  last: number;
  blockedUntil: number;
}

/** A login refused because its address or user name failed too often; `retryAfterSec` for `Retry-After`. */
export class LoginThrottled extends Error {
  constructor(readonly retryAfterSec: number) {
    super(`Too many failed logins; try again in ${retryAfterSec} s`);
    this.name = 'LoginThrottled';
  }
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are the same client. */
const clientKey = (address: string | undefined): string => `address:${(address ?? 'unknown').replace(/^::ffff:/i, '')}`;
const userKey = (principal: string): string => `user:${principal.trim().toLowerCase()}`;

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();
  private readonly freeFailures: number;
  private readonly windowMs: number;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: ThrottleOptions = {}) {
    this.freeFailures = options.freeFailures ?? 5;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.firstDelayMs = options.firstDelayMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Runs `check` (a password check) unless the address or the user name is being held back, which throws
   * `LoginThrottled`; counts its failure (undefined) or resets both counts on success.
   */
  attempt<T>(address: string | undefined, principal: string, check: () => T | undefined): T | undefined {
    const keys = [clientKey(address), userKey(principal)];
    const now = this.now();
    const blockedUntil = Math.max(...keys.map((key) => this.current(key, now)?.blockedUntil ?? 0));
    if (blockedUntil > now) throw new LoginThrottled(Math.ceil((blockedUntil - now) / 1000));
    const result = check();
    for (const key of keys) {
      if (result !== undefined) this.failures.delete(key);
      else this.fail(key, now);
    }
    return result;
  }

  /** Forgets counts whose window has passed; run periodically. */
  sweep(): void {
    const now = this.now();
    for (const key of [...this.failures.keys()]) this.current(key, now);
  }

  get size(): number {
    return this.failures.size;
  }

  private current(key: string, now: number): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && now - entry.last > this.windowMs && entry.blockedUntil <= now) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  private fail(key: string, now: number): void {
    const entry = this.current(key, now) ?? { count: 0, last: now, blockedUntil: 0 };
    entry.count += 1;
    entry.last = now;
    if (entry.count >= this.freeFailures) {
      const doublings = Math.min(entry.count - this.freeFailures, 30);
      entry.blockedUntil = now + Math.min(this.firstDelayMs * 2 ** doublings, this.maxDelayMs);
    }
    // Re-inserted so the map's order is oldest failure first, which is what the cap drops.
    this.failures.delete(key);
    this.failures.set(key, entry);
    while (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }
}
