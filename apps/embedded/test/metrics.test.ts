import { spawnSync } from 'node:child_process';
import type { EmbeddedSystem } from '../src/embedded-system';
import { matches, parseExposition } from './support/prometheus-text';
import { gatewayFetch, startTestSystem, taskChange } from './support/start-test-system';

/** `promtool check metrics` (Debian package `prometheus`) on an exposition: its exit code and findings. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/** The value of one series in an exposition, e.g. sample(text, 'x_total', { type: 'echo' }). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  return parseExposition(text).find((entry) => matches(entry, name, labels))?.value;
}

describe('embedded system: Prometheus /metrics', () => {
  let system: EmbeddedSystem;

  beforeAll(async () => {
    system = await startTestSystem({ CONTEXTFORGE__EMBEDDED__AGENTS: '2' });
  });

  afterAll(async () => {
    await system?.stop();
  });

  const call = (path: string, init?: RequestInit) => gatewayFetch(system)(path, init);

  const finished = (id: string) =>
    taskChange(
      system,
      (task) => task.id === id && ['succeeded', 'dead_lettered', 'cancelled'].includes(task.status),
    );

  const submit = async (body: unknown): Promise<string> => {
    const response = await call('/tasks/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { taskId: string }).taskId;
  };

  it('serves every service metric without authentication, and promtool finds no problem', async () => {
    const echo = await submit({ type: 'echo', input: { hello: 'metrics' } });
    expect((await finished(echo)).status).toBe('succeeded');
    // Times out at once and may not be retried: one failure, one dead-letter.
    const sleeper = await submit({ type: 'sleep', input: { ms: 60_000 }, timeoutMs: 50, maxAttempts: 1 });
    expect((await finished(sleeper)).status).toBe('dead_lettered');
    expect((await call(`/tasks/${echo}`)).status).toBe(200);

    const response = await fetch(`${system.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();

    const check = promtoolCheck(text);
    expect(check).toEqual({ status: 0, output: '' });

    const service = { service: 'embedded' };
    expect(sample(text, 'contextforge_tasks_submitted_total', { ...service, type: 'echo' })).toBe(1);
    expect(sample(text, 'contextforge_tasks_submitted_total', { type: 'sleep' })).toBe(1);
    expect(sample(text, 'contextforge_tasks_finished_total', { type: 'echo', status: 'succeeded' })).toBe(1);
    expect(
      sample(text, 'contextforge_tasks_finished_total', { type: 'sleep', status: 'dead_lettered' }),
    ).toBe(1);
    expect(sample(text, 'contextforge_task_failures_total', { type: 'sleep', code: 'TASK_TIMEOUT' })).toBe(1);
    expect(sample(text, 'contextforge_dead_letters_total', { type: 'sleep' })).toBe(1);
    expect(sample(text, 'contextforge_task_duration_seconds_count', { type: 'echo' })).toBe(1);
    expect(sample(text, 'contextforge_task_run_seconds_count', { type: 'echo' })).toBe(1);
    for (const priority of ['0', '5', '9']) {
      expect(sample(text, 'contextforge_queue_depth', { priority })).toBe(0);
    }
    expect(sample(text, 'contextforge_agent_in_flight', { agent: 'local-agent-1' })).toBe(0);
    expect(sample(text, 'contextforge_agents', { status: 'healthy' })).toBe(2);
    expect(sample(text, 'contextforge_agents', { status: 'unhealthy' })).toBe(0);
    expect(
      sample(text, 'contextforge_agent_circuit_state', { agent: 'local-agent-2', state: 'closed' }),
    ).toBe(1);
    expect(sample(text, 'contextforge_agent_circuit_state', { agent: 'local-agent-2', state: 'open' })).toBe(
      0,
    );
    expect(sample(text, 'contextforge_kafka_consumer_lag', { group: 'scheduler' })).toBe(0);
    expect(
      sample(text, 'contextforge_http_requests_total', {
        service: 'gateway',
        method: 'GET',
        route: '/tasks/:id',
        status: '200',
      }),
    ).toBe(1);
    expect(text).not.toContain(`route="/tasks/${echo}"`);
    expect(sample(text, 'nodejs_eventloop_lag_seconds', service)).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_cpu_user_seconds_total', service)).toBeGreaterThan(0);
  });
});
