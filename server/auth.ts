// Authentication: `Authorization: Bearer <HF_API_TOKEN>` for scripts and the CLI; for the web pages, a server-side
// session (server/sessions.ts) obtained by POSTing the token to /api/v1/session, so no token ever travels in a URL
// or a cookie. Calls that change something with the cookie must carry `X-Requested-By: hybridflow`, which another
// site's form cannot send (CSRF guard). Wrong tokens are throttled per client address (server/throttle.ts).
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { ANSWERED, type Handlers } from './api/router';
import { sendProblem } from './problem';
import type { SessionStore } from '../db/sessions';
import { looksLikeVendorKey } from './vendors/keys';
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
  /** The web pages' sessions (the server database). */
  sessions: SessionStore;
  throttle?: AuthThrottle;
  /** Finds the vendor a vendor key (hfv_...) belongs to: the registry's `authenticate`. @default none */
  vendorKeys?: (key: string) => Promise<string | undefined>;
}

export function createAuth(token: string, options: AuthOptions) {
  const { sessions } = options;
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

  const forbidden = (res: Response, detail: string) => sendProblem(res, { status: 403, title: 'Forbidden', detail });
  const bearerOf = (req: Request) => /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
  /** The vendor a bearer vendor key belongs to; a wrong key counts as a failed attempt. */
  const vendorOf = async (req: Request, key: string): Promise<string | undefined> => {
    const vendor = options.vendorKeys ? await options.vendorKeys(key) : undefined;
    if (vendor) throttle.succeeded(client(req));
    else throttle.failed(client(req));
    return vendor;
  };

  const require: RequestHandler = async (req, res, next) => {
    if (lockedOut(req, res)) return;
    const bearer = bearerOf(req);
    if (bearer !== undefined && looksLikeVendorKey(bearer)) {
      if (!(await vendorOf(req, bearer))) return unauthorized(res, 'This vendor key is unknown or revoked.');
      return forbidden(res, 'A vendor key reaches only the vendor API (/api/v1/vendor/...).');
    }
    if (bearer !== undefined) return checkToken(req, bearer) ? next() : unauthorized(res);
    const session = cookie(req.get('cookie'), SESSION_COOKIE);
    if (session === undefined) return unauthorized(res);
    if (!(await sessions.touch(session)))
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

  /** The vendor API: a vendor's live key only; the vendor goes to res.locals.vendorId. */
  const vendor: RequestHandler = async (req, res, next) => {
    if (lockedOut(req, res)) return;
    const bearer = bearerOf(req);
    const vendorHelp = 'Send Authorization: Bearer <vendor key> (POST /api/v1/vendors shows it once).';
    if (bearer === undefined) {
      if (cookie(req.get('cookie'), SESSION_COOKIE) !== undefined)
        return forbidden(res, 'The vendor API takes a vendor key, not a browser session.');
      return unauthorized(res, vendorHelp);
    }
    if (!looksLikeVendorKey(bearer)) {
      if (checkToken(req, bearer)) return forbidden(res, 'The vendor API takes a vendor key, not the operator token.');
      return unauthorized(res, vendorHelp);
    }
    const id = await vendorOf(req, bearer);
    if (!id) return unauthorized(res, 'This vendor key is unknown or revoked.');
    res.locals.vendorId = id;
    next();
  };

  /** Before a login: a client locked out after too many wrong tokens gets a 429. */
  const loginGuard: RequestHandler = (req, res, next) => {
    if (!lockedOut(req, res)) next();
  };

  /** Logging in (the token in the body) and out. */
  const sessionHandlers: Handlers<'logIn' | 'logOut'> = {
    async logIn({ body }, { req, res }) {
      if (!checkToken(req, body.token)) {
        unauthorized(res);
        return ANSWERED;
      }
      const id = await sessions.create(cookie(req.get('cookie'), SESSION_COOKIE));
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
    async logOut(_input, { req, res }) {
      const session = cookie(req.get('cookie'), SESSION_COOKIE);
      if (session !== undefined) await sessions.end(session);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
    },
  };

  return { require, vendor, loginGuard, sessionHandlers, sessions };
}
