import type { HuntEvent } from '../../../actors/hunt/hunt-events.js';
import { shardOf } from '../../cluster/shard-of.js';
import { LocalUpdateBus } from '../local/local-update-bus.js';
import type { UpdateBus } from '../update-bus.js';
import type { BatchingProducer } from './batching-producer.js';
import { decode, encodeEnvelope } from './bus-envelopes.js';

/**
 * The UpdateBus of a cluster: stored hunt events go to the updates topic (key and partition: the
 * hunt's shard, so each hunt's events stay in order) and every node reads the whole topic.
 *
 * Why every node reads everything: kafkajs cannot assign partitions by hand, so a node could only
 * narrow what it reads with a topic per hunt (topics are costly to create and to hold by the
 * thousand) or a routing table of who watches what (one more thing to keep right through
 * failures). An update is small; a node drops one for a hunt none of its sockets watch by its key,
 * without decoding it. Revisit past tens of nodes.
 */
export class KafkaUpdateBus implements UpdateBus {
  readonly #local: LocalUpdateBus;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly producer: BatchingProducer,
    private readonly topic: string,
    private readonly partitions: number,
    private readonly onError: (error: unknown, huntId?: string) => void,
  ) {
    this.#local = new LocalUpdateBus((error) => onError(error));
  }

  /** Delivers to this node's watchers at once and sends the event to every other node. */
  publish(huntId: string, event: HuntEvent): void {
    this.#local.publish(huntId, event);
    const sent = this.producer.send(this.topic, { key: huntId, partition: shardOf(huntId, this.partitions), value: encodeEnvelope(event) });
    sent.catch((error: unknown) => this.onError(error, huntId));
    const tracked = sent.finally(() => this.#inFlight.delete(tracked));
    tracked.catch(() => undefined);
    this.#inFlight.add(tracked);
  }

  subscribe(huntId: string, listener: (event: HuntEvent) => void): () => void {
    return this.#local.subscribe(huntId, listener);
  }

  /** Resolves once every event published so far is stored by Kafka; rejects when one could not be. */
  async sent(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  /** A message read from the updates topic (by this node's tail consumer). */
  receive(key: Buffer | null, value: Buffer | null): void {
    if (!key) return;
    const huntId = key.toString('utf8');
    if (!this.#local.watches(huntId)) return;
    try {
      this.#local.publish(huntId, decode(value) as unknown as HuntEvent);
    } catch (error) {
      this.onError(error, huntId);
    }
  }
}
