// Serves /ovirt-engine/api (and /ovirt-engine/api/v4) straight on Node's http request and response, without
// express: express's per-request work (prototype swaps, its layered router, `res.json`'s content negotiation)
// cost more than the API's own work on short calls such as adding and ending steps. Routes are functions of a small
// call context returning the answer, or throwing an `ApiFault`; one error path writes every fault.
//
// Every answer, faults included, is written in the representation the call's `Accept` asks for (XML unless it
// prefers JSON, as oVirt; see negotiation.ts); bodies are read as JSON or XML by their Content-Type.
//
// What a call goes through, in order (as the express middleware chain did): the correlation id (echoed back),
// fault injection, authentication (401), 415 for a body that is neither JSON nor XML, the body (400 when malformed),
// then the route: 403 for a write route called without the admin role, 405 for a method a served path does not support where the routes say so (else OPTIONS lists the
// path's methods), 404 otherwise.
// Matching follows express's: literal segments case-insensitive, an optional trailing slash, parameters
// percent-decoded, HEAD served by the GET route. The query is parsed as express's default ("simple") parser does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import type { ParsedUrlQuery } from 'node:querystring';
import type { Authenticator, User } from './auth';
import { assertAdmin, authenticate, isWrite } from './auth';
import { readCorrelationId } from './correlation';
import { ApiFault, noResource, safeEcho, unsupportedMediaType, writeError } from './faults';
import type { FaultInjector } from './fault-injection/injector';
import { jsonBodyReader } from './json-body';
import { bodyFormat, responseFormat } from './negotiation';
import type { Format } from './negotiation';
import { API_PREFIX } from './representation';
import type { Representation } from './representation';
import { sendRepresentation } from './send';
import { xmlBodyReader } from './xml/body';

/** What a route sees of a call. */
export interface ApiCall {
  readonly method: string;
  /** The URL's path as the caller wrote it, without the query (`/` added after a bare `/ovirt-engine/api`). */
  readonly path: string;
  /** The path parameters, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: ParsedUrlQuery;
  /** The parsed body (JSON, or XML read into the same shape); undefined when the request has none. */
  readonly body: unknown;
  readonly user: User;
  /** The sanitised Correlation-Id, if any (already echoed in the answer's headers). */
  readonly correlationId: string | undefined;
}

/** A route's answer: a representation (none: an empty answer, as oVirt answers a DELETE), a Location. */
export interface Answer {
  status: number;
  body?: Representation;
  location?: string;
}

export type ApiHandler = (call: ApiCall) => Answer;

/** A path parameter the route's path declares. */
export const param = (call: ApiCall, name: string): string => call.params[name] ?? '';

export const represent = (body: Representation, status = 200, location?: string): Answer => ({
  status,
  body,
  location,
});

interface Route {
  /** Upper case; undefined for every method. */
  method: string | undefined;
  /** Literal segments in lower case, or `:name` for a parameter. */
  segments: string[];
  handler: ApiHandler;
  /** Added with `post` or `delete`: it changes something, so only the admin role may call it. */
  write: boolean;
}

const decodeParam = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiFault(400, 'Bad Request', `Failed to decode param '${safeEcho(raw)}'`);
  }
};

/** The API's routes, tried in the order they were added; the first whose path and method match serves the call. */
export class ApiRoutes {
  private readonly routes: Route[] = [];

  private add(method: string | undefined, paths: string | readonly string[], handler: ApiHandler): void {
    const write = method !== undefined && isWrite(method);
    for (const path of typeof paths === 'string' ? [paths] : paths) {
      const segments =
        path === '/'
          ? []
          : path
              .slice(1)
              .split('/')
              .map((s) => (s.startsWith(':') ? s : s.toLowerCase()));
      this.routes.push({ method, segments, handler, write });
    }
  }

  get(paths: string | readonly string[], handler: ApiHandler): void {
    this.add('GET', paths, handler);
  }

  post(paths: string | readonly string[], handler: ApiHandler): void {
    this.add('POST', paths, handler);
  }

  delete(paths: string | readonly string[], handler: ApiHandler): void {
    this.add('DELETE', paths, handler);
  }

  /** Every method: e.g. a 405 for the methods the routes added before did not serve. */
  all(paths: string | readonly string[], handler: ApiHandler): void {
    this.add(undefined, paths, handler);
  }

  /** The route serving `method` on `path` (under the API, no query) and its parameters, or undefined. */
  match(
    method: string,
    path: string,
  ): { handler: ApiHandler; params: Record<string, string>; write: boolean } | undefined {
    const parts = splitPath(path);
    for (const route of this.routes) {
      if (route.method !== undefined && route.method !== method && !(method === 'HEAD' && route.method === 'GET'))
        continue;
      const params = matchPath(route, parts);
      if (params) return { handler: route.handler, params, write: route.write };
    }
    return undefined;
  }

