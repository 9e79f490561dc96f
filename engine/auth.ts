// Authentication as oVirt does it: the SSO token endpoint hands out bearer tokens; API calls carry
// `Authorization: Bearer <token>` (or deprecated Basic). Tokens live in memory, like oVirt's SSO sessions, so a
// restart invalidates them and clients fetch a new one after a 401. Password checks go through a throttle (429 after
// repeated failures); idle tokens are swept away. Two roles: `admin` may do everything, `user` may only read.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { RequestHandler, Response } from 'express';
import type { Db } from './db';
import { ApiFault, loginsHeldBack, notAuthorized, safeEcho, writeSsoError } from './faults';
import type { ThrottleOptions } from './login-throttle';
import { LoginThrottle, LoginThrottled } from './login-throttle';

/** oVirt's well-known id of admin@internal. */
export const ADMIN_USER_ID = 'fdfc627c-d875-11e0-90f0-83df133b58cc';
/** A second user, with the `user` role (reads only); same password as the admin. */
export const PLAIN_USER = 'user@internal';
/** A token unused for this long expires (oVirt's UserSessionTimeOutInterval, 30 minutes). */
export const TOKEN_IDLE_MS = 30 * 60_000;
/** How often expired tokens and stale failure counts are swept away. */
export const SWEEP_INTERVAL_MS = 60_000;
/** Tokens kept at most; past this the least recently issued is dropped (its client logs in again after a 401). */
export const MAX_TOKENS = 10_000;

/**
 * `admin` holds every permission (oVirt's SuperUser: INJECT_EXTERNAL_TASKS, VM and disk operations, and the
 * built-in engine's own hooks); `user` may read everything and change nothing.
 */
export const ROLES = ['admin', 'user'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  name: string;
  domain: string;
  role: Role;
}

export interface AuthOptions {
  adminUser: string;
  adminPassword: string;
  /** Failed-login throttling (defaults: 5 failures, then 1 s doubling up to 60 s; 15 minute window). */
  throttle?: ThrottleOptions;
  /** @default Date.now */
  now?: () => number;
}

interface UserRow {
  id: string;
  name: string;
  domain: string;
  role: string;
}

const splitPrincipal = (principal: string): { name: string; domain: string } => {
  const at = principal.lastIndexOf('@');
  return at > 0
    ? { name: principal.slice(0, at), domain: principal.slice(at + 1) }
    : { name: principal, domain: 'internal' };
};

/**
 * Users, passwords and tokens; `ensureUsers` makes the two known users exist in the database with their roles.
 * Runs a periodic sweep of idle tokens (unref'd) until `close()`.
 */
export class Authenticator {
  private readonly tokens = new Map<string, { userId: string; expiresAt: number }>();
  private readonly byPrincipal = new Map<string, User>();
  private readonly byId = new Map<string, User>();
  private readonly throttle: LoginThrottle;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly options: AuthOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.throttle = new LoginThrottle({ now: this.now, ...options.throttle });
    this.ensureUsers();
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** Stops the periodic sweep. */
  close(): void {
    clearInterval(this.sweeper);
  }

  /** Drops expired tokens and forgotten login failures. */
  sweep(): void {
    const now = this.now();
    for (const [token, session] of this.tokens) if (session.expiresAt <= now) this.tokens.delete(token);
    this.throttle.sweep();
  }

  /** Tokens held (for tests and monitoring). */
  get tokenCount(): number {
    return this.tokens.size;
  }

  /** Users known, and how many of them hold a live token: the `users` of the API root's summary. */
  userCounts(): { total: number; active: number } {
    const now = this.now();
    const active = new Set<string>();
    for (const session of this.tokens.values()) if (session.expiresAt > now) active.add(session.userId);
    return { total: this.byId.size, active: active.size };
  }

  private ensureUsers(): void {
    const admin = splitPrincipal(this.options.adminUser);
    const plain = splitPrincipal(PLAIN_USER);
    const find = this.db.prepare<[string, string], UserRow>(
      'SELECT id, name, domain, role FROM users WHERE name = ? AND domain = ?',
    );
    const insert = this.db.prepare('INSERT INTO users (id, name, domain, role) VALUES (?, ?, ?, ?)');
    // The role follows the configuration: a user named admin earlier and not now loses the role.
    const setRole = this.db.prepare('UPDATE users SET role = ? WHERE id = ?');
    const wanted: { name: string; domain: string; role: Role; id: string }[] = [
      {
        ...admin,
        role: 'admin',
        id: admin.name === 'admin' && admin.domain === 'internal' ? ADMIN_USER_ID : crypto.randomUUID(),
      },
    ];
    if (plain.name !== admin.name || plain.domain !== admin.domain)
      wanted.push({ ...plain, role: 'user', id: crypto.randomUUID() });
    for (const w of wanted) {
      let row = find.get(w.name, w.domain);
      if (!row) {
        insert.run(w.id, w.name, w.domain, w.role);
        row = find.get(w.name, w.domain)!;
      } else if (row.role !== w.role) {
        setRole.run(w.role, row.id);
        row = { ...row, role: w.role };
      }
      const user: User = {
        id: row.id,
        name: row.name,
        domain: row.domain,
        role: row.role === 'admin' ? 'admin' : 'user',
      };
      this.byPrincipal.set(`${user.name}@${user.domain}`, user);
      this.byId.set(user.id, user);
    }
  }

