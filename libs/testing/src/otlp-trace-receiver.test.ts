import { startSpan, startSpanFrom, startTracing } from '@contextforge/observability';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { tracing as sdkTracing } from '@opentelemetry/sdk-node';
import { OtlpTraceReceiver } from './otlp-trace-receiver';

describe('OtlpTraceReceiver', () => {
  let receiver: OtlpTraceReceiver;
  beforeEach(async () => {
    receiver = await OtlpTraceReceiver.start();
  });
  afterEach(() => receiver.stop());

  it('receives what the OpenTelemetry OTLP/HTTP JSON exporter sends: service, ids, parents, attributes', async () => {
    const exporter = new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` });
    const tracing = await startTracing({
      serviceName: 'receiver-test',
      env: {},
      spanProcessors: [new sdkTracing.BatchSpanProcessor(exporter, { scheduledDelayMillis: 10 })],
    });
    try {
      const parent = startSpanFrom(undefined, 'parent');
      parent.run(() =>
        startSpan('child', { attributes: { 'contextforge.task_id': 't-1', attempt: 2, ok: true } }).end(
          Object.assign(new Error('boom'), { code: 'AGENT_LOST' }),
        ),
      );
      parent.end();
      const spans = await receiver.waitFor((received) => received.length === 2, {
        timeoutMs: 10_000,
        describe: (received) => `${received.length} of 2 spans`,
      });
      const [child, root] = spans;
      expect(root).toEqual({
        service: 'receiver-test',
        traceId: expect.stringMatching(/^[\da-f]{32}$/),
        spanId: expect.stringMatching(/^[\da-f]{16}$/),
        name: 'parent',
        attributes: {},
        statusCode: 0,
      });
      expect(child).toEqual({
        service: 'receiver-test',
        traceId: root?.traceId,
        spanId: expect.stringMatching(/^[\da-f]{16}$/),
        parentSpanId: root?.spanId,
        name: 'child',
        attributes: { 'contextforge.task_id': 't-1', attempt: 2, ok: true, 'error.code': 'AGENT_LOST' },
        statusCode: 2,
      });
      expect(parent.traceparent).toBe(`00-${root?.traceId}-${root?.spanId}-01`);
    } finally {
      await tracing.shutdown();
    }
  });

  it('refuses other paths and encodings, and names what is missing when a wait times out', async () => {
    const metrics = await fetch(`${receiver.url}/v1/metrics`, { method: 'POST', body: '{}' });
    expect(metrics.status).toBe(404);
    const protobuf = await fetch(`${receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(protobuf.status).toBe(400);
    await expect(
      receiver.waitFor((spans) => spans.length > 0, { timeoutMs: 50, describe: () => 'no agent span' }),
    ).rejects.toThrow(
      'no complete trace within 50 ms: no agent span (0 spans received; refused requests: content-type application/x-protobuf)',
    );
  });
});
