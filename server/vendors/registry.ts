// The vendor registry: vendors, their API keys (hashes only) and the activities they registered, in the server
// database. Every answer is shaped by schemas.ts; nothing here ever returns a key or secret after it was made.
import type { ServerDb } from '../../db/database';
import type { VendorActivityTable, VendorTable } from '../../db/tables';
import { HttpProblem } from '../problem';
import { newVendorKey, newWebhookSecret, parseVendorKey, secretMatches } from './keys';
import type { ActivityRegistration, ActivityRegistrationRequest, Vendor, VendorCreateRequest } from './schemas';
import type { SecretBox } from '../../common/secret-box';

export interface RegistryOptions {
  db: ServerDb;
  box: SecretBox;
  /** The main task queue: a temporal-mode vendor polls `<taskQueue>.vendor.<id>` unless it names its own. */
  taskQueue: string;
}

const now = () => new Date().toISOString();

export const vendorNotFound = (id: string) =>
  new HttpProblem({ status: 404, title: 'Vendor not found', detail: `No vendor with id ${id}` });

function activityOf(row: VendorActivityTable): ActivityRegistration {
  return {
    name: row.name,
    description: row.description,
    inputSchema: JSON.parse(row.input_schema) as Record<string, unknown>,
    outputSchema: JSON.parse(row.output_schema) as Record<string, unknown>,
    startToCloseTimeout: row.start_to_close_timeout,
    heartbeatTimeout: row.heartbeat_timeout,
    retry: row.retry ? (JSON.parse(row.retry) as ActivityRegistration['retry']) : null,
    updatedAt: row.updated_at,
  };
}

