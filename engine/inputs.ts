// Reading oVirt request bodies: mandatory fields first (400 Incomplete parameters), then zod for the values.
// Inputs accept `true` and `"true"` alike, and numbers where oVirt takes strings, as Jackson does.
import { z } from 'zod';
import { ApiFault, incompleteParameters, invalidValue } from './faults';

/** A boolean written as `true` or `"true"`. */
export const flexibleBoolean = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .transform((v) => v === true || v === 'true');

/** Text; numbers are taken as their decimal string. */
export const text = z.union([z.string(), z.number()]).transform(String);

/** A link to another entity by id: `{"id": "..."}`. */
export const idRef = z.looseObject({ id: text.optional() });

const isBlank = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

export interface BodyRules {
  /** The entity named in `Incomplete parameters` faults, e.g. `Job` or `Action`. */
  entity: string;
  /** The method named in those faults, e.g. `add` or `end`. */
  method: string;
  /** Fields that must be present and not blank. */
  mandatory?: readonly string[];
}

/** Validates a request body (absent body = `{}`); throws the oVirt fault for the first problem. */
export function readBody<S extends z.ZodType>(schema: S, body: unknown, rules: BodyRules): z.infer<S> {
  const input: unknown = body === undefined || body === null ? {} : body;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ApiFault(
      400,
      'Bad Request',
      `The request body must be a JSON object or XML element representing a ${rules.entity}`,
    );
  }
  const record = input as Record<string, unknown>;
  const missing = (rules.mandatory ?? []).filter((field) => isBlank(record[field]));
  if (missing.length) throw incompleteParameters(rules.entity, missing, rules.method);
  const parsed = schema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    let value: unknown = record;
    for (const key of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    throw invalidValue(value, field || rules.entity);
  }
  return parsed.data;
}
