import { randomUUID } from 'node:crypto';
import type { SymbolDef, TaskRepository } from '@contextforge/contracts';
import { buildTask, buildTaskEvent } from './task-fixtures';
import { uniqueName } from './unique-name';

/**
 * Payloads by reference (TaskRepository.putOutputPayload, getPayload, and `succeeded` events with
 * `outputRef`): an upload is fenced like the event that will name it, and applying that event makes
 * the payload's content the task's result, symbols included; a ref to no payload of the event's own
 * task and attempt gets the event ignored as PAYLOAD_NOT_FOUND.
 */
export function describeTaskRepositoryPayloads(repo: () => TaskRepository): void {
  describe('payloads by reference', () => {
    /** A task claimed for attempt 1 with a token of its own. */
    const claimed = async (): Promise<{ taskId: string; attempt: number; token: string }> => {
      const { task } = await repo().createTask(
        buildTask({ clientId: uniqueName('client'), type: 'indexer' }),
      );
      const token = randomUUID();
      await repo().applyEvents([buildTaskEvent('dispatched', task.id, 1, { agentId: 'agent-p', token })]);
      return { taskId: task.id, attempt: 1, token };
    };
    const symbol: SymbolDef = {
      kind: 'function',
      name: 'payloadResolvedSymbol',
      file: 'src/large.ts',
      startLine: 1,
      endLine: 2,
      signature: 'function payloadResolvedSymbol()',
      language: 'typescript',
    };

    it('stores an output for the current attempt and applies its ref as the result, symbols included', async () => {
      const owner = await claimed();
      const output = { symbols: [symbol], text: 'ż'.repeat(50_000) };

      const ref = await repo().putOutputPayload(owner, output);

      expect(ref.bytes).toBe(Buffer.byteLength(JSON.stringify(output)));
      expect(await repo().getPayload(ref.id)).toEqual({
        id: ref.id,
        taskId: owner.taskId,
        attempt: 1,
        bytes: ref.bytes,
        content: output,
        createdAt: expect.any(String),
      });
      const succeeded = buildTaskEvent('succeeded', owner.taskId, 1, {
        agentId: 'agent-p',
        token: owner.token,
        output: undefined,
        outputRef: ref.id,
      });
      const [outcome] = await repo().applyEvents([succeeded]);

      expect(outcome).toMatchObject({ outcome: 'applied', task: { status: 'succeeded' } });
      expect((await repo().getResult(owner.taskId))?.output).toEqual(output);
      const page = await repo().searchSymbols({ text: 'payloadResolvedSymbol', limit: 5 });
      expect(page.results.map((hit) => hit.taskId)).toContain(owner.taskId);
      const history = await repo().taskEvents(owner.taskId, 0, 10);
      expect(history.at(-1)?.event).toEqual(succeeded);
    });

    it('refuses uploads the succeeded event could not be applied with, and stores nothing for them', async () => {
      const owner = await claimed();
      const refused = (change: Partial<typeof owner>) =>
        repo().putOutputPayload({ ...owner, ...change }, { n: 1 });

      await expect(refused({ taskId: randomUUID() })).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
      await expect(refused({ token: 'forged' })).rejects.toMatchObject({ code: 'STALE_TOKEN' });
      await expect(refused({ token: undefined })).rejects.toMatchObject({ code: 'STALE_TOKEN' });
      await expect(refused({ attempt: 0 })).rejects.toMatchObject({ code: 'STALE_ATTEMPT' });
      await expect(refused({ attempt: 2 })).rejects.toMatchObject({ code: 'STALE_ATTEMPT' });
      await repo().applyEvents([buildTaskEvent('cancelled', owner.taskId, 1)]);
      await expect(refused({})).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
      expect(await repo().getPayload(randomUUID())).toBeUndefined();
    });

    it('takes an upload without a token for an attempt that has none (never claimed)', async () => {
      const { task } = await repo().createTask(buildTask({ clientId: uniqueName('client') }));
      const ref = await repo().putOutputPayload({ taskId: task.id, attempt: 0 }, ['report']);
      const [outcome] = await repo().applyEvents([
        buildTaskEvent('succeeded', task.id, 0, { output: undefined, outputRef: ref.id }),
      ]);
      expect(outcome?.outcome).toBe('applied');
      expect((await repo().getResult(task.id))?.output).toEqual(['report']);
    });

    it('ignores a ref to no payload, or to another task or attempt, as PAYLOAD_NOT_FOUND', async () => {
      const owner = await claimed();
      const other = await claimed();
      const ofOther = await repo().putOutputPayload(other, { other: true });
      const ofFirstAttempt = await repo().putOutputPayload(owner, { attempt: 1 });
      const token = randomUUID();
      await repo().applyEvents([
        buildTaskEvent('failed', owner.taskId, 1, { agentId: 'agent-p', token: owner.token }),
        buildTaskEvent('dispatched', owner.taskId, 2, { agentId: 'agent-p', token }),
      ]);
      const succeeded = (outputRef: string) =>
        buildTaskEvent('succeeded', owner.taskId, 2, {
          agentId: 'agent-p',
          token,
          output: undefined,
          outputRef,
        });

      const outcomes = await repo().applyEvents([
        succeeded(randomUUID()),
        succeeded(ofOther.id),
        succeeded(ofFirstAttempt.id),
      ]);

      expect(outcomes.map(({ outcome, reason }) => [outcome, reason])).toEqual([
        ['ignored', 'PAYLOAD_NOT_FOUND'],
        ['ignored', 'PAYLOAD_NOT_FOUND'],
        ['ignored', 'PAYLOAD_NOT_FOUND'],
      ]);
      expect(await repo().getTask(owner.taskId)).toMatchObject({ status: 'dispatched', attempt: 2 });
      expect(await repo().getResult(owner.taskId)).toBeUndefined();
      const ref = await repo().putOutputPayload({ taskId: owner.taskId, attempt: 2, token }, { attempt: 2 });
      const [applied] = await repo().applyEvents([succeeded(ref.id)]);
      expect(applied?.outcome).toBe('applied');
      expect((await repo().getResult(owner.taskId))?.output).toEqual({ attempt: 2 });
    });
  });
}
