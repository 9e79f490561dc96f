// The `search` and `max` query parameters, limited to the simple `field=value` form the engine supports, and
// boolean flags such as `detach_only` and `unregistered`.
import type { ParsedUrlQuery } from 'node:querystring';
import { ApiFault, invalidValue } from './faults';

export interface SearchClause {
  field: string;
  value: string;
}

/**
 * Parses `name=web-01`, `name = "web 01"`, case-insensitive field names; `*` in values is a wildcard.
 * Fields outside `allowed` are a 400.
 */
export function readSearch(
  query: ParsedUrlQuery,
  allowed: readonly string[],
  collection: string,
): SearchClause | undefined {
  const raw = query.search;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw invalidValue(raw, 'search');
  const match = /^\s*([a-z_.]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))\s*$/i.exec(raw);
  const field = match?.[1]?.toLowerCase();
  if (!match || !field || !allowed.includes(field)) {
    throw new ApiFault(
      400,
      'Operation Failed',
      `[Cannot search ${collection}. The built-in engine supports only ${allowed.map((f) => `${f}=...`).join(', ')}: ${raw}]`,
    );
  }
  return { field, value: match[2] ?? match[3] ?? match[4] ?? '' };
}

/** `max`: a non-negative integer, or -1 / absent for all. */
export function readMax(query: ParsedUrlQuery): number | undefined {
  const raw = query.max;
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw) || Number(raw) < -1) throw invalidValue(raw, 'max');
  return Number(raw);
}

/** A boolean query parameter (`?detach_only=true`); absent means false. */
export function readFlag(query: ParsedUrlQuery, name: string): boolean {
  const raw = query[name];
  if (raw === undefined || raw === '') return false;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw invalidValue(raw, name);
}

/** A search value as a SQL LIKE pattern: `*` matches anything, `%` and `_` are literal. */
export const likePattern = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%');
