import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { AppError, type Authenticator, type Principal } from '@contextforge/contracts';
import { runWithRemoteContext, withSpan, type Logger } from '@contextforge/observability';
import type { GatewayOperations } from '../operations';
import { runTaskStream, type StreamSink } from '../streams/run-task-stream';
import type { StreamHub } from '../streams/stream-hub';
import type { StreamMessage } from '../streams/stream-message';
import type { ProtoGrpcType } from './generated/agent_service';
import type { AgentServiceHandlers } from './generated/contextforge/v1/AgentService';
import type { TaskStreamMessage } from './generated/contextforge/v1/TaskStreamMessage';
import {
  agentMessage,
  registrationFromRequest,
  submissionFromRequest,
  taskMessage,
  toGrpcError,
} from './grpc-mapping';

/** TLS for the gRPC port; PEM contents. With `requireClientCert`, clients need a cert signed by `ca` (mTLS). */
export interface GrpcTlsOptions {
  key: string | Buffer;
  cert: string | Buffer;
  ca?: string | Buffer;
  requireClientCert?: boolean;
}

export interface GrpcServerOptions {
  operations: GatewayOperations;
  authenticator: Authenticator;
  hub: Pick<StreamHub, 'watchTask'>;
  logger: Logger;
  /** Insecure (plaintext) when absent. */
  credentials?: GrpcTlsOptions;
  /** StreamResults: unsent bytes above which a live stream ends RESOURCE_EXHAUSTED (default 1 MiB). */
  highWaterMarkBytes?: number;
  /** Where agent_service.proto is (default: libs/contracts/proto in the source tree, or ./proto beside a bundle). */
  protoPath?: string;
  /** Largest request message (default 4 MiB). */
  maxReceiveMessageBytes?: number;
}

export interface GrpcServer {
  /** Binds and starts; resolves to the bound port (pass 0 for any free port). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting calls and waits for running ones, cancelling streams after 5 s. */
  close(): Promise<void>;
}

/** The loader options the generated types were made with (grpc-codegen.ts CODEGEN_FLAGS). */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  arrays: true,
  defaults: false,
  oneofs: false,
};

const DEFAULT_PROTO_PATH =
  [
    resolve(__dirname, '../../../contracts/proto/agent_service.proto'),
    resolve(__dirname, 'proto/agent_service.proto'),
  ].find((path) => existsSync(path)) ?? resolve(__dirname, '../../../contracts/proto/agent_service.proto');

/**
 * The gRPC AgentService (libs/contracts/proto/agent_service.proto): a thin adapter like the REST
 * routes. Each call authenticates from metadata (`authorization: Bearer ...` or `x-api-key`),
 * hands the decoded request to GatewayOperations (which validates and authorizes exactly as for
 * REST) and maps AppErrors to gRPC statuses (grpc-mapping.ts toGrpcError). StreamResults is the
 * task stream of /tasks/stream/{id} (runTaskStream) with `after_seq` as the resume point.
 */
