import { TaskSubmissionSchema, type SymbolSearchPage } from '@contextforge/contracts';
import { createSilentLogger } from '@contextforge/observability';
import { randomUUID } from 'node:crypto';
import { createServiceApp, HttpResultStoreClient, resultStoreRouter } from '../src';
import { InMemoryResultStore } from './support/in-memory-result-store';
import { serveApp, type ServedApp } from './support/serve-app';

describe('resultStoreRouter + HttpResultStoreClient: options, batches and symbol search', () => {
  let store: InMemoryResultStore;
  let served: ServedApp;
  let client: HttpResultStoreClient;
  const submission = (input: unknown, extra: Record<string, unknown> = {}) =>
    TaskSubmissionSchema.parse({ type: 'indexer', input, ...extra });

  beforeEach(async () => {
    store = new InMemoryResultStore();
    served = await serveApp(
      createServiceApp({ logger: createSilentLogger(), routers: [resultStoreRouter(store, 4_096)] }),
    );
    client = new HttpResultStoreClient(served.url);
  });
  afterEach(() => served.close());

  it('passes the cache key of a submission through', async () => {
    await client.submit(submission({ n: 1 }), 'client-1', { cacheKey: 'a'.repeat(64) });
    await client.submit(submission({ n: 2 }), 'client-1');
    expect(store.submitOptions).toEqual([{ cacheKey: 'a'.repeat(64) }, {}]);
  });

  it('submits a batch in one request, answering the outcomes in order with their options', async () => {
    const outcomes = await client.submitBatch(
      [
        { submission: submission({ n: 1 }), options: { cacheKey: 'k1' } },
        { submission: submission({ n: 2 }, { idempotencyKey: 'dup' }) },
        { submission: submission({ n: 2 }, { idempotencyKey: 'dup' }) },
      ],
      'client-1',
    );

    expect(outcomes.map((outcome) => [outcome.task.input, outcome.created])).toEqual([
      [{ n: 1 }, true],
      [{ n: 2 }, true],
      [{ n: 2 }, false],
    ]);
    expect(store.submitOptions).toEqual([{ cacheKey: 'k1' }, {}, {}]);
  });

  it('answers VALIDATION_FAILED to an invalid batch item, naming its index, and to an empty batch', async () => {
    const invalid = { ...submission(null), priority: 42 };
    await expect(
      client.submitBatch([{ submission: submission(null) }, { submission: invalid }], 'client-1'),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('items[1].submission.priority'),
    });
    await expect(client.submitBatch([], 'client-1')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(store.submitOptions).toEqual([]);
  });

  it('passes a symbol search through the query string and answers the page', async () => {
    const answer: SymbolSearchPage = {
      results: [
        {
          symbol: {
            kind: 'class',
            name: 'Parser',
            file: 'src/parser.ts',
            startLine: 1,
            endLine: 40,
            signature: 'export class Parser',
            language: 'typescript',
          },
          taskId: randomUUID(),
          score: 1.5,
        },
      ],
      nextCursor: 'next',
    };
    store.searchAnswer = answer;

    await expect(
      client.searchSymbols({
        text: 'pars',
        clientId: 'client-1',
        kinds: ['class', 'function'],
        language: 'typescript',
        limit: 5,
        cursor: 'c1',
      }),
    ).resolves.toEqual(answer);
    await client.searchSymbols({ text: 'all clients', limit: 20 });

    expect(store.searches).toEqual([
      {
        text: 'pars',
        clientId: 'client-1',
        kinds: ['class', 'function'],
        language: 'typescript',
        limit: 5,
        cursor: 'c1',
      },
      { text: 'all clients', limit: 20 },
    ]);
  });

  it('answers VALIDATION_FAILED to a bad search query', async () => {
    await expect(
      client.searchSymbols({ text: 'x', kinds: ['gadget' as never], limit: 5 }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(client.searchSymbols({ text: '', limit: 5 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(client.searchSymbols({ text: 'x', limit: 0 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(store.searches).toEqual([]);
  });
});