  userById(id: string): User | undefined {
    return this.byId.get(id);
  }

  /** Every known user (the admin and `user@internal`). */
  users(): User[] {
    return [...this.byId.values()];
  }

  /**
   * The user for these credentials, or undefined, counted by the login throttle per client address and user name;
   * throws `LoginThrottled` while either is held back.
   */
  login(principal: string, password: string, clientAddress: string | undefined): User | undefined {
    return this.throttle.attempt(clientAddress, principal, () => this.check(principal, password));
  }

  /** The user for these credentials, or undefined. A bare name means the `internal` domain. Not throttled. */
  private check(principal: string, password: string): User | undefined {
    const { name, domain } = splitPrincipal(principal);
    const user = this.byPrincipal.get(`${name}@${domain}`);
    if (!user) return undefined;
    const expected = Buffer.from(this.options.adminPassword);
    const given = Buffer.from(password);
    return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? user : undefined;
  }

  issueToken(user: User): { token: string; expiresAt: number } {
    const token = crypto.randomBytes(32).toString('base64url');
    const expiresAt = this.now() + TOKEN_IDLE_MS;
    this.tokens.set(token, { userId: user.id, expiresAt });
    while (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
    return { token, expiresAt };
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  /** The token's user; each use extends the token's life. */
  userForToken(token: string): User | undefined {
    const session = this.tokens.get(token);
    if (!session) return undefined;
    const now = this.now();
    if (session.expiresAt <= now) {
      this.tokens.delete(token);
      return undefined;
    }
    session.expiresAt = now + TOKEN_IDLE_MS;
    return this.byId.get(session.userId);
  }
}

/** The scope a token must be asked for, as oVirt's SSO requires of REST API clients. */
export const API_SCOPE = 'ovirt-app-api';

/**
 * `POST /ovirt-engine/sso/oauth/token` and `/revoke`, answering JSON as oVirt's SSO does (`error_code`, `error`).
 * Parameters come from the form body only: a query string would put the password in access logs and browser
 * history, so any is refused. Failed logins are throttled (429 with `Retry-After`).
 */
export function ssoRouter(auth: Authenticator): express.Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));
  router.post('/oauth/token', (req, res) => {
    const queryAt = req.originalUrl.indexOf('?');
    if (queryAt >= 0 && queryAt < req.originalUrl.length - 1) {
      return writeSsoError(
        res,
        400,
        'invalid_request',
        'The token endpoint takes its parameters in the form-encoded request body only, not in the query string.',
      );
    }
    const params = (req.body as Record<string, unknown> | undefined) ?? {};
    const param = (name: string): string | undefined =>
      typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined;
    const grantType = param('grant_type');
    if (!grantType) return writeSsoError(res, 400, 'invalid_request', "No 'grant_type' parameter in request.");
    if (grantType !== 'password')
      return writeSsoError(res, 400, 'unsupported_grant_type', `The grant type '${grantType}' is not supported.`);
    const scope = param('scope');
    if (!scope) return writeSsoError(res, 400, 'invalid_request', "No 'scope' parameter in request.");
    if (!scope.split(' ').includes(API_SCOPE)) {
      return writeSsoError(res, 400, 'invalid_scope', `The requested scope must include '${API_SCOPE}'.`);
    }
    const username = param('username');
    const password = param('password');
    if (!username) return writeSsoError(res, 400, 'invalid_request', "No 'username' parameter in request.");
    if (password === undefined)
      return writeSsoError(res, 400, 'invalid_request', "No 'password' parameter in request.");
    let user: User | undefined;
    try {
      user = auth.login(username, password, req.socket.remoteAddress);
    } catch (err) {
      if (!(err instanceof LoginThrottled)) throw err;
      return writeSsoError(res, 429, 'temporarily_unavailable', loginsHeldBack(res, err.retryAfterSec));
    }
    if (!user) {
      return writeSsoError(
        res,
        400,
        'access_denied',
        `Cannot authenticate user '${safeEcho(username, 64)}': The username or password is incorrect..`,
      );
    }
    const { token, expiresAt } = auth.issueToken(user);
    res.json({ access_token: token, scope, exp: String(expiresAt), token_type: 'bearer' });
  });
  router.post('/oauth/revoke', (req, res) => {
    const token = (req.body as Record<string, unknown> | undefined)?.token;
    if (typeof token === 'string') auth.revoke(token);
    res.json({});
  });
  return router;
}

