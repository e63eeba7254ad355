import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { retryWhileSettling } from '../../cluster/kafka-client.js';

export interface TailConsumer {
  /**
   * When a fetch last completed (ms since epoch). An idle topic still completes one every
   * maxWaitTimeInMs, so a stale time means the broker is unreachable or the group is stuck.
   */
  lastFetchAt(): number;
  /** Stops fetching and leaves the group. */
  stop(): Promise<void>;
}

/**
 * Reads `topic` from now on, every partition, in a consumer group of its own (each node must see
 * every message, so nodes cannot share a group). Nothing is committed: a restarted node has no
 * use for what it missed, its replicas catch up from the journal. Resolves once the first fetch
 * has fixed the starting offsets, so that nothing sent after that resolves can be missed.
 */
export async function startTailConsumer(
  kafka: Kafka,
  options: {
    readonly topic: string;
    readonly groupPrefix: string;
    /** Read what the topic holds already too (a compacted topic of current values). Default false. */
    readonly fromBeginning?: boolean;
    /**
     * How long the broker waits for this consumer's heartbeat. After a broker restart the consumer
     * rejoins its group as a new member, and the group completes only once the member it was
     * before has timed out: meanwhile nothing is read (kafkajs's default, 30 s, stalled every
     * reply that long). Give it the node's session timeout.
     */
    readonly sessionTimeoutMs: number;
    readonly onMessage: (message: KafkaMessage, partition: number) => void;
  },
): Promise<TailConsumer> {
  const consumer: Consumer = kafka.consumer({
    groupId: `${options.groupPrefix}.${randomUUID()}`,
    // A fetch returns as soon as there is data; the wait only bounds an idle fetch (and stop()).
    maxWaitTimeInMs: 250,
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: Math.max(200, Math.floor(options.sessionTimeoutMs / 5)),
    retry: { retries: Number.MAX_SAFE_INTEGER },
  });
  let firstFetch: () => void = () => undefined;
  const fetched = new Promise<void>((resolve) => (firstFetch = resolve));
  let lastFetchAt = Date.now();
  consumer.on(consumer.events.FETCH, () => {
    lastFetchAt = Date.now();
    firstFetch();
  });
  await consumer.connect();
  await retryWhileSettling(() => consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? false }));
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) options.onMessage(message, batch.partition);
    },
  });
  await fetched;
  return {
    lastFetchAt: () => lastFetchAt,
    async stop() {
      await consumer.disconnect();
    },
  };
}
