// The Correlation-Id header (or correlation_id query): sanitised as oVirt does, echoed back, kept for the call.
import type { RequestHandler, Response } from 'express';

/** Keeps only `[0-9a-zA-Z_-]` and the first 36 characters; empty means none. */
export function sanitizeCorrelationId(raw: string): string | undefined {
  const clean = raw.replace(/[^0-9a-zA-Z_-]/g, '').slice(0, 36);
  return clean === '' ? undefined : clean;
}

export const correlationId: RequestHandler = (req, res, next) => {
  const query = req.query.correlation_id;
  const raw = req.get('correlation-id') ?? (typeof query === 'string' ? query : undefined);
  const id = raw === undefined ? undefined : sanitizeCorrelationId(raw);
  if (id) {
    res.set('Correlation-Id', id);
    res.locals.correlationId = id;
  }
  next();
};

export const currentCorrelationId = (res: Response): string | undefined => res.locals.correlationId as string | undefined;
