// oVirt's JSON primitives, as the engine really writes them: booleans and integers as strings, dates as epoch
// milliseconds, null fields left out, collections keyed by the singular element name.

export const API_PREFIX = '/ovirt-engine/api';

export type Json = Record<string, unknown>;

/** `true` -> `"true"`; SQLite's 0/1 are read as booleans. */
export const bool = (value: boolean | number | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : value ? 'true' : 'false';

/** Integers as strings: `3` -> `"3"`. */
export const int = (value: number | null | undefined): string | undefined =>
  value === null || value === undefined ? undefined : String(Math.trunc(value));

/** Dates as epoch milliseconds. */
export const date = (value: number | null | undefined): number | undefined =>
  value === null || value === undefined ? undefined : value;

export const href = (path: string): string => `${API_PREFIX}${path}`;

/** A link to another entity: `{"href": ..., "id": ...}`. */
export const ref = (path: string, id: string): Json => ({ href: href(path), id });

/** Sub-collection links: `"link": [{"href": ".../steps", "rel": "steps"}]`. */
export const links = (base: string, rels: readonly string[]): Json[] =>
  rels.map((rel) => ({ href: href(`${base}/${rel}`), rel }));

/** The `actions` member of an actionable entity. */
export const actions = (base: string, names: readonly string[]): Json => ({ link: links(base, names) });

/** A collection: `{"job": [...]}`; oVirt writes an empty collection as `{}`. */
export const collection = (element: string, items: Json[]): Json => (items.length ? { [element]: items } : {});

/** Drops undefined members so null fields are left out, as oVirt does. */
export function compact<T extends Json>(entity: T): T {
  for (const key of Object.keys(entity)) if (entity[key] === undefined) delete entity[key];
  return entity;
}

/**
 * An action's answer: the action echoed back (booleans as strings) with `"status": "complete"` and links to the
 * entities it concerns, e.g. `{"succeeded": "true", "status": "complete", "job": {"id", "href"}}`.
 */
export function actionAnswer(echo: Record<string, boolean | undefined>, entities: Json): Json {
  const echoed: Json = {};
  for (const [key, value] of Object.entries(echo)) if (value !== undefined) echoed[key] = bool(value);
  return compact({ ...echoed, status: 'complete', ...entities });
}
