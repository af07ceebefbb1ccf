import type { Assignment } from '@contextforge/contracts';
import { buildTask, createTestPki, withTimeout, type TestCa, type TestPki } from '@contextforge/testing';
import { TlsMaterial } from '@contextforge/tls';
import { once } from 'node:events';
import { HttpAgentTransport, serveAgentEndpoint } from '../src';
import { ScriptedAgent } from './support/scripted-agent';

describe('direct dispatch over mTLS', () => {
  let pki: TestPki;
  let ca: TestCa;
  let agentTls: TlsMaterial;
  let schedulerTls: TlsMaterial;
  let agent: ScriptedAgent;
  let served: { port: number; close(): Promise<void> };
  const transports: HttpAgentTransport[] = [];

  beforeAll(async () => {
    pki = await createTestPki();
    ca = await pki.createCa('ca');
    const agentCert = await ca.issue('agent-1', { altNames: ['DNS:localhost', 'IP:127.0.0.1'] });
    const schedulerCert = await ca.issue('scheduler', { usage: 'client' });
    agentTls = await TlsMaterial.load({
      certPath: agentCert.certPath,
      keyPath: agentCert.keyPath,
      caPath: ca.certPath,
      requireClientCert: true,
      reloadInterval: 0,
    });
    schedulerTls = await TlsMaterial.load({
      certPath: schedulerCert.certPath,
      keyPath: schedulerCert.keyPath,
      caPath: ca.certPath,
      reloadInterval: 0,
    });
    agent = new ScriptedAgent();
    served = await serveAgentEndpoint(agent, { port: 0, host: '127.0.0.1', tls: agentTls });
  });

  afterAll(async () => {
    for (const transport of transports) transport.close();
    await served.close();
    agentTls.close();
    schedulerTls.close();
    await pki.remove();
  });

  const assignment = (): Assignment => ({
    task: buildTask({ input: { path: 'a.ts' } }),
    attempt: 1,
    token: 'token-1',
  });
  const endpoint = () => `https://localhost:${served.port}`;

  it('dispatches and pings with the scheduler certificate', async () => {
    const transport = new HttpAgentTransport({ tls: schedulerTls });
    transports.push(transport);
    const sent = assignment();
    await transport.dispatch(endpoint(), sent);
    expect(agent.accepted).toContainEqual(sent);
    await expect(transport.ping(endpoint())).resolves.toMatchObject({ agentId: 'agent-scripted' });
  });

  it('is refused by the agent without a client certificate', async () => {
    const noClientCert = { clientOptions: () => ({ ca: ca.cert, minVersion: 'TLSv1.3' as const }) };
    const transport = new HttpAgentTransport({ tls: noClientCert });
    transports.push(transport);
    const before = agent.accepted.length;
    const rejected = once(agentTls, 'peerRejected');
    await expect(transport.dispatch(endpoint(), assignment())).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
    });
    const [rejection] = await withTimeout(rejected, 5_000, 'the agent refusing the handshake');
    expect(rejection.reason).toMatch(/peer did not return a certificate/);
    expect(agent.accepted).toHaveLength(before);
  });

  it('does not reach an mTLS agent over plain fetch (no client certificate, unknown CA)', async () => {
    await expect(new HttpAgentTransport().ping(endpoint())).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
    });
  });
});
