import { AppError, type MessageBus, type OutgoingMessage, type TaskView } from '@contextforge/contracts';
import { waitFor } from '@contextforge/testing';
import type { EmbeddedSystem } from '../src/embedded-system';
import { gatewayFetch, startTestSystem } from './support/start-test-system';

const TASKS = 1_000;
const FAILURE_RATE = 0.1;

/** Fails a publish at random, `rate` of them (seeded, so a failing run can be replayed). */
class FlakyPublishes implements MessageBus {
  failed = 0;
  passed = 0;
  private state: number;
  constructor(
    private readonly inner: MessageBus,
    private readonly rate: number,
    readonly seed: number,
  ) {
    this.state = seed;
  }
  connect = () => this.inner.connect();
  close = () => this.inner.close();
  subscribe: MessageBus['subscribe'] = (options) => this.inner.subscribe(options);
  waitForGroup: MessageBus['waitForGroup'] = (group, topic, options) =>
    this.inner.waitForGroup(group, topic, options);
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.random() < this.rate) {
      this.failed += 1;
      throw new AppError('SERVICE_UNAVAILABLE', `injected: publish to ${topic} failed`);
    }
    this.passed += 1;
    await this.inner.publish(topic, messages);
  }
  /** mulberry32 */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

describe('embedded system on a bus that fails 10 % of publishes', () => {
  let system: EmbeddedSystem;
  let flaky: FlakyPublishes | undefined;
  const seed = Number(process.env['FLAKY_BUS_SEED'] ?? Date.now() % 2 ** 31);

  beforeAll(async () => {
    system = await startTestSystem(
      {},
      {
        decorateBus: (bus) => {
          flaky = new FlakyPublishes(bus, FAILURE_RATE, seed);
          return flaky;
        },
      },
    );
  });

  afterAll(async () => {
    await system?.stop();
  });

  it(`strands and loses nothing: ${TASKS} tasks each succeed once`, async () => {
    const call = gatewayFetch(system);
    const ids: string[] = [];
    for (let from = 0; from < TASKS; from += 250) {
      const tasks = Array.from({ length: Math.min(250, TASKS - from) }, (_, index) => ({
        type: 'echo',
        input: { n: from + index },
      }));
      const response = await call('/tasks/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tasks }),
      });
      expect(response.status).toBe(202);
      ids.push(
        ...((await response.json()) as { tasks: Array<{ taskId: string }> }).tasks.map((t) => t.taskId),
      );
    }
    expect(new Set(ids).size).toBe(TASKS);

    const statuses = async () => {
      const counts: Record<string, number> = {};
      for (const id of ids) {
        const task = await system.repository.getTask(id);
        counts[task?.status ?? 'missing'] = (counts[task?.status ?? 'missing'] ?? 0) + 1;
      }
      return counts;
    };
    let last: Record<string, number> = {};
    await waitFor(
      async () => {
        last = await statuses();
        return last['succeeded'] === TASKS;
      },
      { timeoutMs: 120_000, intervalMs: 500, label: `${TASKS} tasks to succeed (seed ${seed})` },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; last counts ${JSON.stringify(last)}`);
    });

    // One result each, and the history applied `succeeded` once per task.
    for (const id of ids) {
      const events = await system.repository.taskEvents(id, 0, 1_000);
      expect(events.filter((entry) => entry.event.type === 'succeeded')).toHaveLength(1);
      expect(await system.repository.getResult(id)).toMatchObject({ taskId: id });
    }
    const task = (await system.repository.getTask(ids[0] ?? '')) as TaskView;
    expect(task.status).toBe('succeeded');
    expect(flaky?.failed ?? 0).toBeGreaterThan(0);
    process.stdout.write(
      `flaky bus (seed ${seed}): ${flaky?.failed} of ${(flaky?.failed ?? 0) + (flaky?.passed ?? 0)} publishes failed; all ${TASKS} tasks succeeded once\n`,
    );
  }, 180_000);
});
