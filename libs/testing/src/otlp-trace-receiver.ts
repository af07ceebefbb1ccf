import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP exporter sent it, with its resource's `service.name`. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  name: string;
  attributes: Record<string, string | number | boolean>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: OtlpKeyValue[];
  status?: { code?: number };
}
interface OtlpTraceRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
  }>;
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

/**
 * A test double of an OpenTelemetry collector's OTLP/HTTP trace endpoint (POST /v1/traces) in
 * the JSON encoding: point exporters at it with OTEL_EXPORTER_OTLP_ENDPOINT=`url` and
 * OTEL_EXPORTER_OTLP_PROTOCOL=http/json. It keeps every span it receives and answers 200 with an
 * empty ExportTraceServiceResponse; other paths (metrics, logs) get 404, a body that is not an
 * OTLP/JSON trace request gets 400. Protobuf and compressed bodies are not understood.
 */
export class OtlpTraceReceiver {
  private readonly received: ReceivedSpan[] = [];
  private readonly waiters = new Set<Waiter>();
  /** Requests that were refused, for a failing test to show. */
  readonly rejected: string[] = [];

  private constructor(
    private readonly server: Server,
    /** http://127.0.0.1:<port> */
    readonly url: string,
  ) {}

  static async start(): Promise<OtlpTraceReceiver> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const receiver = new OtlpTraceReceiver(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    // Nobody knows the address before this line, so no request can have been missed.
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void receiver.handle(req, res));
    return receiver;
  }

  /** Every span received so far, in arrival order. */
  spans(): readonly ReceivedSpan[] {
    return this.received;
  }

  /**
   * Resolves with the spans received once `done(spans)` is true (checked now and after every
   * export); rejects after `timeoutMs` with `describe(spans)`, which says what is still missing.
   */
  async waitFor(
    done: (spans: readonly ReceivedSpan[]) => boolean,
    options: { timeoutMs: number; describe: (spans: readonly ReceivedSpan[]) => string },
  ): Promise<readonly ReceivedSpan[]> {
    if (done(this.received)) return this.received;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        waiter = { check: () => done(this.received), resolve };
        this.waiters.add(waiter);
        timer = setTimeout(() => {
          const refused = this.rejected.length > 0 ? `; refused requests: ${this.rejected.join('; ')}` : '';
          reject(
            new Error(
              `no complete trace within ${options.timeoutMs} ms: ${options.describe(this.received)} ` +
                `(${this.received.length} spans received${refused})`,
            ),
          );
        }, options.timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      if (waiter) this.waiters.delete(waiter);
    }
    return this.received;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    let request: OtlpTraceRequest;
    try {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        throw new Error(`content-type ${String(req.headers['content-type'])}`);
      }
      request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpTraceRequest;
    } catch (error) {
      this.rejected.push(error instanceof Error ? error.message : String(error));
      res.writeHead(400).end();
      return;
    }
    for (const resourceSpans of request.resourceSpans ?? []) {
      const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.received.push({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
            name: span.name,
            attributes: attributesOf(span.attributes),
            statusCode: span.status?.code ?? 0,
          });
        }
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    for (const waiter of this.waiters) if (waiter.check()) waiter.resolve();
  }
}

function attributesOf(list: readonly OtlpKeyValue[] | undefined): Record<string, string | number | boolean> {
  const attributes: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    if (value?.stringValue !== undefined) attributes[key] = value.stringValue;
    else if (value?.boolValue !== undefined) attributes[key] = value.boolValue;
    else if (value?.intValue !== undefined) attributes[key] = Number(value.intValue);
    else if (value?.doubleValue !== undefined) attributes[key] = value.doubleValue;
  }
  return attributes;
}
