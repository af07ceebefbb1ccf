import type { AgentEndpoint, AgentLoad, Assignment } from '@contextforge/contracts';
import { buildTask } from '@contextforge/testing';
import { MemoryAgentNetwork } from './memory-agent-network';

class RecordingAgent implements AgentEndpoint {
  readonly accepted: Assignment[] = [];
  readonly cancelled: string[] = [];
  constructor(readonly id: string) {}
  async accept(assignment: Assignment): Promise<void> {
    this.accepted.push(assignment);
  }
  async cancel(taskId: string, attempt: number, reason: string): Promise<void> {
    this.cancelled.push(`${taskId}#${attempt}: ${reason}`);
  }
  load(): AgentLoad {
    return { agentId: this.id, inFlight: this.accepted.length, concurrency: 2, draining: false };
  }
}

describe('MemoryAgentNetwork', () => {
  const network = new MemoryAgentNetwork();

  it('dispatches to the agent listening on the endpoint, as a validated copy', async () => {
    const agent = new RecordingAgent('a1');
    const server = network.listen('memory://a1', agent);
    try {
      const assignment: Assignment = {
        task: buildTask({ input: { files: ['a.ts'] } }),
        attempt: 1,
        token: 'token-1',
      };
      await network.dispatch('memory://a1', assignment);
      expect(agent.accepted).toEqual([assignment]);
      expect(agent.accepted[0]).not.toBe(assignment);
      expect(agent.accepted[0]?.task.input).not.toBe(assignment.task.input);
      await expect(network.ping('memory://a1')).resolves.toMatchObject({ agentId: 'a1', inFlight: 1 });
      await network.cancel('memory://a1', assignment.task.id, 1, 'stop');
      expect(agent.cancelled).toEqual([`${assignment.task.id}#1: stop`]);
    } finally {
      await server.close();
    }
  });

  it('rejects an invalid assignment with VALIDATION_FAILED, like the HTTP agent does', async () => {
    const agent = new RecordingAgent('a2');
    const server = network.listen('memory://a2', agent);
    try {
      await expect(
        network.dispatch('memory://a2', { task: buildTask(), attempt: 0, token: 'token-0' }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      expect(agent.accepted).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('answers AGENT_UNREACHABLE for an endpoint nobody listens on (or no longer does)', async () => {
    const server = network.listen('memory://gone', new RecordingAgent('gone'));
    await server.close();
    const assignment = { task: buildTask(), attempt: 1, token: 'token-1' };
    await expect(network.dispatch('memory://gone', assignment)).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
    });
    await expect(network.ping('memory://never')).rejects.toMatchObject({ code: 'AGENT_UNREACHABLE' });
    await expect(network.cancel('memory://never', 't', 1, 'r')).resolves.toBeUndefined();
  });

  it('refuses a second listener on an endpoint in use, and frees it on close', async () => {
    const first = network.listen('memory://shared', new RecordingAgent('first'));
    expect(() => network.listen('memory://shared', new RecordingAgent('second'))).toThrow(/already in use/);
    await first.close();
    const second = network.listen('memory://shared', new RecordingAgent('second'));
    await expect(network.ping('memory://shared')).resolves.toMatchObject({ agentId: 'second' });
    await first.close(); // a stale close does not unbind the new listener
    await expect(network.ping('memory://shared')).resolves.toMatchObject({ agentId: 'second' });
    await second.close();
  });
});
