// Every error answer of the engine is made and written here, for both of its HTTP stacks (the API on Node's http,
// the rest on express): oVirt's fault body `{"reason": ..., "detail": ...}` with its status code, and the SSO
// endpoint's OAuth error `{"error_code": ..., "error": ...}`.
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { engineLog } from './log';
import type { Format } from './negotiation';
import { sendJson, sendRepresentation } from './send';

/** An answer the API gives instead of the requested representation; thrown by routes, written by `writeError`. */
export class ApiFault extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'ApiFault';
  }
}

/** 400 for missing mandatory fields, worded as oVirt does: `Job [description] required for add`. */
export const incompleteParameters = (entity: string, missing: string[], method: string): ApiFault =>
  new ApiFault(400, 'Incomplete parameters', `${entity} [${missing.join(', ')}] required for ${method}`);

/** 400 for a value outside an enumeration, worded as oVirt does. */
export const invalidEnumValue = (value: string, enumName: string, values: readonly string[]): ApiFault =>
  new ApiFault(
    400,
    'Invalid value',
    `${value} is not a member of ${enumName}. Possible values for ${enumName} are: ${values.join(', ')}`,
  );

/** 400 for a value of the wrong kind (e.g. `"yes"` for a boolean). */
export const invalidValue = (value: unknown, field: string): ApiFault =>
  new ApiFault(400, 'Invalid value', `${describeValue(value)} is not a valid value for ${field}`);

/**
 * Text taken from a request, made safe to echo in an answer: control characters (C0, DEL, C1) dropped, cut to
 * `max` characters (an ellipsis marks the cut).
 */
export function safeEcho(text: string, max = 100): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** A value of a request body as a fault names it: its JSON, short; a value too deep or big to write is not written. */
function describeValue(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // Circular or too deep to write (RangeError): the body nests too deeply for a useful echo anyway.
  }
  return text === undefined ? 'the value' : safeEcho(text);
}

/**
 * A refused action, as oVirt's REST layer answers a failed validation: reason `Operation Failed`, detail the
 * backend's messages in brackets (`[Cannot end Job. ...]`; several are listed `[msg1, msg2]`). The message is the
 * whole AppErrors.properties text with `${action}` / `${type}` filled (see `inventory/messages.ts`), since some of
 * them say `Cannot x y: ...` or `Can not ...`. 400 is oVirt's default status for a failed validation.
 */
export const cannotDo = (message: string): ApiFault => new ApiFault(400, 'Operation Failed', `[${message}]`);

/** The same with 409, for a conflict with the entity's state (VM is not down, disks are locked). */
export const conflict = (message: string): ApiFault => new ApiFault(409, 'Operation Failed', `[${message}]`);

export const entityNotFound = (id: string): ApiFault =>
  new ApiFault(404, 'Operation Failed', `Entity not found: ${id}`);

/** The row looked up by `id`, or oVirt's 404 naming the id. */
export function found<T>(row: T | undefined, id: string): T {
  if (row === undefined) throw entityNotFound(id);
  return row;
}

export const notAuthorized = (): ApiFault =>
  new ApiFault(403, 'Operation Failed', '[User is not authorized to perform this action.]');

/** oVirt's 404 for a link by name or id that matches nothing: `Entity not found: Cluster: name=Prod`. */
export const linkNotFound = (type: string, what: string): ApiFault =>
  new ApiFault(404, 'Operation Failed', `Entity not found: ${type}: ${what}`);

/** 405 for a method a served path does not support (e.g. no update or delete of jobs). */
export const methodNotAllowed = (method: string, path: string): ApiFault =>
  new ApiFault(405, 'Method Not Allowed', `${method} is not supported on ${path}`);

/** 415 for a request body of a type not taken; `accepter` names what refuses it, `accepted` what it takes. */
export const unsupportedMediaType = (
  accepter: string,
  contentType: string | undefined,
  accepted = 'application/json bodies only',
): ApiFault =>
  new ApiFault(
    415,
    'Unsupported Media Type',
    `${accepter} accepts ${accepted}, not ${safeEcho(contentType ?? 'none')}`,
  );

