// The shape of a browser's login (POST /api/v1/session).
import { z } from './zod';

export const SessionRequest = z
  .strictObject({ token: z.string().min(1, 'is required').max(500) })
  .openapi('SessionRequest');
