/** Input validation for repository calls: one error that lists every bad field. */
import type { z } from 'zod';
import { StoreError } from './errors';

export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(input)';
    return `${field}: ${issue.message}`;
  });
  throw new StoreError('INVALID_INPUT', `${what}: ${problems.join('; ')}`);
}
