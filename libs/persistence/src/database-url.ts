import { AppError } from '@contextforge/contracts';

/**
 * Where tasks are kept, as configured by one URL (see createTaskRepository):
 *
 * - `memory://`                                   in this process, gone on exit
 * - `pglite://memory`                             embedded Postgres in memory
 * - `pglite:///var/lib/cf` / `pglite://data/pg`   embedded Postgres in a folder (absolute / relative
 *                                                 to the working directory)
 * - `postgres://user@host:5432/db[?schema=name]`  a Postgres server (also `postgresql://`);
 *                                                 `schema` selects the Postgres schema (default public)
 */
export type DatabaseTarget =
  | { kind: 'memory' }
  | { kind: 'pglite'; dataDir?: string }
  | { kind: 'postgres'; url: string; schema?: string };

export function parseDatabaseUrl(url: string): DatabaseTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'memory':
      return { kind: 'memory' };
    case 'pglite': {
      const location = url.slice('pglite://'.length);
      if (location === '') throw invalid(url, 'name a folder or "memory" (pglite://memory)');
      return location === 'memory' ? { kind: 'pglite' } : { kind: 'pglite', dataDir: location };
    }
    case 'postgres':
    case 'postgresql':
      return parsePostgresUrl(url);
    default:
      throw invalid(url, 'expected memory://, pglite://memory, pglite://<folder> or postgres://');
  }
}

function parsePostgresUrl(url: string): DatabaseTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(url, 'not a valid URL');
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { kind: 'postgres', url: parsed.toString(), ...(schema === undefined ? {} : { schema }) };
}

function invalid(url: string, expected: string): AppError {
  return new AppError('CONFIG_INVALID', `invalid database URL "${redact(url)}": ${expected}`);
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
