// A lean reader of JSON request bodies for the API's hot path, behaving as express.json() does for what oVirt
// clients send (identity-encoded UTF-8 JSON of a known length); anything else goes to express.json() itself
// (body-parser), which works on Node's request alone.
// body-parser's generality (stream decoding, inflation, per-request helpers) weighs on short calls such as adding a
// step; README.md (Speed) has the figures.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { Request, RequestHandler, Response } from 'express';

interface BodyError extends Error {
  status: number;
  type: string;
}

const bodyError = (status: number, type: string, message: string, cause?: unknown): BodyError =>
  Object.assign(new Error(message, { cause }), { status, type });

const JSON_TYPE = /^application\/json\s*(?:;|$)/i;
const OTHER_CHARSET = /;\s*charset\s*=\s*"?(?!utf-8"?\s*(?:;|$))/i;
const STRICT_START = /^[ \t\n\r]*[[{]/;

export type BodyCallback = (err: unknown, body?: unknown) => void;

/** Deepest nesting of arrays and objects a body may have; oVirt's bodies nest a few levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether a parsed JSON value nests deeper than `max`, walked without recursion: JSON.parse reads any depth, but
 * recursive code after it (validation, JSON.stringify of a value in a fault) would overflow the stack on a body such
 * as `[[[[...]]]]` 100,000 deep.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(item))
      if (child !== null && typeof child === 'object') pending.push([child, depth + 1]);
  }
  return false;
}

/** The body, or the 400 error of a body nested too deeply. */
function checkedDepth(body: unknown, done: BodyCallback): void {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    return done(bodyError(400, 'entity.too.deep', `JSON bodies nest at most ${MAX_JSON_DEPTH} levels`));
  }
  done(undefined, body);
}

/**
 * Reads a request's JSON body as `express.json({ limit })` (strict) would, `limit` in bytes: `done(err)` with
 * body-parser's errors, or `done(undefined, body)` (undefined when the request has none).
 */
export function jsonBodyReader(limit: number): (req: IncomingMessage, res: ServerResponse, done: BodyCallback) => void {
  const general = express.json({ limit });
  const viaBodyParser = (req: IncomingMessage, res: ServerResponse, done: BodyCallback): void => {
    // body-parser needs only Node's request (headers and stream); it leaves the body in `req.body`.
    general(req as Request, res as Response, (err?: unknown) =>
      err ? done(err) : checkedDepth((req as Request).body, done),
    );
  };
  return (req, res, done) => {
    const type = req.headers['content-type'];
    const length = req.headers['content-length'];
    if (length === undefined && req.headers['transfer-encoding'] === undefined) return done(undefined, undefined);
    if (type === undefined || !JSON_TYPE.test(type) || req.headers['transfer-encoding'] !== undefined) {
      return viaBodyParser(req, res, done);
    }
    const declared = Number(length);
    const encoding = req.headers['content-encoding'];
    if (
      length === undefined ||
      !Number.isSafeInteger(declared) ||
      declared > limit ||
      OTHER_CHARSET.test(type) ||
      (encoding !== undefined && encoding.toLowerCase() !== 'identity')
    ) {
      return viaBodyParser(req, res, done);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on('error', done);
    req.on('end', () => {
      if (size !== declared)
        return done(bodyError(400, 'request.size.invalid', 'request size did not match content length'));
      const text = size === 0 ? '' : Buffer.concat(chunks, size).toString('utf8');
      if (text === '') return done(undefined, {});
      if (!STRICT_START.test(text)) {
        return done(
          bodyError(
            400,
            'entity.parse.failed',
            `Unexpected token ${JSON.stringify(text.trimStart()[0] ?? '')}: JSON bodies are objects or arrays`,
          ),
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        return done(bodyError(400, 'entity.parse.failed', (err as Error).message, err));
      }
      checkedDepth(body, done);
    });
  };
}

/**
 * The same reader as express middleware, for the routes served by express (`/builtin/*`): `req.body` is the parsed
 * body (undefined when the request has none); errors go to the error handler.
 */
export function jsonBodyMiddleware(limit: number): RequestHandler {
  const read = jsonBodyReader(limit);
  return (req, res, next) => {
    if (req.body !== undefined) return next();
    read(req, res, (err, body) => {
      if (err) return next(err);
      req.body = body;
      next();
    });
  };
}