export function createVendorRegistry({ db, box, taskQueue }: RegistryOptions) {
  async function row(id: string): Promise<VendorTable> {
    const found = await db.selectFrom('vendors').selectAll().where('id', '=', id).executeTakeFirst();
    if (!found) throw vendorNotFound(id);
    return found;
  }

  async function activities(vendorId: string): Promise<ActivityRegistration[]> {
    const rows = await db
      .selectFrom('vendor_activities')
      .selectAll()
      .where('vendor_id', '=', vendorId)
      .orderBy('name')
      .execute();
    return rows.map(activityOf);
  }

  async function shape(v: VendorTable): Promise<Omit<Vendor, 'online'>> {
    const keys = await db
      .selectFrom('vendor_keys')
      .select(['id', 'created_at', 'revoked_at'])
      .where('vendor_id', '=', v.id)
      .orderBy('created_at')
      .execute();
    return {
      id: v.id,
      name: v.name,
      mode: v.mode,
      taskQueue: v.task_queue,
      webhook: v.webhook_url ? { url: v.webhook_url } : null,
      activities: await activities(v.id),
      keys: keys.map((k) => ({ keyId: k.id, createdAt: k.created_at, revokedAt: k.revoked_at })),
      createdAt: v.created_at,
      lastSeenAt: v.last_seen_at,
    };
  }

  /** Records that the vendor was heard from (its online state in webhook mode). */
  async function touch(vendorId: string): Promise<void> {
    await db.updateTable('vendors').set({ last_seen_at: now() }).where('id', '=', vendorId).execute();
  }

  async function addKey(vendorId: string) {
    const key = newVendorKey();
    await db
      .insertInto('vendor_keys')
      .values({ id: key.keyId, vendor_id: vendorId, secret_hash: key.secretHash, created_at: now(), revoked_at: null })
      .execute();
    return { keyId: key.keyId, apiKey: key.apiKey };
  }

  return {
    /** Creates a vendor and its first key; 409 if the id is taken. The key (and webhook secret) are shown once. */
    async create(req: VendorCreateRequest) {
      const webhookSecret = req.mode === 'webhook' ? newWebhookSecret() : undefined;
      const inserted = await db
        .insertInto('vendors')
        .values({
          id: req.id,
          name: req.name,
          mode: req.mode,
          task_queue: req.mode === 'temporal' ? (req.taskQueue ?? `${taskQueue}.vendor.${req.id}`) : null,
          webhook_url: req.webhook?.url ?? null,
          webhook_secret_sealed: webhookSecret ? box.seal(webhookSecret) : null,
          created_at: now(),
          last_seen_at: null,
        })
        .onConflict((c) => c.column('id').doNothing())
        .executeTakeFirst();
      if (!inserted.numInsertedOrUpdatedRows) {
        throw new HttpProblem({
          status: 409,
          title: 'Vendor id taken',
          detail: `A vendor with id ${req.id} exists already.`,
          errors: [{ field: 'body.id', message: 'is taken' }],
        });
      }
      const { apiKey } = await addKey(req.id);
      return { vendor: await shape(await row(req.id)), apiKey, ...(webhookSecret ? { webhookSecret } : {}) };
    },

    async list() {
      const rows = await db.selectFrom('vendors').selectAll().orderBy('id').execute();
      return Promise.all(rows.map(shape));
    },

    async get(id: string) {
      return shape(await row(id));
    },

    /** The vendor if it exists, else undefined (no 404). */
    async find(id: string) {
      const found = await db.selectFrom('vendors').selectAll().where('id', '=', id).executeTakeFirst();
      return found ? shape(found) : undefined;
    },

    async remove(id: string) {
      await row(id);
      await db.deleteFrom('vendors').where('id', '=', id).execute();
    },

    async newKey(vendorId: string) {
      await row(vendorId);
      return addKey(vendorId);
    },

    /** Revokes a key of this vendor (404 for a key of another vendor); idempotent. */
    async revokeKey(vendorId: string, keyId: string) {
      await row(vendorId);
      const result = await db
        .updateTable('vendor_keys')
        .set({ revoked_at: now() })
        .where('id', '=', keyId)
        .where('vendor_id', '=', vendorId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (!result.numUpdatedRows) {
        const exists = await db
          .selectFrom('vendor_keys')
          .select('id')
          .where('id', '=', keyId)
          .where('vendor_id', '=', vendorId)
          .executeTakeFirst();
        if (!exists) throw new HttpProblem({ status: 404, title: 'Key not found', detail: `No key ${keyId}` });
      }
    },

    /** The vendor a key belongs to, if the key is one of its live keys. */
    async authenticate(apiKey: string): Promise<string | undefined> {
      const parsed = parseVendorKey(apiKey);
      if (!parsed) return undefined;
      const key = await db
        .selectFrom('vendor_keys')
        .select(['vendor_id', 'secret_hash', 'revoked_at'])
        .where('id', '=', parsed.keyId)
        .executeTakeFirst();
      if (!key || key.revoked_at !== null || !secretMatches(parsed.secret, key.secret_hash)) return undefined;
      await touch(key.vendor_id);
      return key.vendor_id;
    },

    touch,

    /** The webhook signing secret of a webhook-mode vendor (for signing deliveries only). */
    async webhookSecret(vendorId: string): Promise<string | undefined> {
      const v = await row(vendorId);
      return v.webhook_secret_sealed ? box.open(v.webhook_secret_sealed) : undefined;
    },

    activities,

    /** Registers (or replaces) one activity; `created` says which. The request was checked by contract-check.ts. */
    async putActivity(vendorId: string, name: string, req: ActivityRegistrationRequest) {
      const values = {
        description: req.description,
        input_schema: JSON.stringify(req.inputSchema),
        output_schema: JSON.stringify(req.outputSchema),
        start_to_close_timeout: req.startToCloseTimeout ?? null,
        heartbeat_timeout: req.heartbeatTimeout ?? null,
        retry: req.retry ? JSON.stringify(req.retry) : null,
        updated_at: now(),
      };
      const existed = await db
        .selectFrom('vendor_activities')
        .select('name')
        .where('vendor_id', '=', vendorId)
        .where('name', '=', name)
        .executeTakeFirst();
      await db
        .insertInto('vendor_activities')
        .values({ vendor_id: vendorId, name, ...values })
        .onConflict((c) => c.columns(['vendor_id', 'name']).doUpdateSet(values))
        .execute();
      const saved = (await activities(vendorId)).find((a) => a.name === name)!;
      return { created: !existed, activity: saved };
    },
  };
}

export type VendorRegistry = ReturnType<typeof createVendorRegistry>;
