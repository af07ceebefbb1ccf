import { randomUUID } from 'node:crypto';
import type { PayloadOwner, PayloadStore } from '@contextforge/contracts';

/** An attempt that may store its output: a task at its current attempt, with the attempt's token. */
export type OpenAttempt = Required<PayloadOwner>;

/** What a PayloadStore adapter under test hands the contract suite. */
export interface PayloadStoreContractSubject {
  /** Ready to use; shared by the suite's tests, each with tasks of its own. */
  store: PayloadStore;
  /** A new task whose current attempt is claimed with a token (as a dispatch leaves it). */
  openAttempt(): Promise<OpenAttempt>;
  /** Moves the task on to a newer claimed attempt, superseding `attempt`. */
  supersede(attempt: OpenAttempt): Promise<OpenAttempt>;
  /** Ends the task (cancelled). */
  finish(attempt: OpenAttempt): Promise<void>;
  cleanup(): Promise<void>;
}

export type PayloadStoreContractFactory = () => Promise<PayloadStoreContractSubject>;

/**
 * The behaviour every PayloadStore adapter must show (see the port's doc comment): the result-store
 * in-process and the HTTP client over its internal API (and the test double behind the routes).
 * Uploads are fenced like the `succeeded` event that will name them; content comes back as the JSON
 * it was.
 */
export function describePayloadStoreContract(name: string, factory: PayloadStoreContractFactory): void {
  describe(`PayloadStore contract: ${name}`, () => {
    let subject: PayloadStoreContractSubject | undefined;
    const current = (): PayloadStoreContractSubject => {
      if (!subject) throw new Error('the contract subject did not start');
      return subject;
    };
    beforeAll(async () => {
      subject = await factory();
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    it('stores the output of the current attempt and gives it back with its owner and size', async () => {
      const attempt = await current().openAttempt();
      const content = { text: 'zaż\u00f3łć ✓', list: [1, 2.5, null, { deep: [true] }], empty: {} };

      const ref = await current().store.put(attempt, content);

      expect(ref).toEqual({ id: expect.any(String), bytes: Buffer.byteLength(JSON.stringify(content)) });
      expect(await current().store.get(ref.id)).toEqual({
        id: ref.id,
        taskId: attempt.taskId,
        attempt: attempt.attempt,
        bytes: ref.bytes,
        content,
        createdAt: expect.any(String),
      });
      const again = await current().store.put(attempt, null);
      expect(again.id).not.toBe(ref.id);
      expect((await current().store.get(again.id))?.content).toBeNull();
    });

    it('refuses an upload without the attempt, with a wrong or missing token, or for an unknown task', async () => {
      const attempt = await current().openAttempt();
      const put = (owner: PayloadOwner) => current().store.put(owner, { n: 1 });

      await expect(put({ ...attempt, token: randomUUID() })).rejects.toMatchObject({ code: 'STALE_TOKEN' });
      await expect(put({ taskId: attempt.taskId, attempt: attempt.attempt })).rejects.toMatchObject({
        code: 'STALE_TOKEN',
      });
      await expect(put({ ...attempt, attempt: attempt.attempt + 1 })).rejects.toMatchObject({
        code: 'STALE_ATTEMPT',
      });
      await expect(put({ ...attempt, taskId: randomUUID() })).rejects.toMatchObject({
        code: 'TASK_NOT_FOUND',
      });
    });

    it('refuses a superseded attempt and a finished task', async () => {
      const first = await current().openAttempt();
      const second = await current().supersede(first);

      await expect(current().store.put(first, { late: true })).rejects.toMatchObject({
        code: 'STALE_ATTEMPT',
      });
      await expect(current().store.put(second, { n: 2 })).resolves.toMatchObject({ id: expect.any(String) });
      await current().finish(second);
      await expect(current().store.put(second, { n: 3 })).rejects.toMatchObject({
        code: 'INVALID_TRANSITION',
      });
    });

    it('answers undefined for an unknown id', async () => {
      expect(await current().store.get(randomUUID())).toBeUndefined();
    });
  });
}
