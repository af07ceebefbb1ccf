import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import { contextOf, traceparentOf } from './trace-context';
import { isTracing } from './tracing-state';

/** The instrumentation scope of every span the platform creates. */
export const TRACER_NAME = 'contextforge';

/** Span attributes; undefined values are left out. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface SpanOptions {
  attributes?: SpanAttributes;
  /** Default "internal". */
  kind?: SpanKindName;
}

/**
 * One span of work. With tracing off it is a no-op whose `traceparent` is the parent it was given
 * (startSpanFrom), so a trace context received still travels on through a process that does not
 * record spans itself.
 */
export interface SpanHandle {
  /** The W3C traceparent to hand to the next hop (bus header, Assignment, HTTP header). */
  readonly traceparent: string | undefined;
  setAttributes(attributes: SpanAttributes): void;
  /** Calls `fn` with this span as the active context (child spans, outgoing headers, log fields). */
  run<T>(fn: () => T): T;
  /** Ends the span; an error marks it failed (status ERROR, the exception and its `error.code`). */
  end(error?: unknown): void;
}

const KINDS: Record<SpanKindName, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

const NOOP_SPAN: SpanHandle = {
  traceparent: undefined,
  setAttributes: () => undefined,
  run: (fn) => fn(),
  end: () => undefined,
};

/** A span that is a child of the active span (a new trace when there is none). */
export function startSpan(name: string, options: SpanOptions = {}): SpanHandle {
  if (!isTracing()) return NOOP_SPAN;
  return open(name, options, context.active());
}

/**
 * A span that is a child of a remote `traceparent` (from a bus header or an Assignment), whatever
 * the active context is; a new trace when `traceparent` is undefined. Work that is picked up later
 * (a queued task, a consumed batch) names its parent this way instead of inheriting the context of
 * whatever happened to schedule it.
 */
export function startSpanFrom(
  traceparent: string | undefined,
  name: string,
  options: SpanOptions = {},
): SpanHandle {
  if (!isTracing()) return traceparent === undefined ? NOOP_SPAN : { ...NOOP_SPAN, traceparent };
  return open(name, options, contextOf(traceparent));
}

/** Runs `fn` in a child span of the active context, ending it (failed, if `fn` throws) when `fn` settles. */
export async function withSpan<T>(
  name: string,
  attributes: SpanAttributes,
  fn: () => T | Promise<T>,
  kind: SpanKindName = 'internal',
): Promise<T> {
  if (!isTracing()) return fn();
  const span = open(name, { attributes, kind }, context.active());
  try {
    const result = await span.run(fn);
    span.end();
    return result;
  } catch (error) {
    span.end(error);
    throw error;
  }
}

function open(name: string, options: SpanOptions, parent: Context): SpanHandle {
  const span = trace.getTracer(TRACER_NAME).startSpan(
    name,
    {
      kind: KINDS[options.kind ?? 'internal'],
      ...(options.attributes ? { attributes: defined(options.attributes) } : {}),
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return {
    traceparent: traceparentOf(active),
    setAttributes: (attributes) => void span.setAttributes(defined(attributes)),
    run: (fn) => context.with(active, fn),
    end: (error) => {
      if (error !== undefined) markFailed(span, error);
      span.end();
    },
  };
}

/** `error` is an Error or a serialized one ({code, message}); its code becomes `error.code`. */
function markFailed(span: Span, error: unknown): void {
  const fields =
    typeof error === 'object' && error !== null ? (error as { code?: unknown; message?: unknown }) : {};
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  if (error instanceof Error) span.recordException(error);
  if (typeof fields.code === 'string') span.setAttribute('error.code', fields.code);
}

function defined(attributes: SpanAttributes): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) result[key] = value;
  return result;
}
