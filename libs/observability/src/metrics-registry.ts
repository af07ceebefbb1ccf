import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsRegistryOptions {
  /** The `service` label every series of this registry carries (e.g. `scheduler`, `embedded`). */
  service?: string;
  /** Collect prom-client's process and Node.js metrics (process_*, nodejs_*). Default true. */
  defaultMetrics?: boolean;
}

export const CIRCUIT_STATES = ['closed', 'open', 'half_open'] as const;
export const AGENT_STATUS_LABELS = ['healthy', 'draining', 'unhealthy'] as const;

/** Seconds from submission to a final status: interactive tasks in ms, repository chunks in minutes. */
const TASK_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Fills the scrape-time gauges from live state; see MetricsRegistry.onScrape. */
export type ScrapeCollector = () => void | Promise<void>;

/**
 * The Prometheus metrics of one process (prom-client), with the ContextForge instruments under
 * their published names (docs/operations.md lists them; the alert rules in k8s/ use them).
 *
 * One instance per process, never prom-client's global registry: the embedded mode's services
 * share one, and every test builds its own, so nothing leaks between them. Services take it as an
 * optional option and then record what they see; without one they record nothing.
 *
 * Counters and histograms are recorded where the event happens. Gauges that mirror live state
 * (queue depth, in-flight, agents, breaker states) are reset and filled at every scrape by the
 * collectors registered with `onScrape`, so a component that stopped (a scheduler that lost its
 * lease) stops reporting instead of freezing its last values. Consumer lag is set by the bus as
 * it consumes.
 */
export class MetricsRegistry {
  readonly registry = new Registry();

  readonly tasksSubmitted: Counter<'type'>;
  readonly tasksFinished: Counter<'type' | 'status'>;
  readonly taskFailures: Counter<'type' | 'code'>;
  readonly taskRetries: Counter<'type'>;
  readonly deadLetters: Counter<'type'>;
  readonly taskDuration: Histogram<'type'>;
  readonly taskRunTime: Histogram<'type'>;
  readonly queueDepth: Gauge<'priority'>;
  readonly agentInFlight: Gauge<'agent'>;
  readonly agents: Gauge<'status'>;
  readonly agentCircuitState: Gauge<'agent' | 'state'>;
  readonly consumerLag: Gauge<'topic' | 'group'>;
  readonly offsetResets: Counter<'topic' | 'group'>;
  readonly httpRequests: Counter<'service' | 'method' | 'route' | 'status'>;
  readonly httpRequestDuration: Histogram<'service' | 'method' | 'route'>;

  private readonly collectors = new Set<ScrapeCollector>();
  private readonly scrapeGauges: Gauge<string>[];

  constructor(options: MetricsRegistryOptions = {}) {
    const registers = [this.registry];
    if (options.service) this.registry.setDefaultLabels({ service: options.service });
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named like counters, which `promtool check metrics` reports; the per-type
      // nodejs_active_handles/requests/resources carry the same numbers.
      for (const name of LINT_FAILING_DEFAULTS) this.registry.removeSingleMetric(name);
    }
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
      new Histogram<L>({ name, help, labelNames, buckets, registers });

    this.tasksSubmitted = counter('contextforge_tasks_submitted_total', 'Tasks stored on submission.', [
      'type',
    ]);
    this.tasksFinished = counter(
      'contextforge_tasks_finished_total',
      'Tasks that reached a final status (succeeded, cancelled, dead_lettered).',
      ['type', 'status'],
    );
    this.taskFailures = counter('contextforge_task_failures_total', 'Failed task attempts by error code.', [
      'type',
      'code',
    ]);
    this.taskRetries = counter(
      'contextforge_task_retries_total',
      'Failed attempts the scheduler queued again.',
      ['type'],
    );
    this.deadLetters = counter('contextforge_dead_letters_total', 'Tasks the scheduler dead-lettered.', [
      'type',
    ]);
    this.taskDuration = histogram(
      'contextforge_task_duration_seconds',
      'Seconds from submission to a final status.',
      ['type'],
      TASK_BUCKETS,
    );
    this.taskRunTime = histogram(
      'contextforge_task_run_seconds',
      "The agent's run time of succeeded attempts in seconds.",
      ['type'],
      TASK_BUCKETS,
    );
    this.queueDepth = gauge('contextforge_queue_depth', 'Tasks waiting for an agent, by priority.', [
      'priority',
    ]);
    this.agentInFlight = gauge('contextforge_agent_in_flight', 'Attempts dispatched to each agent.', [
      'agent',
    ]);
    this.agents = gauge('contextforge_agents', 'Registered agents by status.', ['status']);
    this.agentCircuitState = gauge(
      'contextforge_agent_circuit_state',
      "1 for the agent's current circuit breaker state, 0 for the others.",
      ['agent', 'state'],
    );
    this.consumerLag = gauge(
      'contextforge_kafka_consumer_lag',
      'Messages behind the high watermark, summed over partitions (0 on the memory bus).',
      ['topic', 'group'],
    );
    this.offsetResets = counter(
      'contextforge_bus_offset_resets_total',
      'Consumer positions found out of range (retention deleted unhandled messages, or the topic was recreated) and restarted at the earliest retained offset, per partition.',
      ['topic', 'group'],
    );
    this.httpRequests = counter('contextforge_http_requests_total', 'HTTP requests answered.', [
      'service',
      'method',
      'route',
      'status',
    ]);
    this.httpRequestDuration = histogram(
      'contextforge_http_request_duration_seconds',
      'Seconds to answer an HTTP request.',
      ['service', 'method', 'route'],
      HTTP_BUCKETS,
    );
    this.scrapeGauges = [this.queueDepth, this.agentInFlight, this.agents, this.agentCircuitState];
  }

  /** The Content-Type of `exposition()` (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Runs `collect` before every scrape to fill the live-state gauges; returns the function that
   * removes it. A collector that throws is skipped for that scrape.
   */
  onScrape(collect: ScrapeCollector): () => void {
    this.collectors.add(collect);
    return () => void this.collectors.delete(collect);
  }

  /** The text exposition of every metric, after running the scrape collectors. */
  async exposition(): Promise<string> {
    for (const gauge of this.scrapeGauges) gauge.reset();
    await Promise.all(
      [...this.collectors].map(async (collect) => {
        try {
          await collect();
        } catch {
          // A broken collector must not fail the scrape: its gauges stay empty this time.
        }
      }),
    );
    return this.registry.metrics();
  }

  // --- recording helpers for the hook points --------------------------------------------------

  /** Sets the gauge of one agent's breaker: 1 for `state`, 0 for the other states. */
  setCircuitState(agent: string, state: (typeof CIRCUIT_STATES)[number]): void {
    for (const candidate of CIRCUIT_STATES) {
      this.agentCircuitState.set({ agent, state: candidate }, candidate === state ? 1 : 0);
    }
  }

  /** Consumer lag of one subscription (topic, group), summed over its partitions. */
  setConsumerLag(topic: string, group: string, messages: number): void {
    this.consumerLag.set({ topic, group }, messages);
  }

  /** Out-of-range resets of one subscription (topic, group); 0 only creates the series. */
  countOffsetResets(topic: string, group: string, resets: number): void {
    this.offsetResets.inc({ topic, group }, resets);
  }
}

export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  return new MetricsRegistry(options);
}
