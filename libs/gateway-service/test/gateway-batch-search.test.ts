import { randomUUID } from 'node:crypto';
import { AgentSchema, type SymbolSearchPage } from '@contextforge/contracts';
import { resultCacheKey } from '../src/result-cache-key';
import { AGENTS, GatewayClient, errorOf } from './support/gateway-client';

/** The fleet advertises indexer 2.0.0 (agent-a runs it); registered before the first listing. */
const withIndexer = async (): Promise<GatewayClient> => {
  const client = await GatewayClient.start();
  const [base] = AGENTS;
  await client.registry.register(
    AgentSchema.parse({
      ...base,
      id: 'agent-indexer',
      status: 'healthy',
      taskTypes: ['indexer'],
      typeVersions: { indexer: '2.0.0' },
    }),
  );
  return client;
};

describe('gateway batches, result cache keys and symbol search', () => {
  let client: GatewayClient;

  beforeEach(async () => {
    client = await withIndexer();
  });

  afterEach(async () => {
    await client.close();
  });

  describe('POST /tasks/batch', () => {
    it('answers 202 with one entry per task in request order, each readable', async () => {
      const response = await client.post('/tasks/batch', {
        tasks: [
          { type: 'analyze.file', input: { path: 'a.ts' } },
          { type: 'analyze.file', input: { path: 'b.ts' }, priority: 9 },
          { type: 'review.diff', input: { diff: '+x' } },
        ],
      });

      expect(response.status).toBe(202);
      const body = (await response.json()) as {
        tasks: Array<{ index: number; taskId: string; status: string }>;
      };
      expect(body.tasks.map((task) => [task.index, task.status])).toEqual([
        [0, 'queued'],
        [1, 'queued'],
        [2, 'queued'],
      ]);
      expect(client.resultStore.batchSizes).toEqual([3]);
      const inputs = [];
      for (const { taskId } of body.tasks) {
        const read = await client.get(`/tasks/${taskId}`);
        expect(read.status).toBe(200);
        inputs.push(((await read.json()) as { input: unknown }).input);
      }
      expect(inputs).toEqual([{ path: 'a.ts' }, { path: 'b.ts' }, { diff: '+x' }]);
    });

    it('keeps idempotency per item and marks replayed items', async () => {
      const item = { type: 'analyze.file', input: { path: 'a.ts' }, idempotencyKey: 'item-1' };
      const first = (await (await client.post('/tasks/batch', { tasks: [item] })).json()) as {
        tasks: Array<{ taskId: string; replayed?: boolean }>;
      };
      const again = (await (
        await client.post('/tasks/batch', { tasks: [{ type: 'x.y' }, item] })
      ).json()) as {
        tasks: Array<{ taskId: string; replayed?: boolean }>;
      };

      expect(first.tasks[0]?.replayed).toBeUndefined();
      expect(again.tasks[1]).toMatchObject({ taskId: first.tasks[0]?.taskId, replayed: true });
      expect(again.tasks[0]?.replayed).toBeUndefined();
    });

    it('names the invalid item in VALIDATION_FAILED and submits nothing', async () => {
      const tasks = [{ type: 'a.b' }, { type: 'a.b' }, { type: 'a.b' }, { type: 'a.b', priority: 42 }];
      const response = await client.post('/tasks/batch', { tasks });

      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details?.['issues']).toEqual([expect.objectContaining({ path: 'tasks[3].priority' })]);
      expect(client.resultStore.batchSizes).toEqual([]);

      for (const body of [
        { tasks: [] },
        { tasks: Array.from({ length: 1001 }, () => ({ type: 'a.b' })) },
        {},
      ]) {
        const refused = await client.post('/tasks/batch', body);
        expect(refused.status).toBe(400);
      }
    });

    it('charges the task rate limit N', async () => {
      await client.close();
      const charged: number[] = [];
      client = await GatewayClient.start({
        limitTasks: async (_principal, count) => {
          charged.push(count);
        },
      });
      await client.post('/tasks/batch', { tasks: [{ type: 'a.b' }, { type: 'a.b' }, { type: 'a.b' }] });
      await client.post('/tasks/submit', { type: 'a.b' });
      expect(charged).toEqual([3, 1]);
    });
  });

  describe('result cache keys', () => {
    it('passes the key of (type, advertised version, input) for a versioned type, none otherwise', async () => {
      await client.post('/tasks/submit', { type: 'indexer', input: { file: 'a.ts', options: { x: 1 } } });
      await client.post('/tasks/batch', {
        tasks: [
          { type: 'indexer', input: { options: { x: 1 }, file: 'a.ts' } },
          { type: 'indexer', input: { file: 'a.ts', options: { x: 2 } } },
          { type: 'analyze.file', input: { file: 'a.ts' } },
        ],
      });

      const key = resultCacheKey('indexer', '2.0.0', { file: 'a.ts', options: { x: 1 } });
      expect(client.resultStore.submitOptions).toEqual([
        { cacheKey: key },
        { cacheKey: key },
        { cacheKey: resultCacheKey('indexer', '2.0.0', { file: 'a.ts', options: { x: 2 } }) },
        {},
      ]);
    });

    it('reports a hit as succeeded and fromCache, in the batch answer and the task', async () => {
      const submitted = await client.post('/tasks/submit', { type: 'indexer', input: { file: 'a.ts' } });
      const { taskId } = (await submitted.json()) as { taskId: string };
      client.resultStore.update(taskId, { status: 'succeeded' });

      const response = await client.post('/tasks/batch', {
        tasks: [
          { type: 'indexer', input: { file: 'a.ts' } },
          { type: 'indexer', input: { file: 'b.ts' } },
        ],
      });
      const body = (await response.json()) as {
        tasks: Array<{ taskId: string; status: string; fromCache?: boolean }>;
      };

      expect(body.tasks.map(({ status, fromCache }) => ({ status, fromCache }))).toEqual([
        { status: 'succeeded', fromCache: true },
        { status: 'queued', fromCache: undefined },
      ]);
      const read = await client.get(`/tasks/${body.tasks[0]?.taskId ?? ''}`);
      expect(await read.json()).toMatchObject({ status: 'succeeded', fromCache: true });
    });
  });

  describe('GET /search', () => {
    const answer: SymbolSearchPage = {
      results: [
        {
          symbol: {
            kind: 'function',
            name: 'loadConfig',
            file: 'src/config.ts',
            startLine: 1,
            endLine: 5,
            signature: 'function loadConfig()',
            language: 'typescript',
          },
          taskId: randomUUID(),
          score: 1.4,
        },
      ],
      nextCursor: 'abc',
    };

    it("searches the caller's symbols with its filters, and every client's for admins", async () => {
      client.resultStore.searchAnswer = answer;

      const response = await client.get(
        '/search?q=loadConf&kind=function&language=typescript&limit=5&cursor=c1',
      );
      await client.as('admin').get('/search?q=load');

      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(answer);
      expect(client.resultStore.searches).toEqual([
        {
          text: 'loadConf',
          clientId: 'client-a',
          kinds: ['function'],
          language: 'typescript',
          limit: 5,
          cursor: 'c1',
        },
        { text: 'load', limit: 20 },
      ]);
    });

    it.each([
      ['no q', '/search'],
      ['an empty q', '/search?q=%20'],
      ['a q without words', '/search?q=%21%21%21'],
      ['an unknown kind', '/search?q=a&kind=gadget'],
      ['a limit of 0', '/search?q=a&limit=0'],
      ['a limit over 100', '/search?q=a&limit=101'],
      ['an unknown parameter', '/search?q=a&sort=name'],
    ])('answers 400 VALIDATION_FAILED to %s', async (_what, path) => {
      const response = await client.get(path);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('VALIDATION_FAILED');
      expect(client.resultStore.searches).toEqual([]);
    });

    it('needs authentication', async () => {
      expect((await client.as(undefined).get('/search?q=a')).status).toBe(401);
    });
  });
});
