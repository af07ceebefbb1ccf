import { startTracing, type Tracing } from '@contextforge/observability';
import { tracing as sdkTracing } from '@opentelemetry/sdk-node';
import type { EmbeddedSystem } from '../src/embedded-system';
import { smallRepository } from './support/small-repository';
import { gatewayFetch, startTestSystem, taskChange } from './support/start-test-system';

const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_PARENT = `00-${CLIENT_TRACE}-b7ad6b7169203331-01`;

describe('embedded system tracing', () => {
  const exporter = new sdkTracing.InMemorySpanExporter();
  const processor = new sdkTracing.SimpleSpanProcessor(exporter);
  let tracing: Tracing;
  let system: EmbeddedSystem;

  beforeAll(async () => {
    tracing = await startTracing({ serviceName: 'contextforge', env: {}, spanProcessors: [processor] });
    system = await startTestSystem();
  });
  afterAll(async () => {
    await system?.stop();
    await tracing?.shutdown();
  });

  const finished = async () => {
    await processor.forceFlush();
    return exporter.getFinishedSpans();
  };
  const taskIdOf = (span: sdkTracing.ReadableSpan) => span.attributes['contextforge.task_id'];

  it("continues the client's trace through gateway, result-store, scheduler and agent back to the result-store", async () => {
    const succeeded = taskChange(system, (task) => task.type === 'echo' && task.status === 'succeeded');
    const response = await gatewayFetch(system)('/tasks/submit', {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: CLIENT_PARENT },
      body: JSON.stringify({ type: 'echo', input: { traced: true } }),
    });
    expect(response.status).toBe(202);
    const { taskId } = (await response.json()) as { taskId: string };
    expect((await succeeded).id).toBe(taskId);

    const spans = (await finished()).filter((span) => span.spanContext().traceId === CLIENT_TRACE);
    const byName = (name: string) => spans.filter((span) => span.name === name);
    const [submit] = byName('gateway POST /tasks/submit');
    const [create] = byName('result-store create-tasks');
    const [dispatch] = byName('scheduler dispatch');
    const [execute] = byName('agent execute');
    expect(submit?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(create?.parentSpanContext?.spanId).toBe(submit?.spanContext().spanId);
    expect(dispatch?.parentSpanContext?.spanId).toBe(create?.spanContext().spanId);
    expect(execute?.parentSpanContext?.spanId).toBe(dispatch?.spanContext().spanId);
    expect([dispatch, execute].map((span) => span && taskIdOf(span))).toEqual([taskId, taskId]);
    const applied = byName('result-store apply').map((span) => ({
      event: span.attributes['contextforge.event'],
      parent: span.parentSpanContext?.spanId,
    }));
    expect(applied).toEqual(
      expect.arrayContaining([
        { event: 'started', parent: execute?.spanContext().spanId },
        { event: 'succeeded', parent: execute?.spanContext().spanId },
      ]),
    );
  });

  it("runs a repository job's steps and every child in the job's trace", async () => {
    const { root } = smallRepository();
    const done = taskChange(system, (task) => task.type === 'repo-analysis' && task.status === 'succeeded');
    const response = await gatewayFetch(system)('/jobs/repository', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: { path: root }, chunkBytes: 64 }),
    });
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    expect((await done).id).toBe(jobId);
    const children = (await system.repository.listTasks({ parentId: jobId, limit: 100 })).tasks;
    expect(children.filter((child) => child.type === 'repo-chunk').length).toBeGreaterThan(1);

    const spans = await finished();
    const [submit] = spans.filter((span) => span.name === 'gateway POST /jobs/repository');
    const jobTrace = submit?.spanContext().traceId;
    expect(submit?.parentSpanContext).toBeUndefined();
    const executed = children.map((child) => {
      const execute = spans.find((span) => span.name === 'agent execute' && taskIdOf(span) === child.id);
      return { child: child.id, trace: execute?.spanContext().traceId };
    });
    expect(executed).toEqual(children.map((child) => ({ child: child.id, trace: jobTrace })));
    const steps = spans.filter((span) => span.name === 'scheduler job-step' && taskIdOf(span) === jobId);
    expect(steps.length).toBeGreaterThan(0);
    expect(new Set(steps.map((span) => span.spanContext().traceId))).toEqual(new Set([jobTrace]));
  });
});
