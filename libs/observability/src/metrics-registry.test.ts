import { createMetricsRegistry } from './metrics-registry';

describe('MetricsRegistry', () => {
  it('labels every series with the service and keeps registries apart', async () => {
    const one = createMetricsRegistry({ service: 'scheduler', defaultMetrics: false });
    const two = createMetricsRegistry({ service: 'gateway', defaultMetrics: false });
    one.taskRetries.inc({ type: 'echo' });
    expect(await one.exposition()).toContain(
      'contextforge_task_retries_total{type="echo",service="scheduler"} 1',
    );
    expect(await two.exposition()).not.toContain('contextforge_task_retries_total{');
  });

  it('refills the scrape gauges at every scrape and skips a collector that throws', async () => {
    const metrics = createMetricsRegistry({ defaultMetrics: false });
    let depth = 3;
    const stop = metrics.onScrape(() => metrics.queueDepth.set({ priority: '5' }, depth));
    metrics.onScrape(() => {
      throw new Error('broken');
    });
    expect(await metrics.exposition()).toContain('contextforge_queue_depth{priority="5"} 3');
    depth = 1;
    expect(await metrics.exposition()).toContain('contextforge_queue_depth{priority="5"} 1');
    stop();
    expect(await metrics.exposition()).not.toContain('contextforge_queue_depth{');
  });

  it('sets 1 for the current circuit state and 0 for the others', async () => {
    const metrics = createMetricsRegistry({ defaultMetrics: false });
    metrics.onScrape(() => metrics.setCircuitState('a-1', 'half_open'));
    const text = await metrics.exposition();
    expect(text).toContain('contextforge_agent_circuit_state{agent="a-1",state="half_open"} 1');
    expect(text).toContain('contextforge_agent_circuit_state{agent="a-1",state="open"} 0');
    expect(text).toContain('contextforge_agent_circuit_state{agent="a-1",state="closed"} 0');
  });

  it('counts offset resets per topic and group, from 0 once the series is created', async () => {
    const metrics = createMetricsRegistry({ defaultMetrics: false });
    metrics.countOffsetResets('cf.tasks.events', 'result-store', 0);
    expect(await metrics.exposition()).toContain(
      'contextforge_bus_offset_resets_total{topic="cf.tasks.events",group="result-store"} 0',
    );
    metrics.countOffsetResets('cf.tasks.events', 'result-store', 1);
    metrics.countOffsetResets('cf.tasks.events', 'result-store', 1);
    expect(await metrics.exposition()).toContain(
      'contextforge_bus_offset_resets_total{topic="cf.tasks.events",group="result-store"} 2',
    );
  });

  it('collects the default process metrics with promtool-clean names', async () => {
    const text = await createMetricsRegistry({ service: 'agent' }).exposition();
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{service="agent"\} /m);
    expect(text).not.toContain('nodejs_active_handles_total');
  });
});
