import { ConfigError, loadConfigFromProcess, type Config } from '@contextforge/config';
import { isRetryable } from '@contextforge/contracts';
import {
  createLogger,
  createMetricsRegistry,
  startTracing,
  type Logger,
  type MetricsRegistry,
  type Tracing,
} from '@contextforge/observability';
import { backoffDelay, sleep } from '@contextforge/resilience';

export interface ServiceContext {
  config: Config;
  logger: Logger;
  /** Registers a cleanup step; steps run in reverse order on stop or when start fails. */
  onStop(step: () => Promise<void>): void;
  /**
   * The process's Prometheus registry (service label = the service's name); runService always
   * sets it. Optional here so that helpers taking a context can be called without one.
   */
  metrics?: MetricsRegistry;
}

/** The context runService hands to `start`. */
export type StartedServiceContext = ServiceContext & { metrics: MetricsRegistry };

export interface RunServiceOptions {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** Retries of a start that failed with a retryable error (a dependency not reachable yet). */
  startRetries?: number;
}

/**
 * `start` builds and starts the service, registering cleanup with `onStop`, and may return lines
 * to print (where it listens). The shared body of every app's main.ts: read and validate config,
 * start, print one clear line on failure, retry a start that failed because a dependency was not
 * reachable (with capped exponential backoff), and stop cleanly on SIGTERM/SIGINT (a second
 * signal exits at once with 1).
 *
 * Signals are handled from before the first start: the banner means "up, and a SIGTERM now is a
 * clean stop" (harnesses wait for it, then signal). A signal during a start waits for that start
 * to settle, runs the cleanup steps and exits 0; a signal during the wait between retries ends
 * the wait and exits 0.
 *
 * Tracing (startTracing, service.name = `name`) starts after the config and before the first
 * start when the OTEL_* variables of `env` configure an exporter; it is flushed and shut down
 * after the cleanup steps, before the process exits.
 */
export async function runService(
  name: string,
  start: (context: StartedServiceContext) => Promise<string[] | void>,
  options: RunServiceOptions,
): Promise<void> {
  let config: Config;
  try {
    config = loadConfigFromProcess({ argv: options.argv, env: options.env, cwd: options.cwd });
  } catch (error) {
    fail(name, error instanceof ConfigError ? error.message : describe(error));
    return;
  }
  const logger = createLogger({ service: name, level: config.logging.level });
  const metrics = createMetricsRegistry({ service: name });
  let tracing: Tracing;
  try {
    tracing = await startTracing({ serviceName: name, env: options.env });
  } catch (error) {
    fail(name, `tracing: ${describe(error)}`);
    return;
  }
  const steps: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of steps.splice(0).reverse()) {
      await step().catch((error: unknown) => logger.error({ err: describe(error) }, 'shutdown step failed'));
    }
  };
  const exitAfterStop = () => {
    stop()
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };

  const stopRequested = new AbortController();
  let running = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopRequested.signal.aborted) process.exit(1);
    stopRequested.abort();
    logger.info({ signal }, 'stopping');
    if (running) exitAfterStop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const giveUp = (message: string) => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    fail(name, message);
    void tracing.shutdown();
  };

  const maxRetries = options.startRetries ?? 10;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const banner = await start({ config, logger, metrics, onStop: (step) => steps.push(step) });
      if (stopRequested.signal.aborted) {
        exitAfterStop();
        return;
      }
      running = true;
      for (const line of banner ?? []) process.stdout.write(`${line}\n`);
      return;
    } catch (error) {
      await stop();
      if (stopRequested.signal.aborted) process.exit(0);
      if (!isRetryable(error) || attempt > maxRetries) {
        giveUp(describe(error));
        return;
      }
      const delay = backoffDelay(attempt, { initialMs: 500, maxMs: 15_000, jitter: 'equal' });
      process.stderr.write(
        `${name}: ${describe(error)}; retrying in ${Math.round(delay)} ms (${attempt}/${maxRetries})\n`,
      );
      await sleep(delay, stopRequested.signal).catch(() => undefined);
      if (stopRequested.signal.aborted) process.exit(0);
    }
  }
}

function fail(name: string, message: string): void {
  process.stderr.write(`${name}: failed to start: ${message}\n`);
  process.exitCode = 1;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
