import { randomUUID } from 'node:crypto';
import type { SymbolDef, SymbolSearchFilter, TaskRepository } from '@contextforge/contracts';
import { buildTask, buildTaskEvent } from './task-fixtures';
import { uniqueName } from './unique-name';

/**
 * The symbol index (TaskRepository.searchSymbols): symbols of succeeded outputs are stored with
 * the result, invalid ones skipped; search matches every word (the last as a prefix), ranks exact
 * names first and name words above other fields, scopes by client, filters kind and language,
 * and pages with a cursor. Every test uses its own client, so tests cannot see each other's symbols.
 */
export function describeTaskRepositorySymbols(repo: () => TaskRepository): void {
  describe('symbol index', () => {
    const symbol = (overrides: Partial<SymbolDef>): SymbolDef => ({
      kind: 'function',
      name: 'placeholder',
      file: 'src/placeholder.ts',
      startLine: 1,
      endLine: 3,
      signature: 'function placeholder()',
      language: 'typescript',
      ...overrides,
    });

    /** A succeeded task of `clientId` whose output carries `symbols`; returns its id. */
    const indexed = async (clientId: string, symbols: unknown[], extra: object = {}): Promise<string> => {
      const { task } = await repo().createTask(buildTask({ clientId, type: 'indexer' }));
      const [outcome] = await repo().applyEvents([
        buildTaskEvent('succeeded', task.id, 1, { output: { ...extra, symbols } }),
      ]);
      expect(outcome?.outcome).toBe('applied');
      return task.id;
    };

    const search = (clientId: string | undefined, text: string, more: Partial<SymbolSearchFilter> = {}) =>
      repo().searchSymbols({ text, limit: 20, ...(clientId === undefined ? {} : { clientId }), ...more });
    const names = (page: { results: Array<{ symbol: SymbolDef }> }) =>
      page.results.map((hit) => hit.symbol.name);

    it('stores the valid symbols of a succeeded output, skipping invalid ones, and finds them by name words', async () => {
      const clientId = uniqueName('client');
      const good = symbol({
        name: 'getUserName',
        file: 'src/users/user-service.ts',
        startLine: 10,
        endLine: 20,
      });
      const taskId = await indexed(clientId, [
        good,
        { name: 'missingKind' },
        symbol({ name: '' }),
        'not an object',
        symbol({ name: 'parse_config_file', kind: 'method', language: 'python', file: 'lib/config.py' }),
      ]);

      const page = await search(clientId, 'user name');

      expect(page.results).toEqual([{ symbol: good, taskId, score: expect.any(Number) }]);
      expect(page.nextCursor).toBeUndefined();
      expect(names(await search(clientId, 'config file'))).toEqual(['parse_config_file']);
      expect(names(await search(clientId, 'missingKind'))).toEqual([]);
    });

    it('indexes nothing for outputs without a symbols array, or from events that were not applied', async () => {
      const clientId = uniqueName('client');
      const { task } = await repo().createTask(buildTask({ clientId }));
      await repo().applyEvents([
        buildTaskEvent('succeeded', task.id, 1, { output: { symbols: 'nope' } }),
        // A second success is ignored (the task is final); its symbols must not be stored.
        buildTaskEvent('succeeded', task.id, 2, { output: { symbols: [symbol({ name: 'lateSymbol' })] } }),
      ]);
      await indexed(clientId, [], { other: [symbol({ name: 'lateSymbol' })] });

      expect((await search(clientId, 'late symbol')).results).toEqual([]);
    });

    it('ranks an exact name first, then name matches above kind, path and signature matches', async () => {
      const clientId = uniqueName('client');
      await indexed(clientId, [
        symbol({ name: 'renderWidget', signature: 'function renderWidget(widget: Widget)' }),
        symbol({ name: 'paint', file: 'src/widget/paint.ts', signature: 'function paint()' }),
        symbol({ name: 'Widget', kind: 'class', signature: 'class Widget' }),
        symbol({ name: 'draw', signature: 'function draw(target: widget)' }),
      ]);

      const page = await search(clientId, 'widget');

      expect(names(page)).toEqual(['Widget', 'renderWidget', 'paint', 'draw']);
      const scores = page.results.map((hit) => hit.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      expect(scores[0]).toBeGreaterThanOrEqual(1);
      expect(scores[1]).toBeLessThan(1);
    });

    it('matches the last word as a prefix and the others as whole words', async () => {
      const clientId = uniqueName('client');
      await indexed(clientId, [symbol({ name: 'getUserName' }), symbol({ name: 'get_username_by_id' })]);

      expect(names(await search(clientId, 'getUse')).sort()).toEqual(['getUserName', 'get_username_by_id']);
      expect(names(await search(clientId, 'get user-na'))).toEqual(['getUserName']);
      expect(names(await search(clientId, 'ge user'))).toEqual([]);
      // The whole name is a word too: the exact name ranks first, a longer name after it.
      expect(names(await search(clientId, 'GETUSERNAME'))).toEqual(['getUserName', 'get_username_by_id']);
    });

    it('searches only the given client, or every client without one', async () => {
      // One lower-case word no other test indexes (the search without a client sees them all).
      const word = `zorblax${randomUUID().replace(/[^a-f]/g, '')}`;
      const [mine, theirs] = [uniqueName('client'), uniqueName('client')];
      const myTask = await indexed(mine, [symbol({ name: `${word}Mine` })]);
      const theirTask = await indexed(theirs, [symbol({ name: `${word}Theirs` })]);

      expect((await search(mine, word)).results.map((hit) => hit.taskId)).toEqual([myTask]);
      expect((await search(theirs, word)).results.map((hit) => hit.taskId)).toEqual([theirTask]);
      expect((await search(undefined, word)).results.map((hit) => hit.taskId).sort()).toEqual(
        [myTask, theirTask].sort(),
      );
    });

    it('filters by kind and language', async () => {
      const clientId = uniqueName('client');
      await indexed(clientId, [
        symbol({ name: 'Parser', kind: 'class' }),
        symbol({ name: 'parse', kind: 'function' }),
        symbol({ name: 'parser', kind: 'variable', language: 'python', file: 'parser.py' }),
      ]);

      expect(names(await search(clientId, 'pars', { kinds: ['class'] }))).toEqual(['Parser']);
      expect(names(await search(clientId, 'pars', { kinds: ['class', 'variable'] })).sort()).toEqual([
        'Parser',
        'parser',
      ]);
      expect(names(await search(clientId, 'pars', { language: 'Python' }))).toEqual(['parser']);
      expect(names(await search(clientId, 'pars', { kinds: ['enum'] }))).toEqual([]);
    });

    it('pages with a cursor until the last page', async () => {
      const clientId = uniqueName('client');
      await indexed(
        clientId,
        Array.from({ length: 5 }, (_, index) => symbol({ name: `handler${index}`, signature: 'handler' })),
      );

      const first = await search(clientId, 'handler', { limit: 2 });
      const second = await search(clientId, 'handler', { limit: 2, cursor: first.nextCursor ?? '' });
      const third = await search(clientId, 'handler', { limit: 2, cursor: second.nextCursor ?? '' });

      const all = [...names(first), ...names(second), ...names(third)];
      expect(all.sort()).toEqual(['handler0', 'handler1', 'handler2', 'handler3', 'handler4']);
      expect(first.nextCursor).toBeDefined();
      expect(third.results).toHaveLength(1);
      expect(third.nextCursor).toBeUndefined();
    });

    it('rejects a query without words, a foreign cursor and a bad limit as VALIDATION_FAILED', async () => {
      const clientId = uniqueName('client');
      for (const filter of [
        { text: '  !!! ' },
        { text: 'x', cursor: 'not-a-cursor' },
        { text: 'x', cursor: Buffer.from('s1.-5').toString('base64url') },
        { text: 'x', limit: 0 },
      ]) {
        await expect(repo().searchSymbols({ clientId, limit: 20, ...filter })).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
      }
    });
  });
}
