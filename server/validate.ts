// Request validation: zod parses, and a failure becomes a 400 problem naming each bad field.
import type { z } from 'zod';
import { HttpProblem, validationProblem } from './problem';

export function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpProblem(validationProblem(result.error, where));
  return result.data;
}
