import { tracing as sdkTracing } from '@opentelemetry/sdk-node';
import { createLogger } from '../create-logger';
import { startSpan, startSpanFrom, withSpan } from './spans';
import { startTracing, tracesExportConfigured, type Tracing } from './start-tracing';
import { runWithRemoteContext, traceparentOf, withTraceHeaders } from './trace-context';
import { isTracing } from './tracing-state';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = /^00-([\da-f]{32})-([\da-f]{16})-01$/;

describe('tracesExportConfigured', () => {
  it.each([
    [{}, false],
    [{ OTEL_TRACES_EXPORTER: 'none' }, false],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, false],
    [{ OTEL_TRACES_EXPORTER: ' ' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: '' }, false],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console,otlp' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' }, false],
  ])('%j -> %s', (env, expected) => {
    expect(tracesExportConfigured(env)).toBe(expected);
  });
});

describe('startTracing without an exporter', () => {
  it('starts nothing: spans are no-ops, a received traceparent travels on unchanged', async () => {
    const tracing = await startTracing({ serviceName: 'scheduler', env: { OTEL_TRACES_EXPORTER: 'none' } });
    expect(tracing.enabled).toBe(false);
    expect(isTracing()).toBe(false);
    expect(startSpan('x').traceparent).toBeUndefined();
    expect(startSpanFrom(PARENT, 'x').traceparent).toBe(PARENT);
    expect(await withSpan('x', {}, () => traceparentOf())).toBeUndefined();
    const headers = { accept: 'json' };
    expect(withTraceHeaders(headers)).toBe(headers);
    await tracing.shutdown();
  });
});

describe('startTracing with span processors', () => {
  // A shut-down processor and exporter record nothing: new ones for every start.
  let exporter: sdkTracing.InMemorySpanExporter;
  let processor: sdkTracing.SimpleSpanProcessor;
  let tracing: Tracing;
  const start = async (serviceName: string) => {
    exporter = new sdkTracing.InMemorySpanExporter();
    processor = new sdkTracing.SimpleSpanProcessor(exporter);
    tracing = await startTracing({ serviceName, env: {}, spanProcessors: [processor] });
  };
  /** The spans ended so far (their export waits for the resource's detected attributes). */
  const finished = async () => {
    await processor.forceFlush();
    return exporter.getFinishedSpans();
  };

  beforeEach(() => start('scheduler'));
  afterEach(() => tracing.shutdown());

  it('records spans under the service name, children of a remote traceparent', async () => {
    expect(tracing.enabled).toBe(true);
    const dispatch = startSpanFrom(PARENT, 'scheduler dispatch', {
      kind: 'producer',
      attributes: { 'contextforge.task_id': 't-1', skipped: undefined },
    });
    expect(dispatch.traceparent).toMatch(TRACEPARENT);
    expect(dispatch.traceparent?.slice(3, 35)).toBe(PARENT_TRACE);
    await dispatch.run(() => withSpan('inner', { step: 1 }, async () => undefined));
    dispatch.end();

    const spans = await finished();
    expect(spans.map((span) => span.name)).toEqual(['inner', 'scheduler dispatch']);
    const [inner, outer] = spans;
    expect(outer?.resource.attributes['service.name']).toBe('scheduler');
    expect(outer?.spanContext().traceId).toBe(PARENT_TRACE);
    expect(outer?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(outer?.attributes).toEqual({ 'contextforge.task_id': 't-1' });
    expect(inner?.spanContext().traceId).toBe(PARENT_TRACE);
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(`00-${PARENT_TRACE}-${outer?.spanContext().spanId}-01`).toBe(dispatch.traceparent);
  });

  it('starts a new trace from an absent parent, ignoring the active context', async () => {
    const outer = startSpan('outer');
    const root = outer.run(() => startSpanFrom(undefined, 'root'));
    root.end();
    outer.end();
    const [rootSpan, outerSpan] = await finished();
    expect(rootSpan?.parentSpanContext).toBeUndefined();
    expect(rootSpan?.spanContext().traceId).not.toBe(outerSpan?.spanContext().traceId);
  });

  it('marks a span failed with the error and its code, and rethrows', async () => {
    const failure = Object.assign(new Error('agent gone'), { code: 'AGENT_LOST' });
    await expect(
      withSpan('dispatch', {}, () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const [span] = await finished();
    expect(span?.status).toEqual({ code: 2, message: 'agent gone' });
    expect(span?.attributes['error.code']).toBe('AGENT_LOST');
    expect(span?.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('takes the context of incoming headers and adds the active one to outgoing headers', async () => {
    const outgoing = runWithRemoteContext({ traceparent: PARENT, other: ['a'] }, () =>
      withSpan(
        'gateway POST /tasks/submit',
        {},
        () => withTraceHeaders<Record<string, string>>({ 'x-a': 'b' }),
        'server',
      ),
    );
    const headers = await outgoing;
    expect(headers['x-a']).toBe('b');
    expect(headers['traceparent']).toMatch(TRACEPARENT);
    expect(headers['traceparent']?.slice(3, 35)).toBe(PARENT_TRACE);
    expect(runWithRemoteContext({}, () => traceparentOf())).toBeUndefined();
    expect(runWithRemoteContext({ traceparent: 'garbage' }, () => traceparentOf())).toBeUndefined();
  });

  it('writes trace_id and span_id on log lines inside a span only, beside service and redaction', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      service: 'agent',
      destination: { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const span = startSpanFrom(PARENT, 'agent execute');
    span.run(() => logger.child({ taskId: 't-7' }).info({ apiKey: 'k-secret' }, 'running'));
    span.end();
    logger.info('outside');
    const spanId = (await finished())[0]?.spanContext().spanId;
    expect(lines[0]).toEqual({
      level: 'info',
      time: expect.any(String),
      service: 'agent',
      taskId: 't-7',
      trace_id: PARENT_TRACE,
      span_id: spanId,
      apiKey: '[Redacted]',
      msg: 'running',
    });
    expect(lines[1]).not.toHaveProperty('trace_id');
    expect(lines[1]).not.toHaveProperty('span_id');
  });

  it('refuses a second start, and can start again after shutdown', async () => {
    await expect(startTracing({ serviceName: 'x', env: {}, spanProcessors: [] })).rejects.toThrow(
      'already started',
    );
    await tracing.shutdown();
    expect(isTracing()).toBe(false);
    expect(startSpan('after').traceparent).toBeUndefined();
    await start('again');
    startSpan('again').end();
    expect((await finished()).map((span) => span.resource.attributes['service.name'])).toEqual(['again']);
  });
});
