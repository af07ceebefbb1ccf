import { AppError, type Assignment } from '@contextforge/contracts';
import { buildTask, deferred, withTimeout } from '@contextforge/testing';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpAgentTransport } from '../src';
import { closedPort, serveScriptedAgent, type ServedAgent } from './support/serve-scripted-agent';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('HttpAgentTransport against serveAgentEndpoint', () => {
  const transport = new HttpAgentTransport();
  let served: ServedAgent;
  const assignment = (): Assignment => ({
    task: buildTask({ input: { path: 'a.ts' } }),
    attempt: 2,
    token: 'token-2',
    traceparent: TRACEPARENT,
  });

  beforeEach(async () => {
    served = await serveScriptedAgent();
  });
  afterEach(() => served.close());

  it('dispatches an assignment the agent accepts', async () => {
    const sent = assignment();
    await transport.dispatch(served.endpoint, sent);
    expect(served.agent.accepted).toEqual([sent]);
  });

  it.each([
    ['AGENT_AT_CAPACITY', { concurrency: 4 }],
    ['AGENT_DRAINING', undefined],
    ['UNKNOWN_TASK_TYPE', undefined],
  ] as const)('turns a %s the agent throws back into an AppError with that code', async (code, details) => {
    served.agent.failWith = new AppError(code, `refused: ${code}`, details ? { details } : {});
    const error: unknown = await transport.dispatch(served.endpoint, assignment()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code,
      message: `refused: ${code}`,
      retryable: code !== 'UNKNOWN_TASK_TYPE',
    });
    expect((error as AppError).details).toEqual(details);
  });

  it('answers INTERNAL without the message of an unexpected agent error', async () => {
    served.agent.failWith = new Error('secret: db password is hunter2');
    const error: unknown = await transport.dispatch(served.endpoint, assignment()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'internal error' });
  });

  it('fails with AGENT_UNREACHABLE when nothing listens on the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    await expect(transport.dispatch(endpoint, assignment())).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
    });
    await expect(transport.ping(endpoint)).rejects.toMatchObject({ code: 'AGENT_UNREACHABLE' });
    await expect(transport.cancel(endpoint, 'x', 1, 'r')).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
    });
  });

  it('fails with AGENT_UNREACHABLE on an endpoint that is not a URL', async () => {
    await expect(transport.ping('not a url')).rejects.toMatchObject({ code: 'AGENT_UNREACHABLE' });
  });

  it('cancels an attempt, task ids travelling intact through the path', async () => {
    await transport.cancel(served.endpoint, 'task/with space?&', 3, 'cancelled by client');
    expect(served.agent.cancelled).toEqual([
      { taskId: 'task/with space?&', attempt: 3, reason: 'cancelled by client' },
    ]);
  });

  it('reports the VALIDATION_FAILED of an invalid cancel request', async () => {
    await expect(transport.cancel(served.endpoint, 't', 1, 'x'.repeat(501))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(served.agent.cancelled).toEqual([]);
  });

  it('pings the agent for its load', async () => {
    served.agent.draining = true;
    await expect(transport.ping(served.endpoint)).resolves.toEqual({
      agentId: 'agent-scripted',
      inFlight: 0,
      concurrency: 4,
      draining: true,
    });
  });

  it('treats a load answer that does not match the schema as AGENT_UNREACHABLE', async () => {
    served.agent.loadOverride = { agentId: 'x', inFlight: -1 };
    await expect(transport.ping(served.endpoint)).rejects.toMatchObject({ code: 'AGENT_UNREACHABLE' });
  });

  it('stops waiting when the caller aborts, with AGENT_UNREACHABLE', async () => {
    served.agent.hold = deferred();
    const controller = new AbortController();
    const dispatching = transport.dispatch(served.endpoint, assignment(), { signal: controller.signal });
    await withTimeout(served.agent.acceptEntered.promise, 5_000, 'the agent receiving the dispatch');
    controller.abort();
    await expect(withTimeout(dispatching, 2_000, 'the aborted dispatch')).rejects.toMatchObject({
      code: 'AGENT_UNREACHABLE',
    });
    served.agent.hold.resolve();
  });
});

describe('HttpAgentTransport request shape', () => {
  it('appends paths to an endpoint with a path prefix and sends the traceparent header', async () => {
    const seen: Array<Pick<IncomingMessage, 'method' | 'url' | 'headers'>> = [];
    const server = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers });
      req.resume();
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const task = buildTask();
      await new HttpAgentTransport().dispatch(`http://127.0.0.1:${port}/agents/a1/`, {
        task,
        attempt: 1,
        token: 'token-1',
        traceparent: TRACEPARENT,
      });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        method: 'POST',
        url: '/agents/a1/v1/assignments',
        headers: { traceparent: TRACEPARENT, 'content-type': 'application/json' },
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('maps an answer without our error shape to AGENT_UNREACHABLE naming the status', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(new HttpAgentTransport().ping(`http://127.0.0.1:${port}`)).rejects.toMatchObject({
        code: 'AGENT_UNREACHABLE',
        message: expect.stringContaining('502'),
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
