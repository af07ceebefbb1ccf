import { FinishedTasks } from './finished-tasks';

describe('FinishedTasks', () => {
  it('covers announcements of the finished attempt and older ones, not newer ones', () => {
    const finished = new FinishedTasks();
    finished.add('a', 2);
    expect(finished.covers('a', 0)).toBe(true);
    expect(finished.covers('a', 2)).toBe(true);
    expect(finished.covers('a', 3)).toBe(false);
    expect(finished.covers('b', 0)).toBe(false);
  });

  it('keeps the latest attempt of a task finished again (after a re-drive)', () => {
    const finished = new FinishedTasks();
    finished.add('a', 1);
    finished.add('a', 3);
    expect(finished.covers('a', 3)).toBe(true);
    expect(finished.covers('a', 4)).toBe(false);
    expect(finished.size).toBe(1);
  });

  it('forgets the least recently finished task beyond its capacity', () => {
    const finished = new FinishedTasks(2);
    finished.add('a', 1);
    finished.add('b', 1);
    finished.add('a', 2);
    finished.add('c', 1);
    expect(finished.size).toBe(2);
    expect(finished.covers('b', 1)).toBe(false);
    expect(finished.covers('a', 2)).toBe(true);
    expect(finished.covers('c', 1)).toBe(true);
  });
});
