import type { SymbolDef, SymbolHit, SymbolSearchFilter, SymbolSearchPage } from '@contextforge/contracts';
import { nextSearchCursor, queryTerms, searchOffset, toTsQuery } from '../domain/symbol-index';
import type { PrismaClient } from '../generated/prisma/client';
import type { PrismaNamespace, Tables } from './write-sql';

interface HitRow {
  taskId: string;
  kind: SymbolDef['kind'];
  name: string;
  file: string;
  startLine: number;
  endLine: number;
  signature: string;
  language: string;
  score: number;
}

/**
 * searchSymbols in one statement: the GIN index finds the rows matching every term (the last as
 * a prefix), ts_rank with normalisation 32 (rank / (rank + 1)) gives the relevance, an exact
 * name adds 1. Names and files sort with COLLATE "C" (code-unit order, as the memory adapter).
 */
export async function searchSymbolsSql(
  prisma: PrismaClient,
  lib: PrismaNamespace,
  tables: Tables,
  filter: SymbolSearchFilter,
): Promise<SymbolSearchPage> {
  const terms = queryTerms(filter.text);
  const offset = searchOffset(filter);
  const kinds = filter.kinds && filter.kinds.length > 0 ? [...filter.kinds] : null;
  const rows = await prisma.$queryRaw<HitRow[]>(lib.sql`
    SELECT task_id AS "taskId", kind, name, file, start_line AS "startLine", end_line AS "endLine", signature,
      language, score
    FROM (
      SELECT s.*, ((CASE WHEN lower(s.name) = lower(${filter.text.trim()}) THEN 1 ELSE 0 END)
        + ts_rank(s.search, q.query, 32))::float8 AS score
      FROM ${tables.symbols} AS s, to_tsquery('simple', ${toTsQuery(terms)}) AS q(query)
      WHERE s.search @@ q.query
        AND (${filter.clientId ?? null}::text IS NULL OR s.client_id = ${filter.clientId ?? null}::text)
        AND (${kinds}::text[] IS NULL OR s.kind = ANY(${kinds}::text[]))
        AND (${filter.language ?? null}::text IS NULL OR lower(s.language) = lower(${filter.language ?? null}::text))
    ) AS hits
    ORDER BY score DESC, name COLLATE "C", file COLLATE "C", start_line, task_id COLLATE "C", ordinal
    LIMIT ${filter.limit + 1}::int OFFSET ${offset}::int`);
  const results: SymbolHit[] = rows.slice(0, filter.limit).map((row) => ({
    symbol: {
      kind: row.kind,
      name: row.name,
      file: row.file,
      startLine: row.startLine,
      endLine: row.endLine,
      signature: row.signature,
      language: row.language,
    },
    taskId: row.taskId,
    score: row.score,
  }));
  const nextCursor = rows.length > filter.limit ? nextSearchCursor(offset, results.length) : undefined;
  return nextCursor === undefined ? { results } : { results, nextCursor };
}
