import {
  AppError,
  SymbolDefSchema,
  type SymbolDef,
  type SymbolHit,
  type SymbolSearchFilter,
} from '@contextforge/contracts';

/**
 * The symbol index both adapters share (see SymbolSearchFilter in the port for the semantics):
 * which symbols a result yields, how names, paths and signatures become words, how a query
 * becomes terms, and the search cursor. The SQL adapter turns the words into a weighted tsvector
 * (`simple` configuration, so no stemming or stop words); the memory adapter scores them itself.
 */

/** Most symbols stored from one result; the rest are dropped (a chunk is bounded well below). */
export const MAX_SYMBOLS_PER_RESULT = 50_000;
/** Deepest page a cursor may point at (offset paging; deeper is a narrower query's job). */
const MAX_SEARCH_OFFSET = 10_000;

/** A symbol ready to store: its task and client, its position in the output, and its words. */
export interface IndexedSymbol {
  taskId: string;
  clientId: string;
  /** Index of the symbol in the output's `symbols` array (unique per task). */
  ordinal: number;
  symbol: SymbolDef;
  /** The name's words and the whole name, lower-case, space-separated (weight A). */
  nameWords: string;
  /** The path's segments and their words (weight C). */
  pathWords: string;
  /** The signature's words (weight D). */
  signatureWords: string;
}

/**
 * The valid SymbolDefs of a succeeded task's output (`{symbols: [...]}`); anything else (no
 * array, invalid elements) is skipped silently: indexing never fails the event that carries it.
 */
export function symbolsOfOutput(taskId: string, clientId: string, output: unknown): IndexedSymbol[] {
  if (typeof output !== 'object' || output === null || Array.isArray(output)) return [];
  const symbols = (output as { symbols?: unknown }).symbols;
  if (!Array.isArray(symbols)) return [];
  const indexed: IndexedSymbol[] = [];
  for (const [ordinal, candidate] of symbols.slice(0, MAX_SYMBOLS_PER_RESULT).entries()) {
    const parsed = SymbolDefSchema.safeParse(candidate);
    if (!parsed.success) continue;
    const symbol = parsed.data;
    indexed.push({
      taskId,
      clientId,
      ordinal,
      symbol,
      nameWords: unique([...wordsOf(symbol.name), symbol.name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '')]),
      pathWords: unique(
        symbol.file
          .split(/[\\/]+/)
          .flatMap((segment) => [...wordsOf(segment), segment.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '')]),
      ),
      signatureWords: wordsOf(symbol.signature).join(' '),
    });
  }
  return indexed;
}

/**
 * Words of an identifier or text, lower-case: split at anything that is not a letter or digit
 * (snake_case, kebab-case, dots, spaces), then at camelCase humps and acronym ends
 * (`parseHTTPResponse2` -> parse, http, response, 2).
 */
export function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const part of text.split(/[^\p{L}\p{N}]+/u)) {
    for (const match of part.matchAll(/\p{Lu}+(?!\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lt}\p{Ll}*|\p{N}+|\p{L}+/gu)) {
      words.push(match[0].toLowerCase());
    }
  }
  return words;
}

/** The search terms of a query: its words, in order, without repeats. */
export function queryTerms(text: string): string[] {
  const terms = [...new Set(wordsOf(text))];
  if (terms.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'invalid search: q has no word to search for', {
      details: { issues: [{ path: 'q', message: 'must contain a letter or a digit' }] },
    });
  }
  return terms;
}

/** The to_tsquery text of the terms: every term required, the last one as a prefix. */
export function toTsQuery(terms: readonly string[]): string {
  return terms.map((term, index) => (index === terms.length - 1 ? `${term}:*` : term)).join(' & ');
}

/** Whether a symbol's name is the query text itself (ranked first). */
export function isExactName(name: string, text: string): boolean {
  return name.toLowerCase() === text.trim().toLowerCase();
}

const WEIGHTS = { name: 1, kind: 0.4, path: 0.2, signature: 0.1 } as const;

/**
 * The memory adapter's score, shaped like the SQL one: 1 for an exact name, plus relevance
 * r / (r + 1) where r sums, per term, the weight of the best field it matches (the label weights
 * ts_rank uses: A 1, B 0.4, C 0.2, D 0.1). undefined when a term matches no field.
 */
export function scoreSymbol(
  entry: IndexedSymbol,
  terms: readonly string[],
  text: string,
): number | undefined {
  const fields: Array<[number, string[]]> = [
    [WEIGHTS.name, entry.nameWords.split(' ')],
    [WEIGHTS.kind, [entry.symbol.kind]],
    [WEIGHTS.path, entry.pathWords.split(' ')],
    [WEIGHTS.signature, entry.signatureWords.split(' ')],
  ];
  let relevance = 0;
  for (const [index, term] of terms.entries()) {
    const prefix = index === terms.length - 1;
    const matches = (word: string): boolean => (prefix ? word.startsWith(term) : word === term);
    const best = Math.max(0, ...fields.filter(([, words]) => words.some(matches)).map(([weight]) => weight));
    if (best === 0) return undefined;
    relevance += best;
  }
  return (isExactName(entry.symbol.name, text) ? 1 : 0) + relevance / (relevance + 1);
}

/** The order of hits: score descending, then name, file, line, task and ordinal ascending. */
export function compareHits(a: SymbolHit & { ordinal: number }, b: SymbolHit & { ordinal: number }): number {
  return (
    b.score - a.score ||
    compareText(a.symbol.name, b.symbol.name) ||
    compareText(a.symbol.file, b.symbol.file) ||
    a.symbol.startLine - b.symbol.startLine ||
    compareText(a.taskId, b.taskId) ||
    a.ordinal - b.ordinal
  );
}

/** Whether a symbol passes the filter's kind and language conditions. */
export function matchesFilters(symbol: SymbolDef, filter: SymbolSearchFilter): boolean {
  return (
    (filter.kinds === undefined || filter.kinds.length === 0 || filter.kinds.includes(symbol.kind)) &&
    (filter.language === undefined || symbol.language.toLowerCase() === filter.language.toLowerCase())
  );
}

/** The offset a search page starts at; the cursor is opaque to clients. */
export function searchOffset(filter: SymbolSearchFilter): number {
  if (!Number.isInteger(filter.limit) || filter.limit < 1 || filter.limit > 1000) {
    throw invalidSearch('limit', 'must be an integer from 1 to 1000');
  }
  if (filter.cursor === undefined) return 0;
  const match = /^s1\.(\d{1,6})$/.exec(Buffer.from(filter.cursor, 'base64url').toString('utf8'));
  const offset = match ? Number(match[1]) : Number.NaN;
  if (!Number.isInteger(offset) || offset < 1 || offset > MAX_SEARCH_OFFSET) {
    throw invalidSearch('cursor', 'is not a cursor returned by this API');
  }
  return offset;
}

/** The cursor of the page after one that started at `offset` and held `count` hits. */
export function nextSearchCursor(offset: number, count: number): string | undefined {
  const next = offset + count;
  if (next > MAX_SEARCH_OFFSET) return undefined;
  return Buffer.from(`s1.${next}`, 'utf8').toString('base64url');
}

function invalidSearch(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `invalid search: ${path} ${message}`, {
    details: { issues: [{ path, message }] },
  });
}

/** Code-unit order (not locale order), which is what both adapters sort by (Postgres with COLLATE "C"). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unique(words: readonly string[]): string {
  return [...new Set(words.filter((word) => word !== ''))].join(' ');
}
