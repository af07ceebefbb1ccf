import { Pool } from 'pg';
import { ConsulApiDouble } from '../consul-api-double';
import { startKafkaMock } from '../kafka-mock';
import { createScratchDatabase, LOCAL_POSTGRES_URL, type ScratchDatabase } from './postgres-database';

/** The servers a cluster-mode run needs, started (or named) once for the system tests and the bench. */
export interface ClusterBackends {
  /** Kafka bootstrap brokers: the given ones, or a mock cluster started here. */
  kafkaBrokers: string[];
  /** True when the brokers are the mock started here (it holds empty fetches for their whole wait). */
  kafkaMock: boolean;
  /** The mock's kcat process when `kafkaMock` (see KafkaMock.pid). */
  kafkaMockPid?: number;
  consul: ConsulApiDouble;
  /** A fresh database on the local PostgreSQL, dropped by cleanup. */
  database: ScratchDatabase;
  /** Queries against that database. */
  db: Pool;
}

/**
 * Starts the Kafka mock (unless `kafkaBrokers` names a cluster), the Consul API double and a scratch
 * database named after `databasePrefix`; pushes each one's stop onto `cleanup`, in start order.
 */
export async function startClusterBackends(options: {
  databasePrefix: string;
  kafkaBrokers?: readonly string[] | undefined;
  /** The PostgreSQL server the scratch database is made on (default LOCAL_POSTGRES_URL). */
  postgresUrl?: string | undefined;
  cleanup: Array<() => Promise<void>>;
}): Promise<ClusterBackends> {
  const { cleanup } = options;
  let kafkaBrokers: string[];
  let kafkaMockPid: number | undefined;
  const kafkaMock = !options.kafkaBrokers || options.kafkaBrokers.length === 0;
  if (kafkaMock) {
    const kafka = await startKafkaMock({ brokers: 3 });
    cleanup.push(() => kafka.stop());
    kafkaBrokers = kafka.brokers;
    kafkaMockPid = kafka.pid;
  } else {
    kafkaBrokers = [...(options.kafkaBrokers ?? [])];
  }
  const consul = await ConsulApiDouble.start();
  cleanup.push(() => consul.stop());
  const database = await createScratchDatabase(
    options.postgresUrl ?? LOCAL_POSTGRES_URL,
    options.databasePrefix,
  );
  cleanup.push(() => database.drop());
  const db = new Pool({ connectionString: database.url, max: 2 });
  // An idle connection cut by a server restart is dropped; the next query reconnects.
  db.on('error', () => undefined);
  cleanup.push(() => db.end());
  return {
    kafkaBrokers,
    kafkaMock,
    ...(kafkaMockPid === undefined ? {} : { kafkaMockPid }),
    consul,
    database,
    db,
  };
}
