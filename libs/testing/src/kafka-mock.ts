import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface KafkaMock {
  /** Bootstrap list, `127.0.0.1:port` per broker. */
  brokers: string[];
  /** The kcat process, leader of its own process group (for CPU accounting through /proc). */
  pid: number;
  /** Stops the cluster (kills kcat's process group) and waits for it to exit. */
  stop(): Promise<void>;
}

export interface KafkaMockOptions {
  /** Brokers in the cluster (default 3). */
  brokers?: number;
  /** Give up if the cluster does not announce itself within this long (default 15 s). */
  startTimeoutMs?: number;
}

/**
 * A Kafka-protocol cluster for tests: librdkafka's mock cluster, kept alive by a `kcat` consumer
 * (Debian package `kcat`). kcat prints the bootstrap list on its first line ("Mock cluster
 * enabled: ... replaced with 127.0.0.1:P1,..."). Data lives in memory only; topics are created
 * by metadata requests with 4 partitions. Without `-d mock` the cluster does not log requests.
 */
export function startKafkaMock(options: KafkaMockOptions = {}): Promise<KafkaMock> {
  const count = options.brokers ?? 3;
  const startTimeoutMs = options.startTimeoutMs ?? 15_000;
  const child = spawn(
    'kcat',
    ['-b', 'unused:9092', '-X', `test.mock.num.brokers=${count}`, '-C', '-t', 'warmup', '-o', 'end', '-u'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    await exited;
  };

  return new Promise<KafkaMock>((resolve, reject) => {
    const output: string[] = [];
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop();
      reject(new Error(`kafka mock (kcat) ${reason}; output:\n${output.join('\n')}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${startTimeoutMs} ms`), startTimeoutMs);
    child.once('error', (error) =>
      fail(`could not be started (${error.message}); install it: apt-get install -y kcat`),
    );
    child.once('exit', (code, signal) => fail(`exited early (code ${code}, signal ${signal})`));
    // Both streams are read to the end so that kcat never blocks on a full pipe.
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (settled) return;
        if (output.length < 50) output.push(line);
        const match = /replaced with (\S+)/.exec(line);
        if (!match?.[1]) return;
        settled = true;
        clearTimeout(timer);
        resolve({ brokers: match[1].split(','), pid: child.pid ?? 0, stop });
      });
    }
  });
}
