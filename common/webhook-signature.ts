// How hybridflow signs a webhook delivery, as a vendor checks it (README, "Webhook vendors").
import { createHmac } from 'node:crypto';

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. */
export const webhookSignature = (secret: string, timestamp: number, body: string) =>
  `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
