// The operator token: `Authorization: Bearer <HF_API_TOKEN>` on every API call.
import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { sendProblem } from './problem';

export function requireToken(token: string): RequestHandler {
  const expected = Buffer.from(token);
  return (req, res, next) => {
    const given = Buffer.from(/^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    res.set('WWW-Authenticate', 'Bearer');
    sendProblem(res, { status: 401, title: 'Unauthorized', detail: 'Send Authorization: Bearer <API token> (hybridflow dev prints it).' });
  };
}
