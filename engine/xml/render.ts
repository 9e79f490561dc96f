// The XML representation, as oVirt writes it: `<?xml ... standalone="yes"?>`, `id`, `href` and `rel` as
// attributes, everything else as elements, arrays as repeated elements, dates as ISO-8601 with the offset.
// Rendered from the same tree as the JSON (see ../representation.ts) by fast-xml-parser's builder, which escapes.
import { XMLBuilder } from 'fast-xml-parser';
import type { Entity, Leaf, Representation } from '../representation';
import { BoolValue, DateValue, IntValue } from '../representation';

/** The only members oVirt's XML schema writes as attributes. */
const ATTRIBUTES: ReadonlySet<string> = new Set(['id', 'href', 'rel']);

const ATTRIBUTE_PREFIX = '@_';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  suppressEmptyNode: true,
  processEntities: true,
  format: true,
  indentBy: '    ',
});

const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Characters XML 1.0 cannot carry even escaped (C0 controls but tab, CR, LF; U+FFFE/FFFF; lone surrogates). */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const xmlText = (text: string): string => text.replace(NOT_XML, '');

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * `2016-08-30T15:48:29.990+03:00` in the engine's time zone, as JAXB writes an `xs:dateTime` (milliseconds always,
 * `Z` when the offset is zero).
 */
export function isoDate(epochMs: number): string {
  const offsetMin = -new Date(epochMs).getTimezoneOffset();
  const local = new Date(epochMs + offsetMin * 60_000).toISOString().slice(0, 23);
  if (offsetMin === 0) return `${local}Z`;
  const abs = Math.abs(offsetMin);
  return `${local}${offsetMin > 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function leafText(leaf: Leaf): string {
  if (typeof leaf === 'string') return xmlText(leaf);
  if (typeof leaf === 'number') return String(leaf);
  if (leaf instanceof DateValue) return isoDate(leaf.epochMs);
  return leaf.toString();
}

const isLeaf = (value: unknown): value is Leaf =>
  typeof value === 'string' ||
  typeof value === 'number' ||
  value instanceof BoolValue ||
  value instanceof IntValue ||
  value instanceof DateValue;

/** The builder's input for an element: attributes prefixed, members as children. */
function element(value: Entity): Record<string, unknown> {
  const node: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    if (member === undefined) continue;
    if (typeof member === 'string' && ATTRIBUTES.has(name)) node[ATTRIBUTE_PREFIX + name] = xmlText(member);
    else if (isLeaf(member)) node[name] = leafText(member);
    else if (Array.isArray(member)) node[name] = (member as readonly Entity[]).map(element);
    else node[name] = element(member as Entity);
  }
  return node;
}

/** The whole XML document of an answer. */
export function renderXml({ root, body }: Representation): string {
  return DECLARATION + builder.build({ [root]: element(body) });
}
