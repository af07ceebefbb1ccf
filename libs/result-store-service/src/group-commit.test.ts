import { deferred } from '@contextforge/testing';
import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  it('writes alone when idle, and lets the calls made during a write share the next one, in order', async () => {
    const writes: number[][] = [];
    const gate = deferred();
    let first = true;
    const commits = new GroupCommit<number, string>(async (items) => {
      writes.push([...items]);
      if (first) {
        first = false;
        await gate.promise;
      }
      return items.map((item) => `done ${item}`);
    });
    const a = commits.run([1]);
    const b = commits.run([2, 3]);
    const c = commits.run([4]);
    gate.resolve();
    await expect(a).resolves.toEqual(['done 1']);
    await expect(b).resolves.toEqual(['done 2', 'done 3']);
    await expect(c).resolves.toEqual(['done 4']);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it("retries a failed shared write per call, so one call's error is its own", async () => {
    const gate = deferred();
    let calls = 0;
    const commits = new GroupCommit<number, number>(async (items) => {
      calls += 1;
      if (calls === 1) await gate.promise;
      if (items.includes(13)) throw new Error('bad batch');
      return [...items];
    });
    const held = commits.run([1]);
    const good = commits.run([2]);
    const bad = commits.run([13]);
    gate.resolve();
    await expect(held).resolves.toEqual([1]);
    await expect(good).resolves.toEqual([2]);
    await expect(bad).rejects.toThrow('bad batch');
  });
});
