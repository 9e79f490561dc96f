// The web pages' sessions, kept on the server: a random id in an HttpOnly cookie, nothing derived from the API
// token. A session ends when its owner logs out, after an hour unused, or twelve hours after login, whichever
// comes first; each login makes a new one (the id never survives a login).
import { randomBytes } from 'node:crypto';

export interface SessionOptions {
  /** A session unused this long ends, in ms. @default 3600000 (1 hour) */
  idleMs?: number;
  /** A session ends this long after login whatever its use, in ms. @default 43200000 (12 hours) */
  maxAgeMs?: number;
  /** Sessions kept at the most; the oldest go first. @default 10000 */
  max?: number;
  now?: () => number;
}

interface Session {
  createdAt: number;
  lastUsedAt: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(options: SessionOptions = {}) {
    this.idleMs = options.idleMs ?? 3_600_000;
    this.maxAgeMs = options.maxAgeMs ?? 43_200_000;
    this.max = options.max ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds a new session lives at the most (the cookie's Max-Age). */
  get maxAgeSeconds(): number {
    return Math.floor(this.maxAgeMs / 1000);
  }

  /** A new session; `replacing` (the caller's old session, if any) ends. */
  create(replacing?: string): string {
    if (replacing) this.sessions.delete(replacing);
    this.sweep();
    while (this.sessions.size >= this.max) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    this.sessions.set(id, { createdAt: now, lastUsedAt: now });
    return id;
  }

  /** Whether `id` is a live session; using it keeps it alive. */
  touch(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    const now = this.now();
    if (this.expired(session, now)) {
      this.sessions.delete(id);
      return false;
    }
    session.lastUsedAt = now;
    return true;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private expired(s: Session, now: number): boolean {
    return now - s.lastUsedAt >= this.idleMs || now - s.createdAt >= this.maxAgeMs;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (this.expired(s, now)) this.sessions.delete(id);
  }
}
