// Authentication: `Authorization: Bearer <HF_API_TOKEN>` for scripts and the CLI; for the web pages, a server-side
// session (server/sessions.ts) obtained by POSTing the token to /api/v1/session, so no token ever travels in a URL
// or a cookie. Calls that change something with the cookie must carry `X-Requested-By: hybridflow`, which another
// site's form cannot send (CSRF guard). Wrong tokens are throttled per client address (server/throttle.ts).
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ANSWERED, type Handlers } from './api/router';
import { sendProblem } from './problem';
import { SessionStore } from './sessions';
import { AuthThrottle } from './throttle';

export const SESSION_COOKIE = 'hf_session';

const equal = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export interface AuthOptions {
  sessions?: SessionStore;
  throttle?: AuthThrottle;
}

export function createAuth(token: string, options: AuthOptions = {}) {
  const sessions = options.sessions ?? new SessionStore();
  const throttle = options.throttle ?? new AuthThrottle();
  const client = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

  const unauthorized = (
    res: Response,
    detail = 'Send Authorization: Bearer <API token> (hybridflow dev prints it), or log in.',
  ) => {
    res.set('WWW-Authenticate', 'Bearer');
    sendProblem(res, { status: 401, title: 'Unauthorized', detail });
  };
  /** Answers 429 (and true) while the client is locked out after too many wrong tokens. */
  const lockedOut = (req: Request, res: Response): boolean => {
    const wait = throttle.retryAfter(client(req));
    if (!wait) return false;
    res.set('Retry-After', String(wait));
    sendProblem(res, {
      status: 429,
      title: 'Too many failed attempts',
      detail: `Too many wrong tokens from this address; try again in ${wait} s.`,
    });
    return true;
  };
  const checkToken = (req: Request, given: string): boolean => {
    if (equal(given, token)) {
      throttle.succeeded(client(req));
      return true;
    }
    throttle.failed(client(req));
    return false;
  };

  const require: RequestHandler = (req, res, next) => {
    if (lockedOut(req, res)) return;
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (bearer !== undefined) return checkToken(req, bearer) ? next() : unauthorized(res);
    const session = cookie(req.get('cookie'), SESSION_COOKIE);
    if (session === undefined) return unauthorized(res);
    if (!sessions.touch(session))
      return unauthorized(res, 'The session has ended (logged out or expired): log in again.');
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.get('x-requested-by') !== 'hybridflow') {
      return sendProblem(res, {
        status: 403,
        title: 'Forbidden',
        detail: 'Requests made with the session cookie must send X-Requested-By: hybridflow.',
      });
    }
    next();
  };

  /** Before a login: a client locked out after too many wrong tokens gets a 429. */
  const loginGuard: RequestHandler = (req, res, next) => {
    if (!lockedOut(req, res)) next();
  };

  /** Logging in (the token in the body) and out. */
  const sessionHandlers: Handlers<'logIn' | 'logOut'> = {
    logIn({ body }, { req, res }) {
      if (!checkToken(req, body.token)) {
        unauthorized(res);
        return ANSWERED;
      }
      const id = sessions.create(cookie(req.get('cookie'), SESSION_COOKIE));
      // Secure except over plain HTTP on this machine (the dev stack), where browsers would drop a Secure cookie.
      const secure = req.secure || !LOOPBACK.has(req.hostname);
      res.cookie(SESSION_COOKIE, id, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        secure,
        maxAge: sessions.maxAgeSeconds * 1000,
      });
    },
    logOut(_input, { req, res }) {
      const session = cookie(req.get('cookie'), SESSION_COOKIE);
      if (session !== undefined) sessions.end(session);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
    },
  };

  return { require, loginGuard, sessionHandlers, sessions };
}
