/** JSON columns: typed values in, text in SQLite, parsed and checked on the way out. */
import { z } from 'zod';
import { StoreError } from './errors';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const jsonValueSchema: z.ZodType<JsonValue> = z.json();
export const jsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), z.json());

export function toJsonText(value: JsonValue): string {
  return JSON.stringify(value);
}

/** Parses a JSON column; a row someone edited by hand into invalid JSON is reported with its location. */
export function parseJsonColumn<T>(
  text: string,
  where: { table: string; column: string; id: string | number },
  schema: z.ZodType<T>,
): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StoreError(
      'CORRUPT_ROW',
      `${where.table}.${where.column} of row ${where.id} is not valid JSON; fix or clear it in the database`,
      { cause: err },
    );
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new StoreError(
      'CORRUPT_ROW',
      `${where.table}.${where.column} of row ${where.id} has an unexpected shape (${result.error.issues[0]?.message ?? 'invalid'}); fix or clear it in the database`,
    );
  }
  return result.data;
}
