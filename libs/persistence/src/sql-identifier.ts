import { AppError } from '@contextforge/contracts';

/** The Postgres schema used when none is configured. */
export const DEFAULT_SCHEMA = 'public';

/**
 * Checks a Postgres schema name from configuration and returns it double-quoted for SQL text.
 * Only plain identifiers are accepted (letters, digits, underscore; at most 63 bytes), so the
 * name can never smuggle SQL into the statements that must embed it (SET, CREATE SCHEMA).
 */
export function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new AppError(
      'CONFIG_INVALID',
      `invalid database schema name "${schema}": use letters, digits and _ (at most 63), not starting with a digit`,
    );
  }
  return `"${schema}"`;
}
