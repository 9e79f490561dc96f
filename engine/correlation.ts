// The Correlation-Id header (or correlation_id query): sanitised as oVirt does, echoed back, kept for the call.

/** Keeps only `[0-9a-zA-Z_-]` and the first 36 characters; empty means none. */
export function sanitizeCorrelationId(raw: string): string | undefined {
  const clean = raw.replace(/[^0-9a-zA-Z_-]/g, '').slice(0, 36);
  return clean === '' ? undefined : clean;
}

/** The call's correlation id: the header first, else the `correlation_id` query parameter (when given once). */
export function readCorrelationId(header: string | undefined, query: unknown): string | undefined {
  const raw = header ?? (typeof query === 'string' ? query : undefined);
  return raw === undefined ? undefined : sanitizeCorrelationId(raw);
}
