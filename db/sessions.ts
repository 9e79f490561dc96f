// The web pages' sessions, kept in the server database so that every API server of a deployment knows them: a
// random id in an HttpOnly cookie, nothing derived from the API token, and only its hash stored (a copy of the
// database opens no session). A session ends when its owner logs out, after an hour unused, or twelve hours after
// login, whichever comes first; each login makes a new one (the id never survives a login).
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ServerTables } from './tables';

export interface SessionOptions {
  /** A session unused this long ends, in ms. @default 3600000 (1 hour) */
  idleMs?: number;
  /** A session ends this long after login whatever its use, in ms. @default 43200000 (12 hours) */
  maxAgeMs?: number;
  now?: () => number;
}

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

export function createSessionStore(db: Kysely<ServerTables>, options: SessionOptions = {}) {
  const idleMs = options.idleMs ?? 3_600_000;
  const maxAgeMs = options.maxAgeMs ?? 43_200_000;
  const now = options.now ?? Date.now;
  /** Ends the sessions past their idle time or maximum age. */
  const sweep = (at: number) =>
    db
      .deleteFrom('web_sessions')
      .where((eb) => eb.or([eb('last_used_at', '<=', at - idleMs), eb('created_at', '<=', at - maxAgeMs)]))
      .execute();

  return {
    /** Seconds a new session lives at the most (the cookie's Max-Age). */
    maxAgeSeconds: Math.floor(maxAgeMs / 1000),

    /** A new session; `replacing` (the caller's old session, if any) ends. */
    async create(replacing?: string): Promise<string> {
      const at = now();
      if (replacing) await this.end(replacing);
      await sweep(at);
      const id = randomBytes(32).toString('base64url');
      await db
        .insertInto('web_sessions')
        .values({ id_hash: hashOf(id), created_at: at, last_used_at: at })
        .execute();
      return id;
    },

    /** Whether `id` is a live session; using it keeps it alive. */
    async touch(id: string): Promise<boolean> {
      const at = now();
      const result = await db
        .updateTable('web_sessions')
        .set({ last_used_at: at })
        .where('id_hash', '=', hashOf(id))
        .where('last_used_at', '>', at - idleMs)
        .where('created_at', '>', at - maxAgeMs)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) return true;
      await db.deleteFrom('web_sessions').where('id_hash', '=', hashOf(id)).execute(); // expired, if it was there
      return false;
    },

    async end(id: string): Promise<void> {
      await db.deleteFrom('web_sessions').where('id_hash', '=', hashOf(id)).execute();
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
