// Authentication as oVirt does it: the SSO token endpoint hands out bearer tokens; API calls carry
// `Authorization: Bearer <token>` (or deprecated Basic). Tokens live in memory, like oVirt's SSO sessions, so a
// restart invalidates them and clients fetch a new one after a 401.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { RequestHandler, Response } from 'express';
import type { Db } from './db';
import { ApiFault, notAuthorized } from './faults';

/** oVirt's well-known id of admin@internal. */
export const ADMIN_USER_ID = 'fdfc627c-d875-11e0-90f0-83df133b58cc';
/** A second user, without the INJECT_EXTERNAL_TASKS permission; same password as the admin. */
export const PLAIN_USER = 'user@internal';
/** A token unused for this long expires (oVirt's UserSessionTimeOutInterval, 30 minutes). */
export const TOKEN_IDLE_MS = 30 * 60_000;

export interface User {
  id: string;
  name: string;
  domain: string;
  canInjectExternalTasks: boolean;
}

export interface AuthOptions {
  adminUser: string;
  adminPassword: string;
}

interface UserRow {
  id: string;
  name: string;
  domain: string;
  can_inject_external_tasks: number;
}

const splitPrincipal = (principal: string): { name: string; domain: string } => {
  const at = principal.lastIndexOf('@');
  return at > 0 ? { name: principal.slice(0, at), domain: principal.slice(at + 1) } : { name: principal, domain: 'internal' };
};

/** Users, passwords and tokens; `ensureUsers` makes the two known users exist in the database. */
export class Authenticator {
  private readonly tokens = new Map<string, { userId: string; expiresAt: number }>();
  private readonly byPrincipal = new Map<string, User>();
  private readonly byId = new Map<string, User>();

  constructor(
    private readonly db: Db,
    private readonly options: AuthOptions,
  ) {
    this.ensureUsers();
  }

  private ensureUsers(): void {
    const admin = splitPrincipal(this.options.adminUser);
    const plain = splitPrincipal(PLAIN_USER);
    const find = this.db.prepare<[string, string], UserRow>('SELECT * FROM users WHERE name = ? AND domain = ?');
    const insert = this.db.prepare('INSERT INTO users (id, name, domain, can_inject_external_tasks) VALUES (?, ?, ?, ?)');
    const wanted = [
      { ...admin, canInject: true, id: admin.name === 'admin' && admin.domain === 'internal' ? ADMIN_USER_ID : crypto.randomUUID() },
      { ...plain, canInject: false, id: crypto.randomUUID() },
    ];
    for (const w of wanted) {
      let row = find.get(w.name, w.domain);
      if (!row) {
        insert.run(w.id, w.name, w.domain, w.canInject ? 1 : 0);
        row = find.get(w.name, w.domain)!;
      }
      const user: User = { id: row.id, name: row.name, domain: row.domain, canInjectExternalTasks: row.can_inject_external_tasks === 1 };
      this.byPrincipal.set(`${user.name}@${user.domain}`, user);
      this.byId.set(user.id, user);
    }
  }

  userById(id: string): User | undefined {
    return this.byId.get(id);
  }

  /** The user for these credentials, or undefined. A bare name means the `internal` domain. */
  check(principal: string, password: string): User | undefined {
    const { name, domain } = splitPrincipal(principal);
    const user = this.byPrincipal.get(`${name}@${domain}`);
    if (!user) return undefined;
    const expected = Buffer.from(this.options.adminPassword);
    const given = Buffer.from(password);
    return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? user : undefined;
  }

  issueToken(user: User): { token: string; expiresAt: number } {
    const token = crypto.randomBytes(32).toString('base64url');
    const expiresAt = Date.now() + TOKEN_IDLE_MS;
    this.tokens.set(token, { userId: user.id, expiresAt });
    return { token, expiresAt };
  }

  revoke(token: string): void {
    this.tokens.delete(token);
  }

  /** The token's user; each use extends the token's life. */
  userForToken(token: string): User | undefined {
    const session = this.tokens.get(token);
    if (!session) return undefined;
    const now = Date.now();
    if (session.expiresAt <= now) {
      this.tokens.delete(token);
      return undefined;
    }
    session.expiresAt = now + TOKEN_IDLE_MS;
    return this.byId.get(session.userId);
  }
}

const ssoError = (res: Response, status: number, code: string, message: string): void => {
  res.status(status).json({ error_code: code, error: message });
};

/** `POST /ovirt-engine/sso/oauth/token` and `/revoke`, answering JSON as oVirt's SSO does. */
export function ssoRouter(auth: Authenticator): express.Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));
  router.post('/oauth/token', (req, res) => {
    const params: Record<string, unknown> = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown> | undefined) ?? {}) };
    const param = (name: string): string | undefined => (typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined);
    const grantType = param('grant_type');
    if (!grantType) return ssoError(res, 400, 'invalid_request', "No 'grant_type' parameter in request.");
    if (grantType !== 'password') return ssoError(res, 400, 'unsupported_grant_type', `The grant type '${grantType}' is not supported.`);
    const scope = param('scope');
    if (!scope) return ssoError(res, 400, 'invalid_request', "No 'scope' parameter in request.");
    const username = param('username');
    const password = param('password');
    if (!username) return ssoError(res, 400, 'invalid_request', "No 'username' parameter in request.");
    if (password === undefined) return ssoError(res, 400, 'invalid_request', "No 'password' parameter in request.");
    const user = auth.check(username, password);
    if (!user) {
      return ssoError(res, 400, 'access_denied', `Cannot authenticate user '${username}': The username or password is incorrect..`);
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

const unauthorized = (detail: string): ApiFault => new ApiFault(401, 'Unauthorized', detail);

/** The user of an `Authorization` header (Bearer token or Basic credentials), or undefined. */
export function userOfAuthorization(auth: Authenticator, header: string): User | undefined {
  const [scheme, credentials] = header.split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer' && credentials) return auth.userForToken(credentials);
  if (scheme?.toLowerCase() === 'basic' && credentials) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return auth.check(decoded.slice(0, colon), decoded.slice(colon + 1));
  }
  return undefined;
}

/** The caller of a request; otherwise throws the 401 fault, `WWW-Authenticate: Basic realm="RESTAPI"` set. */
export function authenticate(auth: Authenticator, req: IncomingMessage, res: ServerResponse): User {
  const header = req.headers.authorization ?? '';
  const user = userOfAuthorization(auth, header);
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

/** 403 unless the user holds INJECT_EXTERNAL_TASKS. */
export function assertCanInjectExternalTasks(user: User): void {
  if (!user.canInjectExternalTasks) throw notAuthorized();
}
