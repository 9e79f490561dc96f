// Idempotency-Key records (as in the IETF Idempotency-Key draft): the key kept whole, scoped to its operation, with
// the fingerprint of the request it came with. The same key with the same request finds the same flow; with another
// request it is refused (422), never silently answered with the first flow. In the server database, so that a
// restarted API server, or another one sharing DATABASE_URL, still knows the keys.
import type { Kysely } from 'kysely';
import type { ServerTables } from './tables';

export interface IdempotencyRecord {
  flowId: string;
  /** Of the request as resolved (the source VM by id): the same operation whether it named the VM or gave its id. */
  fingerprint: string;
}

export function createIdempotencyStore(db: Kysely<ServerTables>) {
  const get = async (operation: string, key: string): Promise<IdempotencyRecord | undefined> => {
    const row = await db
      .selectFrom('idempotency_keys')
      .select(['flow_id', 'fingerprint'])
      .where('operation', '=', operation)
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? { flowId: row.flow_id, fingerprint: row.fingerprint } : undefined;
  };
  return {
    get,
    /** Records the key for `record` unless it is recorded already; answers the record that holds (first one wins). */
    async claim(operation: string, key: string, record: IdempotencyRecord): Promise<IdempotencyRecord> {
      await db
        .insertInto('idempotency_keys')
        .values({ operation, key, fingerprint: record.fingerprint, flow_id: record.flowId, created_at: Date.now() })
        .onConflict((c) => c.columns(['operation', 'key']).doNothing())
        .execute();
      return (await get(operation, key))!;
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
