import { buildTask } from '@contextforge/testing';
import { MemoryAgentNetwork, SchemeRoutingTransport } from '../src';
import { ScriptedAgent } from './support/scripted-agent';
import { serveScriptedAgent, type ServedAgent } from './support/serve-scripted-agent';

describe('SchemeRoutingTransport', () => {
  let remote: ServedAgent;
  const network = new MemoryAgentNetwork();
  const local = new ScriptedAgent('local');
  const localServer = network.listen('memory://local', local);

  beforeAll(async () => {
    remote = await serveScriptedAgent();
  });
  afterAll(async () => {
    await remote.close();
    await localServer.close();
  });

  it('sends memory:// calls to the in-process network and http:// calls over HTTP', async () => {
    const transport = new SchemeRoutingTransport(network);
    const toLocal = { task: buildTask(), attempt: 1, token: 'token-1' };
    const toRemote = { task: buildTask(), attempt: 1, token: 'token-1' };
    await transport.dispatch('memory://local', toLocal);
    await transport.dispatch(remote.endpoint, toRemote);
    expect(local.accepted.map((a) => a.task.id)).toEqual([toLocal.task.id]);
    expect(remote.agent.accepted.map((a) => a.task.id)).toEqual([toRemote.task.id]);
    await expect(transport.ping('memory://local')).resolves.toMatchObject({ agentId: 'local' });
    await expect(transport.ping(remote.endpoint)).resolves.toMatchObject({ agentId: 'agent-scripted' });
    await transport.cancel('memory://local', toLocal.task.id, 1, 'r1');
    await transport.cancel(remote.endpoint, toRemote.task.id, 1, 'r2');
    expect(local.cancelled).toEqual([{ taskId: toLocal.task.id, attempt: 1, reason: 'r1' }]);
    expect(remote.agent.cancelled).toEqual([{ taskId: toRemote.task.id, attempt: 1, reason: 'r2' }]);
  });

  it('rejects (never throws synchronously) a memory:// call when it has no in-process network', async () => {
    const transport = new SchemeRoutingTransport();
    const dispatching = transport.dispatch('memory://local', {
      task: buildTask(),
      attempt: 1,
      token: 'token-1',
    });
    await expect(dispatching).rejects.toMatchObject({ code: 'AGENT_UNREACHABLE' });
    await expect(transport.ping('memory://local')).rejects.toMatchObject({ code: 'AGENT_UNREACHABLE' });
    await expect(transport.cancel('memory://local', 't', 1, 'r')).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
    });
  });
});
