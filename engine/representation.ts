// oVirt's representation of its entities, as one typed tree that both renderers read: JSON (`JSON.stringify`, each
// typed leaf writing itself through `toJSON`) and XML (`xml/render.ts`). The tree keeps JSON's shape, which maps
// onto oVirt's XML one to one: a member is an element, an array a repeated element (`link`), a collection an
// element wrapping its members (`{"job": [...]}` under `<jobs>`), and `id`, `href` and `rel` are attributes.
//
// JSON primitives as the engine really writes them: booleans and integers as strings, dates as epoch milliseconds,
// null fields left out, collections keyed by the singular element name. In XML: `true`/`false`, decimal integers,
// ISO-8601 dates with the offset.

export const API_PREFIX = '/ovirt-engine/api';

/** A boolean: `"true"` in JSON, `true` in XML. */
export class BoolValue {
  constructor(readonly value: boolean) {}
  toString(): string {
    return this.value ? 'true' : 'false';
  }
  toJSON(): string {
    return this.toString();
  }
}

/** An integer: `"3"` in JSON, `3` in XML. */
export class IntValue {
  constructor(readonly value: number) {}
  toString(): string {
    return String(Math.trunc(this.value));
  }
  toJSON(): string {
    return this.toString();
  }
}

/** A date: epoch milliseconds in JSON, ISO-8601 with the offset in XML. */
export class DateValue {
  constructor(readonly epochMs: number) {}
  toJSON(): number {
    return this.epochMs;
  }
}

/** A leaf of the tree: text (also enumerations), a decimal number, or a typed value. */
export type Leaf = string | number | BoolValue | IntValue | DateValue;

/** An entity or a structure inside one; members left undefined are left out, as oVirt leaves out null fields. */
export interface Entity {
  [member: string]: Leaf | Entity | readonly Entity[] | undefined;
}

/** What an answer carries: the tree and the name of its root element (XML names it, JSON does not). */
export interface Representation {
  readonly root: string;
  readonly body: Entity;
}

/** `true` -> `"true"`; SQLite's 0/1 are read as booleans. */
export const bool = (value: boolean | number | null | undefined): BoolValue | undefined =>
  value === null || value === undefined ? undefined : new BoolValue(Boolean(value));

/** Integers: `3` -> `"3"`. */
export const int = (value: number | null | undefined): IntValue | undefined =>
  value === null || value === undefined ? undefined : new IntValue(value);

/** Dates, from epoch milliseconds. */
export const date = (value: number | null | undefined): DateValue | undefined =>
  value === null || value === undefined ? undefined : new DateValue(value);

export const href = (path: string): string => `${API_PREFIX}${path}`;

/** A link to another entity: `{"href": ..., "id": ...}`. */
export const ref = (path: string, id: string): Entity => ({ href: href(path), id });

/** Sub-collection links: `"link": [{"href": ".../steps", "rel": "steps"}]`. */
export const links = (base: string, rels: readonly string[]): Entity[] =>
  rels.map((rel) => ({ href: href(`${base}/${rel}`), rel }));

/** The `actions` member of an actionable entity. */
export const actions = (base: string, names: readonly string[]): Entity => ({ link: links(base, names) });

/** A collection inside an entity: `{"storage_domain": [...]}`; oVirt writes an empty one as `{}`. */
export const members = (element: string, items: readonly Entity[]): Entity =>
  items.length ? { [element]: items } : {};

/** A collection answered by itself: `{"job": [...]}`, `<jobs><job/>...</jobs>` (every root name is a plain `s` plural). */
export const collection = (element: string, items: readonly Entity[]): Representation => ({
  root: `${element}s`,
  body: members(element, items),
});

/** One entity answered by itself, e.g. `entity('job', jobModel(row))`. */
export const entity = (root: string, body: Entity): Representation => ({ root, body });

/** Drops undefined members so null fields are left out, as oVirt does. */
export function compact<T extends Entity>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

/**
 * An action's answer: the action echoed back with `"status": "complete"` and links to the entities it concerns,
 * e.g. `{"succeeded": "true", "status": "complete", "job": {"id", "href"}}` (`<action>` in XML).
 */
export function actionAnswer(
  echo: Record<string, boolean | undefined>,
  entities: Entity,
  status: 'complete' | 'pending' = 'complete',
): Representation {
  const echoed: Entity = {};
  for (const [key, value] of Object.entries(echo)) if (value !== undefined) echoed[key] = bool(value);
  return entity('action', compact({ ...echoed, status, ...entities }));
}
