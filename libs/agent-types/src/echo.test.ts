import type { TaskContext } from '@contextforge/agent-sdk';
import { createSilentLogger } from '@contextforge/observability';
import { echoAgentType } from './echo';

const context = (): TaskContext => ({
  taskId: '6f1c3c1e-0000-4000-8000-000000000001',
  attempt: 1,
  signal: new AbortController().signal,
  logger: createSilentLogger(),
  traceparent: undefined,
  progress: () => undefined,
});

describe('echo agent type', () => {
  it('returns its input unchanged', async () => {
    const input = { path: 'src/a.ts', lines: [1, 2, 3], nested: { ok: true } };
    await expect(echoAgentType.handler(input, context())).resolves.toEqual(input);
    await expect(echoAgentType.handler(null, context())).resolves.toBeNull();
    await expect(echoAgentType.handler('text', context())).resolves.toBe('text');
  });

  it('accepts any input (it declares no schema) and runs the "echo" task type', () => {
    expect(echoAgentType.input).toBeUndefined();
    expect(echoAgentType.name).toBe('echo');
  });
});
