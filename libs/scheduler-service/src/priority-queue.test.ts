import { PriorityQueue } from './priority-queue';

function drain(queue: PriorityQueue<string>): string[] {
  const taken: string[] = [];
  queue.scan((item) => {
    taken.push(item);
    return 'take';
  });
  return taken;
}

describe('PriorityQueue', () => {
  it('serves higher priority first and FIFO within a priority', () => {
    const queue = new PriorityQueue<string>();
    queue.push(5, 'a5');
    queue.push(9, 'b9');
    queue.push(5, 'c5');
    queue.push(0, 'd0');
    queue.push(9, 'e9');
    expect(drain(queue)).toEqual(['b9', 'e9', 'a5', 'c5', 'd0']);
    expect(queue.size).toBe(0);
  });

  it('lets skipped items keep their place and pushFront put a bounced item first', () => {
    const queue = new PriorityQueue<string>();
    for (const item of ['x1', 'x2', 'x3']) queue.push(3, item);
    queue.scan((item) => (item === 'x2' ? 'take' : 'skip'));
    queue.pushFront(3, 'x2');
    expect(drain(queue)).toEqual(['x2', 'x1', 'x3']);
  });

  it('stops a scan on request and removes by predicate', () => {
    const queue = new PriorityQueue<string>();
    for (let index = 0; index < 5; index += 1) queue.push(1, `t${index}`);
    let visited = 0;
    queue.scan(() => (++visited === 2 ? 'stop' : 'skip'));
    expect(visited).toBe(2);
    expect(queue.remove(1, (item) => item === 't3')).toBe(true);
    expect(queue.remove(1, (item) => item === 'missing')).toBe(false);
    expect(queue.sizeByPriority()[1]).toBe(4);
  });

  it('stays FIFO across many pushes and takes (compaction)', () => {
    const queue = new PriorityQueue<number>();
    for (let index = 0; index < 5000; index += 1) queue.push(4, index);
    const taken: number[] = [];
    queue.scan((item) => (taken.push(item), taken.length < 3000 ? 'take' : 'stop'));
    for (let index = 5000; index < 6000; index += 1) queue.push(4, index);
    const rest: number[] = [];
    queue.scan((item) => (rest.push(item), 'take'));
    expect([...taken.slice(0, 2999), ...rest]).toEqual(Array.from({ length: 6000 }, (_, index) => index));
  });

  it('refuses priorities outside 0-9', () => {
    expect(() => new PriorityQueue<string>().push(10, 'x')).toThrow(RangeError);
  });
});
