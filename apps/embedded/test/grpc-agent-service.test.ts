import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_LOADER_OPTIONS, type AgentServiceProtoType } from '@contextforge/gateway-service';
import { lifecycleEvents, waitFor } from '@contextforge/testing';
import fc from 'fast-check';
import { resolve } from 'node:path';
import { PRINCIPALS, startStreamTestSystem, type StreamTestSystem } from './support/stream-test-system';

const PROTO = resolve(__dirname, '../../../libs/contracts/proto/agent_service.proto');
type Client = InstanceType<AgentServiceProtoType['contextforge']['v1']['AgentService']>;
type Status = { code: number; details: string; metadata: grpc.Metadata };

function metadataFor(token: string | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/** Calls a unary method and resolves to its response or its error status. */
function call<Res>(
  invoke: (
    metadata: grpc.Metadata,
    callback: (error: grpc.ServiceError | null, response?: Res) => void,
  ) => void,
  token: string | undefined,
): Promise<{ response?: Res; error?: Status }> {
  return new Promise((done) =>
    invoke(metadataFor(token), (error, response) => done(error ? { error } : { response })),
  );
}

interface StreamOutcome {
  messages: Array<{ seq?: number; eventType?: string; end?: boolean; finalStatus?: string }>;
  status: Status;
}

function streamResults(client: Client, request: object, token: string | undefined, deadlineMs = 10_000) {
  return new Promise<StreamOutcome>((done) => {
    const messages: StreamOutcome['messages'] = [];
    const stream = client.StreamResults(request, metadataFor(token), { deadline: Date.now() + deadlineMs });
    stream.on('data', (message: StreamOutcome['messages'][number]) => messages.push(message));
    stream.on('error', () => undefined);
    stream.on('status', (status: Status) => done({ messages, status }));
  });
}

describe('gRPC AgentService', () => {
  let system: StreamTestSystem;
  let client: Client;

  beforeAll(async () => {
    system = await startStreamTestSystem();
    const proto = grpc.loadPackageDefinition(
      protoLoader.loadSync(PROTO, PROTO_LOADER_OPTIONS),
    ) as unknown as AgentServiceProtoType;
    client = new proto.contextforge.v1.AgentService(
      `127.0.0.1:${system.grpcPort}`,
      grpc.credentials.createInsecure(),
    );
  });
  afterAll(async () => {
    client.close();
    await system.close();
  });

  const submitTask = (request: object, token = 'client-a') =>
    call<{
      task?: { id?: string; status?: string; eventSeq?: number; inputJson?: string };
      created?: boolean;
    }>((metadata, callback) => client.SubmitTask(request, metadata, callback), token);

  it('RegisterAgent, SubmitTask and GetTaskStatus answer like REST', async () => {
    const registered = await call<{ agent?: object | null }>(
      (metadata, callback) =>
        client.RegisterAgent(
          {
            id: 'grpc-agent',
            name: 'gRPC agent',
            type: 'code-analyzer',
            taskTypes: ['analyze-file'],
            capabilities: ['typescript'],
            endpoint: 'http://grpc-agent.internal:8001',
            concurrency: 4,
          },
          metadata,
          callback,
        ),
      'admin',
    );
    expect(registered.response?.agent).toMatchObject({
      id: 'grpc-agent',
      status: 'healthy',
      circuit: 'closed',
      concurrency: 4,
      weight: 1,
      capabilities: ['typescript'],
    });

    const submitted = await submitTask({
      type: 'analyze-file',
      inputJson: '{"path":"a.ts","lines":[1,2]}',
      priority: 7,
    });
    expect(submitted.response).toMatchObject({ created: true, task: { status: 'queued', eventSeq: 1 } });
    expect(JSON.parse(submitted.response?.task?.inputJson ?? '')).toEqual({ path: 'a.ts', lines: [1, 2] });

    const status = await call<{ task?: object | null }>(
      (metadata, callback) =>
        client.GetTaskStatus({ taskId: submitted.response?.task?.id }, metadata, callback),
      'client-a',
    );
    expect(status.response?.task).toMatchObject({
      id: submitted.response?.task?.id,
      status: 'queued',
      priority: 7,
    });
  });

  it('maps errors to gRPC statuses with the error code in trailing metadata', async () => {
    const missing = await call(
      (metadata, callback) => client.GetTaskStatus({ taskId: randomUUID() }, metadata, callback),
      'client-a',
    );
    expect(missing.error?.code).toBe(grpc.status.NOT_FOUND);
    expect(missing.error?.metadata.get('x-error-code')).toEqual(['TASK_NOT_FOUND']);
    const body = JSON.parse(String(missing.error?.metadata.get('x-error-bin')[0])) as {
      error: { code: string };
    };
    expect(body.error.code).toBe('TASK_NOT_FOUND');

    const submitted = await submitTask({ type: 'analyze-file' });
    const foreign = await call(
      (metadata, callback) =>
        client.GetTaskStatus({ taskId: submitted.response?.task?.id }, metadata, callback),
      'client-b',
    );
    expect(foreign.error?.code).toBe(grpc.status.NOT_FOUND);

    const anonymous = await submitTask({ type: 'analyze-file' }, '');
    expect(anonymous.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const forged = await submitTask({ type: 'analyze-file' }, 'forged');
    expect(forged.error?.code).toBe(grpc.status.UNAUTHENTICATED);

    const badJson = await submitTask({ type: 'analyze-file', inputJson: '{nope' });
    expect(badJson.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(badJson.error?.metadata.get('x-error-code')).toEqual(['VALIDATION_FAILED']);
    const badPriority = await submitTask({ type: 'analyze-file', priority: 1_000_000 });
    expect(badPriority.error?.code).toBe(grpc.status.INVALID_ARGUMENT);

    const forbidden = await call(
      (metadata, callback) =>
        client.RegisterAgent(
          { id: 'x', name: 'x', type: 't', taskTypes: ['a'], endpoint: 'http://x:1' },
          metadata,
          callback,
        ),
      'client-a',
    );
    expect(forbidden.error?.code).toBe(grpc.status.PERMISSION_DENIED);
  });

  it('StreamResults streams every event then ends, and resumes after after_seq', async () => {
    const submitted = await submitTask({ type: 'analyze-file' });
    const taskId = submitted.response?.task?.id ?? '';
    const streaming = streamResults(client, { taskId }, 'client-a');
    await waitFor(() => system.hub.stats().taskWatchers === 1);
    await system.publishEvents(lifecycleEvents(taskId));
    const full = await streaming;
    expect(full.status.code).toBe(grpc.status.OK);
    expect(
      full.messages.map((message) => [message.seq, message.eventType ?? '', message.end ?? false]),
    ).toEqual([
      [1, 'queued', false],
      [2, 'dispatched', false],
      [3, 'started', false],
      [4, 'succeeded', false],
      [4, '', true],
    ]);
    expect(full.messages.at(-1)?.finalStatus).toBe('succeeded');

    const resumed = await streamResults(client, { taskId, afterSeq: 2 }, 'client-a');
    expect(resumed.messages.map((message) => message.seq)).toEqual([3, 4, 4]);
    const foreign = await streamResults(client, { taskId }, 'client-b');
    expect(foreign.status.code).toBe(grpc.status.NOT_FOUND);
    const anonymous = await streamResults(client, { taskId }, undefined);
    expect(anonymous.status.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  describe('fuzzing (random and near-miss requests): never INTERNAL or UNKNOWN', () => {
    const BAD = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN]);
    const tokens = fc.constantFrom('client-a', 'admin', 'agent-key', 'forged', '');
    const text = fc.oneof(
      fc.string(),
      fc.constantFrom('', 'analyze-file', 'a'.repeat(300), '\u0000', 'null'),
    );
    const int = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 10, 1_000_000, 2 ** 31 - 1, -(2 ** 31)));
    const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const json = fc.oneof(fc.json(), fc.string(), fc.constantFrom('', '{', '[1,2', 'null', '"x"'));
    let finalTaskId = '';

    beforeAll(async () => {
      const submitted = await submitTask({ type: 'analyze-file' });
      finalTaskId = submitted.response?.task?.id ?? '';
      await system.publishEvents(lifecycleEvents(finalTaskId));
      await waitFor(
        async () =>
          (await system.operations.getTask(PRINCIPALS['client-a'], finalTaskId)).status === 'succeeded',
      );
    });

    const taskIds = () => fc.oneof(fc.uuid(), text, fc.constant(finalTaskId));
    const runs = { numRuns: 1000 };

    it('SubmitTask', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            type: maybe(text),
            inputJson: maybe(json),
            priority: maybe(int),
            requiredCapabilities: maybe(fc.array(text, { maxLength: 60 })),
            timeoutMs: maybe(int),
            maxAttempts: maybe(int),
            idempotencyKey: maybe(text),
          }),
          tokens,
          async (request, token) => {
            const outcome = await submitTask(request, token);
            expect(BAD.has(outcome.error?.code ?? grpc.status.OK)).toBe(false);
          },
        ),
        runs,
      );
    }, 120_000);

    it('RegisterAgent', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            id: maybe(text),
            name: maybe(text),
            type: maybe(text),
            taskTypes: maybe(fc.array(text, { maxLength: 120 })),
            capabilities: maybe(fc.array(text, { maxLength: 5 })),
            resources: maybe(fc.record({ cpu: maybe(text), memory: maybe(text), disk: maybe(text) })),
            endpoint: maybe(fc.oneof(text, fc.constantFrom('http://a:1', 'memory://x', 'ftp://x'))),
            weight: maybe(int),
            concurrency: maybe(int),
            version: maybe(text),
            instanceId: maybe(text),
          }),
          tokens,
          async (request, token) => {
            const outcome = await call(
              (metadata, callback) => client.RegisterAgent(request, metadata, callback),
              token,
            );
            expect(BAD.has(outcome.error?.code ?? grpc.status.OK)).toBe(false);
          },
        ),
        runs,
      );
    }, 120_000);

    it('GetTaskStatus', async () => {
      await fc.assert(
        fc.asyncProperty(fc.record({ taskId: maybe(taskIds()) }), tokens, async (request, token) => {
          const outcome = await call(
            (metadata, callback) => client.GetTaskStatus(request, metadata, callback),
            token,
          );
          expect(BAD.has(outcome.error?.code ?? grpc.status.OK)).toBe(false);
        }),
        runs,
      );
    }, 120_000);

    it('StreamResults', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            taskId: maybe(taskIds()),
            afterSeq: maybe(fc.oneof(int, fc.constantFrom(0, 2, 4, 5))),
          }),
          tokens,
          async (request, token) => {
            const outcome = await streamResults(client, request, token);
            expect(BAD.has(outcome.status.code)).toBe(false);
            expect(outcome.status.code).not.toBe(grpc.status.DEADLINE_EXCEEDED);
          },
        ),
        runs,
      );
    }, 120_000);

    it('undecodable bytes on every method', async () => {
      const methods = ['RegisterAgent', 'SubmitTask', 'GetTaskStatus', 'StreamResults'];
      let undecodable = 0;
      const raw = new grpc.Client(`127.0.0.1:${system.grpcPort}`, grpc.credentials.createInsecure());
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(...methods),
            fc.uint8Array({ maxLength: 200 }),
            async (method, bytes) => {
              const path = `/contextforge.v1.AgentService/${method}`;
              const serialize = (value: Buffer): Buffer => value;
              const deserialize = (value: Buffer): Buffer => value;
              const code = await new Promise<number>((done) => {
                if (method === 'StreamResults') {
                  const stream = raw.makeServerStreamRequest(
                    path,
                    serialize,
                    deserialize,
                    Buffer.from(bytes),
                    metadataFor('client-a'),
                    {
                      deadline: Date.now() + 10_000,
                    },
                  );
                  stream.on('data', () => undefined);
                  stream.on('error', () => undefined);
                  stream.on('status', (status: Status) => done(status.code));
                } else {
                  raw.makeUnaryRequest(
                    path,
                    serialize,
                    deserialize,
                    Buffer.from(bytes),
                    metadataFor('admin'),
                    (error) => done(error ? error.code : grpc.status.OK),
                  );
                }
              });
              expect(BAD.has(code)).toBe(false);
              expect(code).not.toBe(grpc.status.DEADLINE_EXCEEDED);
              if (code === grpc.status.INVALID_ARGUMENT) undecodable += 1;
            },
          ),
          { numRuns: 1000 },
        );
      } finally {
        raw.close();
      }
      // Most random bytes are not a valid message: the mapping was exercised, not skipped.
      expect(undecodable).toBeGreaterThan(0);
    }, 120_000);
  });
});
