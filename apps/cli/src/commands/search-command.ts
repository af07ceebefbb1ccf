import { ContextForgeError } from '@contextforge/client';
import { SymbolSearchResponseSchema, type SymbolSearchResponse } from '@contextforge/contracts';
import type { CommandSpec } from '../command';
import { EXIT_CODES, UnavailableError, UsageError } from '../exit-codes';
import { formatTable } from '../format/table';

type Hit = SymbolSearchResponse['results'][number];

export const search: CommandSpec = {
  path: ['search'],
  args: '<query>',
  summary: 'Search the symbol index (definitions found by the indexer)',
  details: ['Words are matched in names (camelCase and snake_case are split); the last one as a prefix.'],
  options: {
    kind: { type: 'string', valueName: 'kind', description: 'Only this kind (function, class, method, ...)' },
    language: { type: 'string', valueName: 'lang', description: 'Only this language' },
    limit: { type: 'string', valueName: 'n', description: 'Results, 1-100 (default 20)' },
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  async run(context, { values, positionals }) {
    const q = positionals.join(' ').trim();
    if (q === '') throw new UsageError('the query is empty');
    const limit = values['limit'] === undefined ? undefined : Number(values['limit']);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100)) {
      throw new UsageError('--limit must be an integer from 1 to 100');
    }
    let answer: SymbolSearchResponse;
    try {
      answer = await context.client().request('GET', '/search', {
        query: {
          q,
          kind: typeof values['kind'] === 'string' ? values['kind'] : undefined,
          language: typeof values['language'] === 'string' ? values['language'] : undefined,
          limit,
        },
        schema: SymbolSearchResponseSchema,
        ...(context.io.signal ? { signal: context.io.signal } : {}),
      });
    } catch (error) {
      if (error instanceof ContextForgeError && error.code === 'ROUTE_NOT_FOUND') {
        throw new UnavailableError('search is not available on this gateway (it has no GET /search)');
      }
      throw error;
    }
    if (context.json) {
      context.out(`${JSON.stringify(answer, null, 2)}\n`);
      return EXIT_CODES.ok;
    }
    if (answer.results.length === 0) {
      context.out(`No symbols match "${q}".\n`);
      return EXIT_CODES.ok;
    }
    context.out(
      formatTable<Hit>(answer.results, [
        { header: 'SCORE', value: (hit) => hit.score.toFixed(2), align: 'right' },
        { header: 'KIND', value: (hit) => hit.symbol.kind },
        { header: 'NAME', value: (hit) => hit.symbol.name, maxWidth: 40 },
        { header: 'LOCATION', value: (hit) => `${hit.symbol.file}:${hit.symbol.startLine}`, maxWidth: 60 },
        { header: 'SIGNATURE', value: (hit) => hit.symbol.signature, maxWidth: 60 },
      ]),
    );
    return EXIT_CODES.ok;
  },
};
