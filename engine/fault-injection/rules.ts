// Fault-injection rules: which calls under /ovirt-engine/api they hit and what they do to them.
import { z } from 'zod';

const regex = z
  .string()
  .min(1)
  .refine((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

export const FaultRuleSchema = z.strictObject({
  /** A JavaScript regular expression, matched (unanchored) against the path under /ovirt-engine/api, e.g. `^/vms/[^/]+/start$`. */
  pathPattern: regex,
  /** HTTP method, any case; absent means every method. */
  method: z
    .string()
    .regex(/^[A-Za-z]+$/)
    .transform((m) => m.toUpperCase())
    .optional(),
  /** Delay added before the call is handled, in milliseconds. @default 0 */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  /** Share of matching calls answered 503, from 0 to 1. @default 0 */
  errorRate: z.number().min(0).max(1).optional(),
  /** The next N matching calls are answered 503 (counted down as they happen). @default 0 */
  failNext: z.number().int().min(0).optional(),
  /**
   * The status of the injected answers: 503 (the engine is unavailable), 500 or 502/504, or 409 (a conflict, as oVirt
   * answers "VM is not down" or "disks are locked"). @default 503
   */
  status: z.union([z.literal(409), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
});
export type FaultRule = z.infer<typeof FaultRuleSchema>;

/** A list of rules, written as a JSON array or as `{"rules": [...]}`. */
export const FaultRulesSchema = z.union([
  z.array(FaultRuleSchema),
  z.strictObject({ rules: z.array(FaultRuleSchema) }).transform((o) => o.rules),
]);

/** The first problem of an invalid list, naming its place: `rules[0].errorRate: ...`. */
export function describeRulesError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid rules';
  // An invalid rule inside the array form reports through the union; dig out the most specific issue.
  const nested =
    issue.code === 'invalid_union' ? issue.errors.flat().sort((a, b) => b.path.length - a.path.length)[0] : undefined;
  const chosen = nested ?? issue;
  const place = chosen.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `rules${place}: ${chosen.message}`;
}

/** Parses the `faults` start option (a JSON string); the error names `faults`. */
export function parseFaultsOption(json: string): FaultRule[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`faults: not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = FaultRulesSchema.safeParse(value);
  if (!parsed.success) throw new Error(`faults: ${describeRulesError(parsed.error)}`);
  return parsed.data;
}