export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const { operations, authenticator, logger } = options;
  const highWaterMark = options.highWaterMarkBytes ?? 1024 * 1024;
  const definition = protoLoader.loadSync(options.protoPath ?? DEFAULT_PROTO_PATH, PROTO_LOADER_OPTIONS);
  const proto = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 4 * 1024 * 1024,
  });

  const authenticate = (metadata: grpc.Metadata): Promise<Principal> => {
    const first = (key: string): string | undefined => {
      const value = metadata.get(key)[0];
      return typeof value === 'string' ? value : undefined;
    };
    const authorization = first('authorization');
    const apiKey = first('x-api-key');
    return authenticator.authenticate({
      ...(authorization ? { authorization } : {}),
      ...(apiKey ? { apiKey } : {}),
    });
  };

  const report = (error: unknown, method: string): Partial<grpc.StatusObject> => {
    if (!(error instanceof AppError)) {
      logger.error(
        { method, error: error instanceof Error ? error.stack : String(error) },
        'grpc call failed',
      );
    }
    return toGrpcError(error);
  };

  const unary =
    <Req, Res>(method: string, run: (principal: Principal, request: Req) => Promise<Res>) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>): void => {
      authenticate(call.metadata)
        .then((principal) =>
          // A span per call, a child of the caller's `traceparent` metadata when it sends one.
          runWithRemoteContext(metadataHeaders(call.metadata), () =>
            withSpan(
              `gateway grpc ${method}`,
              { 'rpc.system': 'grpc', 'rpc.method': method },
              () => run(principal, decoded(call.request)),
              'server',
            ),
          ),
        )
        .then(
          (response) => callback(null, response),
          (error: unknown) => callback(report(error, method)),
        );
    };

  const handlers: AgentServiceHandlers = {
    RegisterAgent: unary('RegisterAgent', async (principal, request) => ({
      agent: agentMessage(await operations.registerAgent(principal, registrationFromRequest(request))),
    })),
    SubmitTask: unary('SubmitTask', async (principal, request) => {
      const outcome = await operations.submitTask(principal, submissionFromRequest(request));
      return { task: taskMessage(outcome.task), created: outcome.created };
    }),
    GetTaskStatus: unary('GetTaskStatus', async (principal, request) => ({
      task: taskMessage(await operations.getTask(principal, request.taskId ?? '')),
    })),
    StreamResults: (call) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      call.on('close', () => abort.abort());
      const sink: StreamSink = {
        send(message: StreamMessage): void {
          if (abort.signal.aborted) return;
          call.write(streamMessage(message));
        },
        congested: () => call.writableLength > highWaterMark,
        drained: () =>
          new Promise<void>((resolveDrain) => {
            if (call.writableLength <= highWaterMark || abort.signal.aborted) return resolveDrain();
            const done = (): void => {
              call.off('drain', done);
              abort.signal.removeEventListener('abort', done);
              resolveDrain();
            };
            call.on('drain', done);
            abort.signal.addEventListener('abort', done);
          }),
      };
      const afterSeq = call.request.afterSeq ?? 0;
      void (async () => {
        try {
          if (!isUndecodable(call.request) && (!Number.isSafeInteger(afterSeq) || afterSeq < 0)) {
            throw new AppError('VALIDATION_FAILED', 'after_seq must be a non-negative integer', {
              details: { issues: [{ path: 'after_seq', message: 'a non-negative integer' }] },
            });
          }
          const principal = await authenticate(call.metadata);
          decoded(call.request);
          const outcome = await runTaskStream({
            operations,
            principal,
            taskId: call.request.taskId ?? '',
            afterSeq,
            watch: (taskId, listener) => options.hub.watchTask(taskId, listener),
            sink,
            signal: abort.signal,
          });
          if (outcome.reason === 'final') call.end();
          else if (outcome.reason === 'slow') {
            call.emit(
              'error',
              toGrpcError(
                new AppError('RATE_LIMITED', `slow consumer; resume with after_seq=${outcome.lastSeq}`, {
                  details: { lastSeq: outcome.lastSeq },
                  retryable: true,
                }),
              ),
            );
          }
        } catch (error) {
          if (!abort.signal.aborted) call.emit('error', report(error, 'StreamResults'));
        }
      })();
    },
  };
  server.addService(tolerantDecoding(proto.contextforge.v1.AgentService.service), handlers);

  const credentials = options.credentials
    ? grpc.ServerCredentials.createSsl(
        options.credentials.ca ? Buffer.from(options.credentials.ca) : null,
        [
          {
            private_key: Buffer.from(options.credentials.key),
            cert_chain: Buffer.from(options.credentials.cert),
          },
        ],
        options.credentials.requireClientCert ?? false,
      )
    : grpc.ServerCredentials.createInsecure();

  return {
    listen: (port, host = '0.0.0.0') =>
      new Promise<number>((resolveBind, rejectBind) => {
        server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, credentials, (error, bound) =>
          error ? rejectBind(error) : resolveBind(bound),
        );
      }),
    close: () =>
      new Promise<void>((resolveClose) => {
        const timer = setTimeout(() => server.forceShutdown(), 5_000);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolveClose();
        });
      }),
  };
}

const UNDECODABLE = Symbol('undecodable request');

/**
 * grpc-js answers a request its deserializer throws on with INTERNAL; a bad message is the
 * caller's fault, so decoding failures become a marker the handlers turn into INVALID_ARGUMENT.
 */
function tolerantDecoding(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer): unknown => {
          try {
            return method.requestDeserialize(bytes);
          } catch {
            return { [UNDECODABLE]: true };
          }
        },
      },
    ]),
  );
}

function isUndecodable(request: unknown): boolean {
  return typeof request === 'object' && request !== null && UNDECODABLE in request;
}

/** The text entries of gRPC metadata (where a caller's `traceparent` is), as a header record. */
function metadataHeaders(metadata: grpc.Metadata): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value === 'string') headers[key] = value;
  }
  return headers;
}

function decoded<T>(request: T): T {
  if (isUndecodable(request)) {
    throw new AppError('VALIDATION_FAILED', 'the request message could not be decoded', {
      details: { issues: [{ path: '', message: 'not a valid protobuf message of this method' }] },
    });
  }
  return request;
}

function streamMessage(message: StreamMessage): TaskStreamMessage {
  if (message.type === 'end') {
    const data = message.data as { status: string };
    return { seq: message.seq, end: true, finalStatus: data.status };
  }
  const data = message.data as { event: { type: string } };
  return { seq: message.seq, eventType: data.event.type, eventJson: JSON.stringify(data.event) };
}
