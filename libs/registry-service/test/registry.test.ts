import {
  AgentStatusEventSchema,
  topicNames,
  type AgentRegistrationInput,
  type AgentStatusEvent,
  type Subscription,
} from '@contextforge/contracts';
import { MemoryDiscovery } from '@contextforge/discovery';
import { MemoryMessageBus } from '@contextforge/messaging';
import { createSilentLogger } from '@contextforge/observability';
import { MessageRecorder, uniqueName } from '@contextforge/testing';
import { Registry } from '../src/registry';

const WAIT_MS = 5_000;

const registration = (id: string, extra: Partial<AgentRegistrationInput> = {}) => ({
  id,
  name: `agent ${id}`,
  type: 'code-analyzer',
  taskTypes: ['analyze.file'],
  capabilities: ['typescript'],
  resources: { cpu: '2' },
  endpoint: `memory://${id}`,
  weight: 2,
  concurrency: 4,
  version: '1.2.3',
  ...extra,
});

describe('Registry', () => {
  const topics = topicNames(uniqueName('reg'));
  let bus: MemoryMessageBus;
  let discovery: MemoryDiscovery;
  let registry: Registry;
  let statusEvents: MessageRecorder;
  let subscription: Subscription;

  const start = async (ttlMs = 30_000) => {
    bus = new MemoryMessageBus();
    await bus.connect();
    discovery = new MemoryDiscovery({ ttlMs });
    await discovery.connect();
    statusEvents = new MessageRecorder();
    subscription = await bus.subscribe({
      topic: topics.agentStatus,
      group: 'test-observer',
      handler: statusEvents.handler,
    });
    registry = new Registry({ discovery, bus, topics, logger: createSilentLogger() });
    await registry.start();
  };

  afterEach(async () => {
    await registry.stop();
    await subscription.close();
    await bus.close();
    await discovery.close();
  });

  const eventsOf = (agentId: string): AgentStatusEvent[] =>
    statusEvents
      .values()
      .map((value) => AgentStatusEventSchema.parse(value))
      .filter((event) => event.agentId === agentId);

  /** Resolves once `agentId` has `count` status events. */
  const untilEvents = (agentId: string, count: number) =>
    statusEvents.until(
      (received) => received.filter((message) => message.key === agentId).length >= count,
      WAIT_MS,
      `${count} status events of ${agentId}`,
    );

  it('lists agents with their discovery health as status: passing healthy, warning draining, critical unhealthy', async () => {
    await start();
    for (const id of ['c-agent', 'a-agent', 'b-agent']) await discovery.register(registration(id));
    await discovery.heartbeat('b-agent', 'warning', 'draining');
    await discovery.heartbeat('c-agent', 'critical', 'disk full');

    const agents = await registry.listAgents();

    expect(agents.map(({ id, status, statusNote }) => ({ id, status, statusNote }))).toEqual([
      { id: 'a-agent', status: 'healthy', statusNote: undefined },
      { id: 'b-agent', status: 'draining', statusNote: 'draining' },
      { id: 'c-agent', status: 'unhealthy', statusNote: 'disk full' },
    ]);
    expect(agents[0]).toMatchObject({ ...registration('a-agent'), lastHeartbeatAgeMs: expect.any(Number) });
    await expect(registry.getAgent('b-agent')).resolves.toMatchObject({ id: 'b-agent', status: 'draining' });
    await expect(registry.getAgent('nobody')).resolves.toBeUndefined();
  });

  it('publishes a status event on register, on each health change and on deregister, with the previous status', async () => {
    await start();
    await discovery.register(registration('agent-a'));
    await untilEvents('agent-a', 1);
    // Neither heartbeats that keep it passing nor another agent's arrival change its status.
    await discovery.heartbeat('agent-a');
    await discovery.register(registration('agent-b'));
    await untilEvents('agent-b', 1);
    await discovery.heartbeat('agent-a', 'warning', 'draining');
    await untilEvents('agent-a', 2);
    await discovery.heartbeat('agent-a', 'critical', 'checks failing');
    await untilEvents('agent-a', 3);
    await discovery.deregister('agent-a');
    await untilEvents('agent-a', 4);

    const events = eventsOf('agent-a');
    expect(events.map(({ previous, status }) => `${previous} -> ${status}`)).toEqual([
      'unknown -> healthy',
      'healthy -> draining',
      'draining -> unhealthy',
      'unhealthy -> deregistered',
    ]);
    expect(events[0]?.agent).toMatchObject({ ...registration('agent-a'), status: 'healthy' });
    expect(events[2]?.agent).toMatchObject({ status: 'unhealthy', statusNote: 'checks failing' });
    expect(events[3]?.agent).toBeUndefined();
    expect(
      statusEvents.received.every((message) => message.key === (message.value as AgentStatusEvent).agentId),
    ).toBe(true);
  });

  it('reports an agent whose heartbeat TTL expires as unhealthy, and healthy again once it heartbeats', async () => {
    await start(50);
    await discovery.register(registration('quiet'));

    await untilEvents('quiet', 2);
    expect(eventsOf('quiet')[1]).toMatchObject({
      previous: 'healthy',
      status: 'unhealthy',
      agent: { statusNote: 'TTL expired' },
    });
    await expect(registry.getAgent('quiet')).resolves.toMatchObject({ status: 'unhealthy' });

    await discovery.heartbeat('quiet');
    await untilEvents('quiet', 3);
    expect(eventsOf('quiet')[2]).toMatchObject({ previous: 'unhealthy', status: 'healthy' });
  });

  describe('register, heartbeat and deregister on behalf of agents', () => {
    it('registers an agent through discovery and answers it healthy', async () => {
      await start();

      const agent = await registry.register(registration('remote-1'));

      expect(agent).toMatchObject({ ...registration('remote-1'), status: 'healthy', circuit: 'closed' });
      const [instance] = await discovery.list();
      expect(instance?.registration).toEqual(registration('remote-1'));
      await untilEvents('remote-1', 1);
    });

    it('refuses an invalid registration with VALIDATION_FAILED and registers nothing', async () => {
      await start();

      await expect(registry.register({ ...registration('bad'), endpoint: 'ftp://x' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(discovery.list()).resolves.toEqual([]);
    });

    it('heartbeats a registered agent back to healthy, and answers AGENT_NOT_FOUND for an unknown one', async () => {
      await start();
      await registry.register(registration('hb'));
      await discovery.heartbeat('hb', 'critical', 'was failing');

      await registry.heartbeat('hb');

      await expect(registry.getAgent('hb')).resolves.toMatchObject({ status: 'healthy' });
      await expect(registry.heartbeat('ghost')).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
    });

    it('deregisters a registered agent, and answers AGENT_NOT_FOUND for an unknown one', async () => {
      await start();
      await registry.register(registration('leaving'));

      await registry.deregister('leaving');

      await expect(registry.getAgent('leaving')).resolves.toBeUndefined();
      await expect(registry.deregister('leaving')).rejects.toMatchObject({ code: 'AGENT_NOT_FOUND' });
    });
  });
});