/**
 * `POST /ovirt-engine/services/sso-logout` (form `token`, `scope`): what the SDKs call on `close()`. As oVirt's
 * services webapp does, it revokes the token through the SSO and answers the SSO's JSON: `{}`, also for a token
 * it does not know or an empty one (the Go SDK sends the token it was given, empty after a password login).
 */
export function ssoLogoutRouter(auth: Authenticator): express.Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));
  router.all('/sso-logout', (req, res) => {
    const token = (req.body as Record<string, unknown> | undefined)?.token ?? req.query.token;
    if (typeof token !== 'string') {
      return writeSsoError(res, 200, 'invalid_request', "No 'token' parameter in request.");
    }
    if (token !== '') auth.revoke(token);
    res.json({});
  });
  return router;
}

const unauthorized = (detail: string): ApiFault => new ApiFault(401, 'Unauthorized', detail);

/**
 * The user of an `Authorization` header (Bearer token or Basic credentials), or undefined. Basic credentials go
 * through the login throttle (throws `LoginThrottled`).
 */
export function userOfAuthorization(
  auth: Authenticator,
  header: string,
  clientAddress: string | undefined,
): User | undefined {
  const [scheme, credentials] = header.split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer' && credentials) return auth.userForToken(credentials);
  if (scheme?.toLowerCase() === 'basic' && credentials) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return auth.login(decoded.slice(0, colon), decoded.slice(colon + 1), clientAddress);
  }
  return undefined;
}

/** The session cookie of `Prefer: persistent-auth`, named and scoped as oVirt's. */
const SESSION_COOKIE = 'JSESSIONID';
const SESSION_COOKIE_PATH = '/ovirt-engine/api';

const wantsPersistentAuth = (req: IncomingMessage): boolean =>
  /(?:^|[\s,;])persistent-auth(?:$|[\s,;=])/i.test(String(req.headers.prefer ?? ''));

const sessionCookie = (req: IncomingMessage): string | undefined =>
  /(?:^|;\s*)JSESSIONID=([^;\s]+)/.exec(req.headers.cookie ?? '')?.[1];

/**
 * The caller of a request; otherwise throws the 401 fault, `WWW-Authenticate: Basic realm="RESTAPI"` set, or the
 * 429 fault with `Retry-After` while failed Basic logins are held back.
 *
 * `Prefer: persistent-auth`, as oVirt: a Basic login answers a session cookie (`JSESSIONID`, an SSO token like any
 * other), and a later call with the cookie and the same header needs no credentials. Without the header the cookie
 * counts for nothing, so a page of another site cannot ride on it.
 */
export function authenticate(auth: Authenticator, req: IncomingMessage, res: ServerResponse): User {
  const header = req.headers.authorization ?? '';
  const persistent = wantsPersistentAuth(req);
  let user: User | undefined;
  try {
    user = userOfAuthorization(auth, header, req.socket.remoteAddress);
  } catch (err) {
    if (!(err instanceof LoginThrottled)) throw err;
    throw new ApiFault(429, 'Too Many Requests', loginsHeldBack(res, err.retryAfterSec));
  }
  if (persistent) {
    const session = sessionCookie(req);
    if (!header && session !== undefined) user = auth.userForToken(session);
    else if (user && /^basic\s/i.test(header)) {
      const { token } = auth.issueToken(user);
      res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${token}; Path=${SESSION_COOKIE_PATH}; HttpOnly`);
    }
  }
  if (user) return user;
  res.setHeader('WWW-Authenticate', 'Basic realm="RESTAPI"');
  throw unauthorized(header ? 'The credentials or token are invalid or expired.' : 'Authentication is required.');
}

/** Resolves the caller from Bearer or Basic credentials into `res.locals.user`; 401 with a fault otherwise. */
export function requireUser(auth: Authenticator): RequestHandler {
  return (req, res, next) => {
    res.locals.user = authenticate(auth, req, res);
    next();
  };
}

export const currentUser = (res: Response): User => res.locals.user as User;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a method changes something (every method but GET, HEAD and OPTIONS). */
export const isWrite = (method: string): boolean => !READ_METHODS.has(method.toUpperCase());

/** 403 with oVirt's fault unless the user has the admin role. */
export function assertAdmin(user: User): void {
  if (user.role !== 'admin') throw notAuthorized();
}

/** After `requireUser`: 403 for every write by a user without the admin role; reads go on. */
export const writesNeedAdmin: RequestHandler = (req, res, next) => {
  if (isWrite(req.method)) assertAdmin(currentUser(res));
  next();
};
