import { createServer } from 'node:net';
import { serveAgentEndpoint } from '../../src';
import { ScriptedAgent } from './scripted-agent';

export interface ServedAgent {
  agent: ScriptedAgent;
  endpoint: string;
  close(): Promise<void>;
}

/** A ScriptedAgent behind the real agent HTTP server on a free loopback port. */
export async function serveScriptedAgent(bodyLimitBytes?: number): Promise<ServedAgent> {
  const agent = new ScriptedAgent();
  const server = await serveAgentEndpoint(agent, {
    port: 0,
    host: '127.0.0.1',
    ...(bodyLimitBytes === undefined ? {} : { bodyLimitBytes }),
  });
  return { agent, endpoint: `http://127.0.0.1:${server.port}`, close: () => server.close() };
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
