import { LOCAL_POSTGRES_URL } from '@contextforge/testing';
import { Redis } from 'ioredis';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

/** What the figures were measured on; every field is text for the report. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memory: string;
  os: string;
  node: string;
  postgres: string;
  redis: string;
  kafka: string;
  /** Versions of the clients measured beside us: bullmq, ioredis, kafkajs. */
  libraries: string;
}

/** Asks each server for its version; one that cannot be asked reads `unavailable (<why>)`. */
export async function describeMachine(rootDir: string): Promise<MachineInfo> {
  const processors = cpus();
  const brokers = process.env['KAFKA_BROKERS'];
  const [postgres, redis, kafka] = await Promise.all([
    postgresVersion(),
    redisVersion(),
    brokers ? Promise.resolve(`Kafka at ${brokers} (KAFKA_BROKERS)`) : kcatVersion(),
  ]);
  return {
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    os: `${type()} ${release()}`,
    node: process.version,
    postgres,
    redis,
    kafka,
    libraries: ['bullmq', 'ioredis', 'kafkajs']
      .map((name) => `${name} ${packageVersion(rootDir, name)}`)
      .join(', '),
  };
}

async function postgresVersion(): Promise<string> {
  return attempt(async () => {
    const client = new Client({ connectionString: LOCAL_POSTGRES_URL, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      return `PostgreSQL ${rows[0]?.server_version ?? '?'}`;
    } finally {
      await client.end();
    }
  });
}

async function redisVersion(): Promise<string> {
  return attempt(async () => {
    const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const info = await redis.info('server');
      return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
    } finally {
      redis.disconnect();
    }
  });
}

/** The Kafka mock's versions: kcat and the librdkafka it embeds (whose mock cluster it is). */
async function kcatVersion(): Promise<string> {
  return attempt(async () => {
    const { stdout, stderr } = await promisify(execFile)('kcat', ['-V'], { timeout: 5_000 });
    const text = `${stdout}\n${stderr}`;
    const kcat = /Version (\S+)/.exec(text)?.[1] ?? '?';
    const librdkafka = /librdkafka (\S+)/.exec(text)?.[1] ?? '?';
    return `kcat ${kcat}, librdkafka ${librdkafka} (mock cluster)`;
  });
}

function packageVersion(rootDir: string, name: string): string {
  try {
    const manifest = readFileSync(join(rootDir, 'node_modules', name, 'package.json'), 'utf8');
    return (JSON.parse(manifest) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

async function attempt(read: () => Promise<string>): Promise<string> {
  try {
    return await read();
  } catch (error) {
    return `unavailable (${error instanceof Error ? error.message : String(error)})`;
  }
}
