// Vendor API keys: `hfv_<key id>_<secret>`. The key id finds the row (and so the one vendor the key belongs to);
// only a SHA-256 of the secret is stored, compared in constant time. A key is shown once, when it is made.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY = /^hfv_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export const looksLikeVendorKey = (token: string) => token.startsWith('hfv_');

export function newVendorKey(): { keyId: string; apiKey: string; secretHash: string } {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { keyId, apiKey: `hfv_${keyId}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseVendorKey(apiKey: string): { keyId: string; secret: string } | undefined {
  const m = KEY.exec(apiKey);
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined;
}

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A webhook signing secret (shown once; the server keeps it sealed, since it signs with it). */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;