/** For the 429 while failed logins are held back: sets `Retry-After` and returns the message of the answer. */
export function loginsHeldBack(res: ServerResponse, retryAfterSec: number): string {
  res.setHeader('Retry-After', String(retryAfterSec));
  return `Too many failed logins. Try again in ${retryAfterSec} seconds.`;
}

/**
 * Every fault is written here, as `{"reason", "detail"}` or `<fault><reason/><detail/></fault>`: reason and detail
 * never carry control characters, and the detail stays short.
 */
export function writeFault(res: ServerResponse, fault: ApiFault, format: Format = 'json'): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = { reason: safeEcho(fault.reason, 100), detail: safeEcho(fault.detail, 1000) };
  sendRepresentation(res, fault.status, { root: 'fault', body }, format);
}

/** The 404 of a path no route serves, naming the method and path (clipped, no control characters). */
export const noResource = (method: string, url: string): ApiFault =>
  new ApiFault(404, 'Not Found', `No resource at ${safeEcho(method, 20)} ${safeEcho(url)}`);

/** Answers 404 for any path the API does not serve. */
export const unknownPath: RequestHandler = (req) => {
  throw noResource(req.method, req.originalUrl);
};

/** What the client did wrong, by the error type of body-parser, http-errors or the engine's body reader. */
const CLIENT_ERRORS: Record<string, string> = {
  'entity.parse.failed': 'Malformed JSON body',
  'entity.too.deep': 'The JSON body nests too deeply',
  'entity.too.large': 'The request body is too large',
  'request.size.invalid': 'The request body does not match its Content-Length',
  'request.aborted': 'The request was aborted',
  'encoding.unsupported': 'Unsupported Content-Encoding',
  'charset.unsupported': 'Unsupported charset',
  'stream.encoding.set': 'Bad request body',
  'parameters.too.many': 'Too many parameters',
};

/**
 * The fault answering a thrown error. Errors of the engine's own (`ApiFault`) are answered as they are; others
 * (body-parser, express, static files) keep their 4xx status but never their message, which may name files of the
 * engine (`ENOENT ... /public/x.js`) or echo input; anything else is a 500 whose cause is only logged.
 */
export function faultOf(err: unknown): ApiFault {
  if (err instanceof ApiFault) return err;
  const thrown = err as { type?: unknown; status?: unknown; statusCode?: unknown; message?: unknown } | undefined;
  const status =
    typeof thrown?.status === 'number'
      ? thrown.status
      : typeof thrown?.statusCode === 'number'
        ? thrown.statusCode
        : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    const known = typeof thrown?.type === 'string' ? CLIENT_ERRORS[thrown.type] : undefined;
    if (thrown?.type === 'entity.parse.failed' && typeof thrown.message === 'string') {
      // JSON.parse's message says where the body broke (`... at position 12`): useful, and free of paths.
      return new ApiFault(400, 'Bad Request', `${known}: ${safeEcho(thrown.message, 200)}`);
    }
    if (status === 404) return new ApiFault(404, 'Not Found', 'No such resource');
    return new ApiFault(status, status === 413 ? 'Payload Too Large' : 'Bad Request', known ?? 'Bad request');
  }
  engineLog.error({ err }, 'internal error');
  return new ApiFault(500, 'Operation Failed', 'Internal server error');
}

/** Answers a thrown error with its fault (see `faultOf`): the one error path of both HTTP stacks. */
export function writeError(res: ServerResponse, err: unknown, format: Format = 'json'): void {
  writeFault(res, faultOf(err), format);
}

/** `writeError` as express's error handler. */
export const faultHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => writeError(res, err);

/** The SSO endpoint's error, as oVirt's SSO writes it: `{"error_code": "invalid_request", "error": "..."}`. */
export function writeSsoError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error_code: code, error: safeEcho(message, 200) });
}