  /** The methods served on `path`, sorted (HEAD with GET), as express's routers list them when answering OPTIONS. */
  allowed(path: string): string[] {
    const parts = splitPath(path);
    const methods = new Set<string>();
    for (const route of this.routes) {
      if (route.method === undefined || !matchPath(route, parts)) continue;
      methods.add(route.method);
      if (route.method === 'GET') methods.add('HEAD');
    }
    return [...methods].sort();
  }
}

/** `/a/b` -> `['a', 'b']`; one trailing slash is allowed (`/a/`), as in express's non-strict routes. */
function splitPath(path: string): string[] {
  const parts = path.split('/').slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The route's parameters if its path matches, else undefined. */
function matchPath(route: Route, parts: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== parts.length) return undefined;
  let raw: Record<string, string> | undefined;
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i]!;
    const part = parts[i]!;
    if (segment.charCodeAt(0) === 58 /* : */) {
      if (part === '') return undefined;
      (raw ??= {})[segment.slice(1)] = part;
    } else if (segment !== part && segment !== part.toLowerCase()) {
      return undefined;
    }
  }
  const params: Record<string, string> = {};
  if (raw) for (const name of Object.keys(raw)) params[name] = decodeParam(raw[name]!);
  return params;
}

/** Where a URL path is under the API: the prefix as given (`/ovirt-engine/api` or `.../v4`, any case) and the rest. */
export function underApi(pathname: string): { base: string; path: string } | undefined {
  const mounted = (path: string, prefix: string): boolean =>
    path.length >= prefix.length &&
    (path.length === prefix.length || path.charCodeAt(prefix.length) === 47) /* / */ &&
    path.slice(0, prefix.length).toLowerCase() === prefix;
  if (!mounted(pathname, API_PREFIX)) return undefined;
  let base = pathname.slice(0, API_PREFIX.length);
  let path = pathname.slice(API_PREFIX.length);
  if (mounted(path, '/v4')) {
    base += path.slice(0, 3);
    path = path.slice(3);
  }
  return { base, path: path === '' ? '/' : path };
}

export interface ApiOptions {
  auth: Authenticator;
  faults: FaultInjector;
  routes: ApiRoutes;
  /** Largest request body, in bytes. */
  bodyLimit: number;
}

/** The API's request handler: serves a request under the API and returns true, or returns false for any other. */
export function apiHandler({
  auth,
  faults,
  routes,
  bodyLimit,
}: ApiOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const readJson = jsonBodyReader(bodyLimit);
  const readXml = xmlBodyReader(bodyLimit);

  const answer = (res: ServerResponse, { status, body, location }: Answer, format: Format): void => {
    if (body === undefined) {
      res.statusCode = status;
      res.end();
    } else {
      sendRepresentation(res, status, body, format, location);
    }
  };

  /** OPTIONS on a path no route serves for every method: 200 listing its methods, as express answered it. */
  const answerOptions = (res: ServerResponse, allow: string): void => {
    res.setHeader('Allow', allow);
    res.setHeader('Content-Length', Buffer.byteLength(allow));
    res.setHeader('Content-Type', 'text/plain');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(allow);
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const mounted = underApi(pathname);
    if (!mounted) return false;
    const { base, path } = mounted;
    const query = q < 0 ? {} : querystring.parse(url.slice(q + 1));
    const format = responseFormat(req.headers.accept);
    const correlationId = readCorrelationId(req.headers['correlation-id'] as string | undefined, query.correlation_id);
    if (correlationId) res.setHeader('Correlation-Id', correlationId);

    const serve = (): void => {
      let user: User;
      let readBody = readJson;
      try {
        user = authenticate(auth, req, res);
        const hasBody =
          Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
        if (hasBody) {
          const given = bodyFormat(req);
          if (!given) {
            throw unsupportedMediaType(
              'The built-in engine',
              req.headers['content-type'],
              'application/xml and application/json bodies',
            );
          }
          if (given === 'xml') readBody = readXml;
        }
      } catch (err) {
        return writeError(res, err, format);
      }
      readBody(req, res, (err, body) => {
        if (err) return writeError(res, err, format);
        try {
          const route = routes.match(method, path);
          if (!route && method === 'OPTIONS') {
            const allow = routes.allowed(path).join(', ');
            if (allow) return answerOptions(res, allow);
          }
          if (!route) throw noResource(method, url);
          // Every write route (POST, DELETE) needs the admin role, so no route can forget to check it.
          if (route.write) assertAdmin(user);
          answer(
            res,
            route.handler({ method, path: base + path, params: route.params, query, body, user, correlationId }),
            format,
          );
        } catch (caught) {
          writeError(res, caught, format);
        }
      });
    };

    const injected = faults.inject(method, path);
    if (!injected) {
      serve();
    } else {
      const { latencyMs, fault } = injected;
      const go = (): void => (fault ? writeError(res, fault, format) : serve());
      if (latencyMs === 0) go();
      else setTimeout(go, latencyMs).unref();
    }
    return true;
  };
}
