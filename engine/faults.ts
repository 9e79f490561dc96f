// oVirt's error answers: a status code plus a fault body `{"reason": ..., "detail": ...}`.
import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';

/** An answer the API gives instead of the requested representation; thrown by routes, written by `faultHandler`. */
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
  new ApiFault(400, 'Invalid value', `${JSON.stringify(value)} is not a valid value for ${field}`);

/**
 * A refused action, as oVirt's REST layer answers a failed validation: reason `Operation Failed`, detail the
 * backend's messages in brackets (`[Cannot end Job. ...]`; several are listed `[msg1, msg2]`). The message is the
 * whole AppErrors.properties text with `${action}` / `${type}` filled (see `inventory/messages.ts`), since some of
 * them say `Cannot x y: ...` or `Can not ...`. 400 is oVirt's default status for a failed validation.
 */
export const cannotDo = (message: string): ApiFault => new ApiFault(400, 'Operation Failed', `[${message}]`);

/** The same with 409, for a conflict with the entity's state (VM is not down, disks are locked). */
export const conflict = (message: string): ApiFault => new ApiFault(409, 'Operation Failed', `[${message}]`);

export const entityNotFound = (id: string): ApiFault => new ApiFault(404, 'Operation Failed', `Entity not found: ${id}`);

export const notAuthorized = (): ApiFault =>
  new ApiFault(403, 'Operation Failed', '[User is not authorized to perform this action.]');

/**
 * Writes a JSON answer straight to Node's response, as express's `res.json` would (`application/json;
 * charset=utf-8`, a length, headers set earlier such as Correlation-Id kept) without its per-call overhead.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, location?: string): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  if (location !== undefined) res.setHeader('location', location);
  res.end(text);
}

export function writeFault(res: ServerResponse, fault: ApiFault): void {
  sendJson(res, fault.status, { reason: fault.reason, detail: fault.detail });
}

/** Answers 404 for any path the API does not serve. */
export const unknownPath: RequestHandler = (req) => {
  throw new ApiFault(404, 'Not Found', `No resource at ${req.method} ${req.originalUrl}`);
};

/** The fault answering a thrown error; body-parser errors keep their own status (400 parse, 413 size). */
export function faultOf(err: unknown): ApiFault {
  if (err instanceof ApiFault) return err;
  const bodyError = err as { type?: string; status?: number; message?: string };
  if (bodyError.type === 'entity.parse.failed') {
    return new ApiFault(400, 'Bad Request', `Malformed JSON body: ${bodyError.message ?? ''}`);
  }
  if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return new ApiFault(bodyError.status, 'Bad Request', bodyError.message ?? 'Bad request');
  }
  console.error('engine: internal error', err);
  return new ApiFault(500, 'Operation Failed', 'Internal server error');
}

/** Turns thrown errors into fault answers (see `faultOf`). */
export const faultHandler: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  writeFault(res, faultOf(err));
};

/** 405 for a method a served path does not support (e.g. no update or delete of jobs). */
export const methodNotAllowed: RequestHandler = (req) => {
  throw new ApiFault(405, 'Method Not Allowed', `${req.method} is not supported on ${req.baseUrl}${req.path}`);
};
