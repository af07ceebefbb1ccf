import { ROOT_CONTEXT, context, defaultTextMapGetter, defaultTextMapSetter, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { isTracing } from './tracing-state';

/**
 * The W3C trace context (`traceparent`, and `tracestate` when there is one) is the only format the
 * platform propagates, whatever OTEL_PROPAGATORS says: it travels as HTTP headers, gRPC metadata,
 * bus message headers and Assignment.traceparent, and every one of them is written and read here.
 */
const w3c = new W3CTraceContextPropagator();

/** Incoming headers as Node and Express give them (lower-case names, repeated ones as arrays). */
export type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** The `traceparent` of `ctx` (default: the active context), or undefined when no span is in it. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  if (!isTracing()) return undefined;
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return carrier['traceparent'];
}

/**
 * `headers` plus the active span's `traceparent`/`tracestate`, for an outgoing HTTP call or bus
 * message. Returns `headers` itself when there is nothing to add (tracing off, no active span).
 */
export function withTraceHeaders<T extends Record<string, string>>(headers: T): T {
  if (!isTracing()) return headers;
  const carrier: Record<string, string> = {};
  w3c.inject(context.active(), carrier, defaultTextMapSetter);
  return carrier['traceparent'] === undefined ? headers : { ...headers, ...carrier };
}

/** The context a remote `traceparent` names (the root context when absent or malformed). */
export function contextOf(traceparent: string | undefined, tracestate?: string): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  const carrier: Record<string, string> =
    tracestate === undefined ? { traceparent } : { traceparent, tracestate };
  return w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

/** The first value of a header (`traceparent` from Node's IncomingHttpHeaders, for instance). */
export function headerValue(headers: IncomingHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Runs `fn` with the trace context of incoming `headers` (HTTP headers, gRPC metadata as a
 * record, bus message headers) as the active context, so spans started inside are its children.
 * With tracing off, or without a `traceparent`, it only calls `fn`.
 */
export function runWithRemoteContext<T>(headers: IncomingHeaders, fn: () => T): T {
  if (!isTracing()) return fn();
  const traceparent = headerValue(headers, 'traceparent');
  if (traceparent === undefined) return fn();
  return context.with(contextOf(traceparent, headerValue(headers, 'tracestate')), fn);
}

/**
 * `trace_id` and `span_id` of the active span for a log line (the names of OpenTelemetry's log
 * data model, which log back-ends link to traces); no fields when tracing is off or no span is
 * active. A new object every call: pino's mixin merge writes the line's fields into it.
 */
export function traceLogFields(): Record<string, string> {
  if (!isTracing()) return {};
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
