import type { Admin } from 'kafkajs';
import type { BusLogger } from '../bus-options';

/**
 * Makes sure a topic exists before the bus produces to or subscribes to it, once per topic.
 *
 * First choice is CreateTopics (partitions and replication as configured; "already exists" is
 * success). A broker that cannot create topics that way (no CreateTopics support, no controller,
 * or not allowed) gets a metadata request for the topic instead, which makes a broker with
 * `auto.create.topics.enable` create it with its defaults. After CreateTopics failed once the
 * bus goes straight to metadata. If neither works, producing or consuming reports the error.
 */
export class KafkaTopics {
  private readonly known = new Map<string, Promise<void>>();
  private createTopicsWorks = true;

  constructor(
    private readonly admin: Admin,
    private readonly settings: { partitions: number; replicationFactor: number | undefined },
    private readonly logger: BusLogger,
  ) {}

  ensure(topic: string): Promise<void> {
    let ready = this.known.get(topic);
    if (!ready) {
      ready = this.create(topic);
      this.known.set(topic, ready);
      ready.catch(() => this.known.delete(topic));
    }
    return ready;
  }

  private async create(topic: string): Promise<void> {
    if (this.createTopicsWorks) {
      try {
        await this.admin.createTopics({
          topics: [
            {
              topic,
              numPartitions: this.settings.partitions,
              ...(this.settings.replicationFactor === undefined
                ? {}
                : { replicationFactor: this.settings.replicationFactor }),
            },
          ],
          waitForLeaders: true,
        });
        return;
      } catch (error) {
        if (isAlreadyExists(error)) return;
        this.createTopicsWorks = false;
        this.logger.warn(
          { topic, error: error instanceof Error ? error.message : String(error) },
          'kafka CreateTopics failed; relying on broker auto-creation through metadata',
        );
      }
    }
    await this.admin.fetchTopicMetadata({ topics: [topic] });
  }
}

/** kafkajs itself answers false for an existing topic; this catches the error forms of it. */
function isAlreadyExists(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { type?: unknown; errors?: unknown };
  if (candidate.type === 'TOPIC_ALREADY_EXISTS') return true;
  return (
    Array.isArray(candidate.errors) && candidate.errors.length > 0 && candidate.errors.every(isAlreadyExists)
  );
}
