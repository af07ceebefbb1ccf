import { AppError } from '@contextforge/contracts';
import type { Admin } from 'kafkajs';
import type { BusLogger } from '../bus-options';
import { kafkaErrorNames, kafkaProtocolTypes } from './kafka-errors';

/** CreateTopics answers that no retry changes: the settings or the cluster's permissions must. */
const CREATE_REFUSALS: ReadonlySet<string> = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_PARTITIONS',
  'INVALID_CONFIG',
  'POLICY_VIOLATION',
]);

export interface KafkaTopicSettings {
  /** Create missing topics (CreateTopics), or only check that they exist. */
  create: boolean;
  partitions: number;
  /** Undefined: the broker's default (`default.replication.factor`). */
  replicationFactor: number | undefined;
  /** `max.message.bytes` of topics this bus creates: the limit the bus itself enforces. */
  maxMessageBytes: number;
}

/**
 * Makes sure a topic exists before the bus produces to or subscribes to it, once per topic.
 *
 * With `create`: CreateTopics with the configured partitions, replication factor and
 * `max.message.bytes` ("already exists" is success; an existing topic keeps its settings). kafkajs
 * sends CreateTopics to the controller; a cluster whose metadata names a controller that is none
 * of its brokers (librdkafka's mock: id 0, and it has no CreateTopics either) cannot take it, and
 * only then the topic is requested by a metadata request instead, which a broker that auto-creates
 * topics answers by creating it with its own defaults; what it created is logged at info. Any
 * other CreateTopics failure is an error naming the topic: CONFIG_INVALID where the cluster refused
 * (not allowed, replication factor above the broker count), else SERVICE_UNAVAILABLE.
 *
 * Without `create`: the topic must exist (a metadata listing; nothing is created), else
 * CONFIG_INVALID naming every missing topic.
 */
export class KafkaTopics {
  private readonly known = new Map<string, Promise<void>>();

  constructor(
    private readonly admin: Admin,
    private readonly settings: KafkaTopicSettings,
    private readonly logger: BusLogger,
  ) {}

  /**
   * At connect: every topic of `topics` exists afterwards, or this throws (in check mode naming
   * all the missing ones at once). Warns when created topics would be less replicated than the
   * cluster allows.
   */
  async prepare(topics: readonly string[]): Promise<void> {
    if (!this.settings.create) {
      await this.check(topics);
      for (const topic of topics) this.known.set(topic, Promise.resolve());
      return;
    }
    const cluster = await this.admin.describeCluster();
    const { replicationFactor } = this.settings;
    const wanted = Math.min(3, cluster.brokers.length);
    if (
      controllerProblem(cluster) === undefined &&
      replicationFactor !== undefined &&
      replicationFactor < wanted
    ) {
      this.logger.warn(
        { replicationFactor, brokers: cluster.brokers.length },
        `kafka topics this bus creates get replication factor ${replicationFactor} on a cluster of ` +
          `${cluster.brokers.length} brokers: losing a broker loses their messages ` +
          `(set coordinator.queue.replication_factor to ${wanted})`,
      );
    }
    await Promise.all(topics.map((topic) => this.ensure(topic)));
  }

  ensure(topic: string): Promise<void> {
    let ready = this.known.get(topic);
    if (!ready) {
      ready = this.settings.create ? this.create(topic) : this.check([topic]);
      this.known.set(topic, ready);
      ready.catch(() => this.known.delete(topic));
    }
    return ready;
  }

  private async check(topics: readonly string[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    throw new AppError(
      'CONFIG_INVALID',
      `kafka topics missing: ${missing.join(', ')}. coordinator.queue.create_topics is false, so the bus ` +
        'does not create them: create them (docs/operations.md lists them), or allow CreateTopics and set it to true',
      { details: { missingTopics: missing } },
    );
  }

  private async create(topic: string): Promise<void> {
    const { partitions, replicationFactor, maxMessageBytes } = this.settings;
    try {
      await this.admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: partitions,
            ...(replicationFactor === undefined ? {} : { replicationFactor }),
            configEntries: [{ name: 'max.message.bytes', value: String(maxMessageBytes) }],
          },
        ],
        waitForLeaders: true,
      });
      return;
    } catch (error) {
      if (isAlreadyExists(error)) return;
      const problem = kafkaErrorNames(error).includes('KafkaJSBrokerNotFound')
        ? controllerProblem(await this.admin.describeCluster())
        : undefined;
      if (problem === undefined) {
        const refused = kafkaProtocolTypes(error).some((type) => CREATE_REFUSALS.has(type));
        throw new AppError(
          refused ? 'CONFIG_INVALID' : 'SERVICE_UNAVAILABLE',
          `kafka could not create topic ${topic} (${partitions} partitions, replication factor ` +
            `${replicationFactor ?? 'broker default'}): ${errorText(error)}. Where the cluster denies ` +
            'CreateTopics, create the topics beforehand and set coordinator.queue.create_topics to false',
          { cause: error, details: { topic, kafkaError: kafkaProtocolTypes(error)[0] } },
        );
      }
      await this.createByMetadata(topic, problem);
    }
  }

  private async createByMetadata(topic: string, problem: string): Promise<void> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics.find((entry) => entry.name === topic)?.partitions ?? [];
    const replicas = Math.max(0, ...partitions.map((partition) => partition.replicas.length));
    const differs = partitions.length !== this.settings.partitions;
    this.logger.info(
      {
        topic,
        partitions: partitions.length,
        replicas,
        configuredPartitions: this.settings.partitions,
        configuredReplicationFactor: this.settings.replicationFactor,
      },
      `kafka CreateTopics cannot be sent (${problem}; librdkafka's mock cluster does this): topic ${topic} ` +
        `was requested by a metadata request and has ${partitions.length} partitions, ${replicas} replicas` +
        (differs ? ` (not the configured ${this.settings.partitions} partitions)` : ''),
    );
  }
}

/**
 * Why CreateTopics cannot reach a controller, or undefined when the controller is a known broker.
 * kafkajs sends CreateTopics (and a non-transactional InitProducerId) to the controller.
 */
export function controllerProblem(cluster: {
  controller: number | null;
  brokers: ReadonlyArray<{ nodeId: number }>;
}): string | undefined {
  const ids = cluster.brokers.map((broker) => broker.nodeId);
  if (cluster.controller !== null && ids.includes(cluster.controller)) return undefined;
  return `the cluster's metadata names controller ${cluster.controller ?? 'none'}, which is none of brokers ${ids.join(',')}`;
}

/** kafkajs itself answers false for an existing topic; this catches the error forms of it. */
function isAlreadyExists(error: unknown): boolean {
  const types = kafkaProtocolTypes(error);
  return types.length > 0 && types.every((type) => type === 'TOPIC_ALREADY_EXISTS');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
