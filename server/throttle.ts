// Failed-authentication throttling: after a few failures from one client within a window, every further attempt
// (right or wrong) is refused with 429 and Retry-After until the lock-out passes; each lock-out is longer than the
// last. A success resets the client's count. Keys are client addresses (the proxy's, behind one).
export interface ThrottleOptions {
  /** Failures allowed within `windowMs` before a lock-out. @default 10 */
  maxFailures?: number;
  /** @default 60000 */
  windowMs?: number;
  /** The first lock-out, in ms; each next one doubles, up to `maxLockMs`. @default 30000 */
  lockMs?: number;
  /** @default 900000 (15 minutes) */
  maxLockMs?: number;
  /** Keys tracked at the most; the oldest go first. @default 10000 */
  maxKeys?: number;
  now?: () => number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
  lockouts: number;
}

export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly o: Required<Omit<ThrottleOptions, 'now'>>;
  private readonly now: () => number;

  constructor(options: ThrottleOptions = {}) {
    this.o = {
      maxFailures: options.maxFailures ?? 10,
      windowMs: options.windowMs ?? 60_000,
      lockMs: options.lockMs ?? 30_000,
      maxLockMs: options.maxLockMs ?? 900_000,
      maxKeys: options.maxKeys ?? 10_000,
    };
    this.now = options.now ?? Date.now;
  }

  /** Seconds the key must wait before it may try again; 0 when it may try now. */
  retryAfter(key: string): number {
    const entry = this.entries.get(key);
    const wait = entry ? entry.lockedUntil - this.now() : 0;
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  failed(key: string): void {
    const now = this.now();
    let entry = this.entries.get(key);
    if (!entry) {
      while (this.entries.size >= this.o.maxKeys) this.entries.delete(this.entries.keys().next().value!);
      entry = { failures: [], lockedUntil: 0, lockouts: 0 };
      this.entries.set(key, entry);
    }
    entry.failures = entry.failures.filter((t) => now - t < this.o.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= this.o.maxFailures) {
      entry.lockedUntil = now + Math.min(this.o.maxLockMs, this.o.lockMs * 2 ** entry.lockouts);
      entry.lockouts += 1;
      entry.failures = [];
    }
  }

  succeeded(key: string): void {
    this.entries.delete(key);
  }
}
