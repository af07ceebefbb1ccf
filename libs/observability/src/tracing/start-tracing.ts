import { context, propagation, trace } from '@opentelemetry/api';
import type { tracing } from '@opentelemetry/sdk-node';
import { setTracing } from './tracing-state';

export interface TracingOptions {
  /** `service.name` of every span (OTEL_SERVICE_NAME overrides it). */
  serviceName: string;
  /**
   * The process environment, handed in by main.ts like the config's. It decides whether tracing
   * starts at all (see tracesExportConfigured); the OpenTelemetry SDK then reads its standard
   * OTEL_* variables from process.env itself (exporter, endpoint, protocol, headers, sampler,
   * batch delays), which is the one place outside libs/config where the environment is read.
   */
  env: Readonly<Record<string, string | undefined>>;
  /** Tests: record into these processors instead of the exporters the environment names. */
  spanProcessors?: tracing.SpanProcessor[];
}

export interface Tracing {
  /** Whether spans are recorded and exported in this process. */
  readonly enabled: boolean;
  /**
   * Exports what is buffered and stops recording. Bounded by `timeoutMs` (default 5,000) so a
   * collector that does not answer cannot hold back the process's exit.
   */
  shutdown(timeoutMs?: number): Promise<void>;
}

const DISABLED: Tracing = { enabled: false, shutdown: async () => undefined };
let running = false;

/**
 * Whether the environment asks for spans to be exported: OTEL_TRACES_EXPORTER names an exporter
 * other than `none`, or it is unset and an OTLP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set; never when OTEL_SDK_DISABLED=true.
 *
 * Deliberately stricter than the SDK, which exports to localhost:4318 when nothing is set: a
 * process nobody collects spans from would pay for building, batching and failing to send them.
 */
export function tracesExportConfigured(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (exporters.includes('none')) return false;
  if (exporters.length > 0) return true;
  return [env['OTEL_EXPORTER_OTLP_ENDPOINT'], env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']].some(
    (value) => value !== undefined && value.trim() !== '',
  );
}

/**
 * Starts the OpenTelemetry Node SDK for this process's traces, when configured (or given span
 * processors); otherwise returns a disabled Tracing and the platform's span helpers stay no-ops
 * that cost one boolean check. Call it before building the service, once per process.
 *
 * What it sets up: the exporters and sampler of the OTEL_* environment (OTLP over http/protobuf,
 * http/json or gRPC; OTEL_TRACES_SAMPLER; OTEL_BSP_* batching), the AsyncLocalStorage context
 * manager, and the resource (service.name, host, process). Left out on purpose: automatic
 * instrumentation of libraries (the platform opens its own spans where a task moves, see
 * docs/operations.md), and OpenTelemetry metrics and logs (metrics are Prometheus on /metrics,
 * logs are JSON lines on stdout carrying trace_id).
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (!options.spanProcessors && !tracesExportConfigured(options.env)) return DISABLED;
  if (running) throw new Error('tracing is already started in this process');
  // Loaded only when tracing is on: the SDK and its exporters take a while to load.
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    serviceName: options.env['OTEL_SERVICE_NAME'] || options.serviceName,
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
  });
  sdk.start();
  running = true;
  setTracing(true);
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    shutdown: (timeoutMs = 5_000) => {
      stopped ??= (async () => {
        setTracing(false);
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
          timer.unref();
        });
        await Promise.race([sdk.shutdown().catch(() => undefined), expired]);
        clearTimeout(timer);
        // The SDK leaves its globals registered; without this a later start could not register.
        trace.disable();
        context.disable();
        propagation.disable();
        running = false;
      })();
      return stopped;
    },
  };
}
