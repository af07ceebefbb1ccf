import type { SearchPage, SymbolHit, SymbolKind } from '@contextforge/client';
import { SYMBOL_KINDS } from '@contextforge/contracts';
import type { CommandSpec } from '../command';
import { EXIT_CODES, UsageError } from '../exit-codes';
import { formatTable } from '../format/table';

const text = (value: string | boolean | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

export const search: CommandSpec = {
  path: ['search'],
  args: '<query>',
  summary: 'Search the symbol index (definitions found by the indexer)',
  details: [
    'Every word must match (camelCase, snake_case and kebab-case are split), the last one as a prefix.',
    'Exact names rank first, then matches in names above kinds, paths and signatures.',
    'Searches the results of your own indexer tasks and repository jobs (admins: everyone’s).',
  ],
  options: {
    kind: { type: 'string', valueName: 'kind', description: `Only this kind (${SYMBOL_KINDS.join('|')})` },
    language: {
      type: 'string',
      valueName: 'lang',
      description: 'Only this language (typescript, python, ...)',
    },
    limit: { type: 'string', valueName: 'n', description: 'Results, 1-100 (default 20)' },
    cursor: { type: 'string', valueName: 'cursor', description: 'Continue after an earlier page' },
  },
  positionals: { min: 1, max: Number.POSITIVE_INFINITY },
  async run(context, { values, positionals }) {
    const q = positionals.join(' ').trim();
    if (!/[\p{L}\p{N}]/u.test(q)) throw new UsageError('the query needs a letter or a digit');
    const limit = values['limit'] === undefined ? undefined : Number(values['limit']);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100)) {
      throw new UsageError('--limit must be an integer from 1 to 100');
    }
    const kind = text(values['kind']);
    if (kind !== undefined && !(SYMBOL_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(`--kind must be one of ${SYMBOL_KINDS.join(', ')}`);
    }
    const language = text(values['language']);
    const cursor = text(values['cursor']);
    const page: SearchPage = await context.client().search(
      q,
      {
        ...(kind ? { kind: kind as SymbolKind } : {}),
        ...(language ? { language } : {}),
        ...(limit ? { limit } : {}),
        ...(cursor ? { cursor } : {}),
      },
      { signal: context.io.signal },
    );
    if (context.json) {
      context.out(`${JSON.stringify(page, null, 2)}\n`);
      return EXIT_CODES.ok;
    }
    if (page.results.length === 0) {
      context.out(`No symbols match "${q}".\n`);
      return EXIT_CODES.ok;
    }
    context.out(
      formatTable<SymbolHit & { rank: number }>(
        page.results.map((hit, index) => ({ ...hit, rank: index + 1 })),
        [
          { header: '#', value: (hit) => hit.rank, align: 'right' },
          { header: 'LOCATION', value: (hit) => `${hit.symbol.file}:${hit.symbol.startLine}`, maxWidth: 60 },
          { header: 'KIND', value: (hit) => hit.symbol.kind },
          { header: 'NAME', value: (hit) => hit.symbol.name, maxWidth: 40 },
          { header: 'SIGNATURE', value: (hit) => hit.symbol.signature, maxWidth: 70 },
        ],
      ),
    );
    if (page.nextCursor) context.note(`More results: add --cursor ${page.nextCursor}.\n`);
    return EXIT_CODES.ok;
  },
};
