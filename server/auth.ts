// Authentication: `Authorization: Bearer <HF_API_TOKEN>` for scripts and the CLI; for the web pages, a session
// cookie obtained by POSTing the token to /api/v1/session (so no token ever travels in a URL). The cookie holds an
// HMAC of the token, not the token. Calls that change something with the cookie must carry
// `X-Requested-By: hybridflow`, which another site's form cannot send (CSRF guard).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler, type Response } from 'express';
import { registerPath } from './openapi';
import { sendProblem } from './problem';
import { parse } from './validate';
import { z } from './zod';

export const SESSION_COOKIE = 'hf_session';
const SessionRequest = z.strictObject({ token: z.string().min(1, 'is required').max(500) }).openapi('SessionRequest');

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

registerPath({
  method: 'post',
  path: '/api/v1/session',
  summary: 'Log a browser in: exchanges the API token for a session cookie',
  tags: ['session'],
  security: [],
  request: { body: { content: { 'application/json': { schema: SessionRequest } }, required: true } },
  responses: { 204: { description: 'Logged in; the hf_session cookie is set' } },
});

export function createAuth(token: string) {
  const session = createHmac('sha256', token).update('hybridflow web session').digest('base64url');
  const unauthorized = (res: Response) => {
    res.set('WWW-Authenticate', 'Bearer');
    sendProblem(res, { status: 401, title: 'Unauthorized', detail: 'Send Authorization: Bearer <API token> (hybridflow dev prints it), or log in.' });
  };

  const require: RequestHandler = (req, res, next) => {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (bearer !== undefined) return equal(bearer, token) ? next() : unauthorized(res);
    const fromCookie = cookie(req.get('cookie'), SESSION_COOKIE);
    if (fromCookie === undefined || !equal(fromCookie, session)) return unauthorized(res);
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.get('x-requested-by') !== 'hybridflow') {
      return sendProblem(res, { status: 403, title: 'Forbidden', detail: 'Requests made with the session cookie must send X-Requested-By: hybridflow.' });
    }
    next();
  };

  /** POST logs in (the token in the body), DELETE logs out. */
  const sessionRoutes = Router();
  sessionRoutes.post('/session', (req, res) => {
    const { token: given } = parse(SessionRequest, req.body ?? {}, 'body');
    if (!equal(given, token)) return unauthorized(res);
    res.cookie(SESSION_COOKIE, session, { httpOnly: true, sameSite: 'strict', path: '/', secure: req.secure });
    res.status(204).end();
  });
  sessionRoutes.delete('/session', (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  return { require, sessionRoutes };
}
