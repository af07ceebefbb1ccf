import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { topicNames, type TaskEvent, type TopicNames } from '@contextforge/contracts';
import { MemoryDiscovery } from '@contextforge/discovery';
import {
  attachStreamServer,
  createGatewayOperations,
  createGrpcServer,
  StreamHub,
  type GatewayOperations,
  type GrpcServer,
  type StreamHubOptions,
  type StreamServer,
  type StreamServerOptions,
  type StreamMessage,
} from '@contextforge/gateway-service';
import { MemoryMessageBus } from '@contextforge/messaging';
import { createSilentLogger } from '@contextforge/observability';
import { createTaskRepository, MemoryApiKeyStore, OutboxRelay } from '@contextforge/persistence';
import { Registry } from '@contextforge/registry-service';
import { ResultStore } from '@contextforge/result-store-service';
import { uniqueName } from '@contextforge/testing';
import WebSocket from 'ws';
import { FakeAuthenticator, PRINCIPALS, type TestToken } from '@contextforge/testing';

export interface StreamTestSystem {
  operations: GatewayOperations;
  hub: StreamHub;
  streams: StreamServer;
  grpc: GrpcServer;
  bus: MemoryMessageBus;
  topics: TopicNames;
  httpPort: number;
  grpcPort: number;
  /** Publishes task events as agents and the scheduler would; the result-store applies them. */
  publishEvents(events: readonly TaskEvent[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The pieces the gateway streams need, in memory: bus, task repository, result-store, registry on
 * MemoryDiscovery, the gateway operations, a StreamHub, the WebSocket server on a real HTTP port
 * and the gRPC server on a real port. No scheduler: tests publish task events themselves, so the
 * order and timing of every event is theirs.
 */
export async function startStreamTestSystem(
  options: { hub?: Partial<StreamHubOptions>; streams?: Partial<StreamServerOptions> } = {},
): Promise<StreamTestSystem> {
  const logger = createSilentLogger();
  const topics = topicNames(uniqueName('streams'));
  const bus = new MemoryMessageBus();
  await bus.connect();
  const discovery = new MemoryDiscovery();
  await discovery.connect();
  const repository = createTaskRepository('memory://');
  await repository.connect();
  const relay = new OutboxRelay({ queue: repository, bus, topic: topics.taskChanges, logger });
  relay.start();
  const resultStore = new ResultStore({ repository, bus, topics, logger, onCommitted: () => relay.kick() });
  await resultStore.start();
  const registry = new Registry({ discovery, bus, topics, logger });
  await registry.start();
  const operations = createGatewayOperations({ resultStore, registry, apiKeys: new MemoryApiKeyStore() });
  const authenticator = new FakeAuthenticator();
  const hub = await StreamHub.create({ bus, topics, operations, logger, ...options.hub });
  const http: Server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const streams = attachStreamServer(http, { hub, operations, authenticator, logger, ...options.streams });
  const grpc = createGrpcServer({ operations, authenticator, hub, logger });
  const grpcPort = await grpc.listen(0, '127.0.0.1');
  return {
    operations,
    hub,
    streams,
    grpc,
    bus,
    topics,
    httpPort: (http.address() as AddressInfo).port,
    grpcPort,
    publishEvents: (events) =>
      bus.publish(
        topics.taskEvents,
        events.map((event) => ({ key: event.taskId, value: event })),
      ),
    async close() {
      await streams.close();
      await grpc.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await hub.close();
      await registry.stop();
      await resultStore.stop();
      await relay.stop();
      await bus.close();
      await repository.close();
      await discovery.close();
    },
  };
}

export { PRINCIPALS, type TestToken };

/** A WebSocket stream client that records every message and how the stream closed. */
export interface StreamClient {
  ws: WebSocket;
  messages: StreamMessage[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once a recorded message satisfies `predicate`. */
  until(predicate: (messages: StreamMessage[]) => boolean, label: string): Promise<void>;
}

export function openStream(
  port: number,
  path: string,
  token: TestToken | undefined,
  init: { protocols?: string[]; headers?: Record<string, string> } = {},
): StreamClient {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, init.protocols ?? [], {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
  const messages: StreamMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as StreamMessage);
    for (const waiter of waiters) waiter();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const waiter of waiters) waiter();
    }),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  void opened.catch(() => undefined);
  const until = (predicate: (messages: StreamMessage[]) => boolean, label: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (predicate(messages)) {
          waiters.delete(check);
          resolve();
        } else if (ws.readyState === WebSocket.CLOSED) {
          waiters.delete(check);
          reject(
            new Error(
              `stream closed before ${label}; got ${JSON.stringify(messages.map((m) => [m.type, m.seq]))}`,
            ),
          );
        }
      };
      waiters.add(check);
      check();
    });
  return { ws, messages, opened, closed, until };
}

/** The HTTP answer to an upgrade the server refused. */
export function refusedUpgrade(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
    });
    ws.once('error', () => undefined);
  });
}
