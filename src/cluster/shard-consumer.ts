import { PartitionAssigners, type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage, type PartitionAssigner } from 'kafkajs';
import type { ShardHost } from '../../actors/runtime/shard-host.js';
import { EntityKind } from '../../actors/entity-kinds.js';
import type { HuntEvent } from '../../actors/hunt/hunt-events.js';
import type { BatchingProducer } from '../bus/kafka/batching-producer.js';
import { decodeCommandEnvelope, encodeEnvelope, type CommandEnvelope, type WireError } from '../bus/kafka/bus-envelopes.js';
import type { KafkaUpdateBus } from '../bus/kafka/kafka-update-bus.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { retryWhileSettling } from './kafka-client.js';
import type { Ownership } from './ownership.js';
import { toWireError } from './wire-error.js';

export interface ShardConsumerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupId: string;
  readonly ownership: Ownership;
  readonly sessionTimeoutMs: number;
  /** Commands this node runs at once; past it the shards' handlers wait, so nothing more is fetched. */
  readonly maxInFlight: number;
  readonly producer: BatchingProducer;
  readonly updates: KafkaUpdateBus;
  /** Resolves once the side effects sent so far (tells to other entities) are in Kafka. */
  readonly told: () => Promise<void>;
  /** How long a rebalance may wait for this node to finish its batches, ms. */
  readonly rebalanceTimeoutMs: number;
  /** The consumer stopped for good (kafkajs gave up): the node no longer serves its shards. */
  readonly onFatal: (error: unknown) => void;
  /** Decides which member owns which shard (the operator plan's assigner). Default: kafkajs's round robin. */
  readonly assigner?: PartitionAssigner;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

type ReplyBody = { outcome: unknown } | { view: unknown } | { error: WireError };

/**
 * The owner's side of the CommandBus: a member of the shard group, it runs the commands of the
 * partitions Kafka assigns it. Within a batch, commands go to the shard host in offset order (the
 * host keeps each entity's commands in that order and runs different entities concurrently); the
 * batch's offset is resolved only once every command of it has its outcome (so its events are
 * durable) and its updates and side effects are in Kafka. A handler waits while the node is full;
 * kafkajs fetches again from a broker only once the handlers of its last fetch returned: that is
 * the backpressure (per broker, so a slow shard slows the shards led by the same broker).
 */
export class ShardConsumer {
  readonly #consumer: Consumer;
  #inFlight = 0;
  readonly #lag = new Map<number, number>();
  readonly #handled = new Map<number, number>();
  readonly #slotFreed = new Set<() => void>();
  /** Set when a heartbeat said the group is rebalancing: every batch stops taking commands. */
  #revoking: unknown;

  constructor(
    private readonly options: ShardConsumerOptions,
    private readonly host: ShardHost,
  ) {
    this.#consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(200, Math.floor(options.sessionTimeoutMs / 5)),
      // A departing or rebalancing node finishes its batches (their persists) within this.
      rebalanceTimeout: options.rebalanceTimeoutMs,
      maxWaitTimeInMs: 500,
      retry: { retries: Number.MAX_SAFE_INTEGER },
      // The plan's assigner first; round robin too, so that a node of an older version (which
      // offers only that) can still join the group during a rolling upgrade.
      ...(options.assigner ? { partitionAssigners: [options.assigner, PartitionAssigners.roundRobin] } : {}),
    });
  }

  /** Per shard: commands waiting as of its last batch, and commands run since this node started. */
  get shardStats(): { readonly lag: ReadonlyMap<number, number>; readonly handled: ReadonlyMap<number, number> } {
    return { lag: this.#lag, handled: this.#handled };
  }

  /** Joins the group and resolves once this node has its first assignment (it may be empty). */
  async start(): Promise<void> {
    const joined = new Promise<void>((resolve, reject) => {
      this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) => {
        this.#revoking = undefined;
        void this.options.ownership.assigned(payload.memberAssignment[this.options.topic] ?? [], payload.memberId);
        resolve();
      });
      this.#consumer.on(this.#consumer.events.CRASH, ({ payload }) => {
        if (payload.restart) return;
        // kafkajs gave up: the shards go to other nodes once the session ends; stop claiming them.
        void this.options.ownership.assigned([]);
        reject(payload.error);
        this.options.onFatal(payload.error);
      });
    });
    joined.catch(() => undefined);
    this.#consumer.on(this.#consumer.events.REBALANCING, () => this.options.ownership.rebalancing());
    // Joining is a rebalance too: the clock runs until this node has its first shards.
    this.options.ownership.rebalancing();
    await this.#consumer.connect();
    await retryWhileSettling(() => this.#consumer.subscribe({ topic: this.options.topic, fromBeginning: true }));
    await this.#consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, this.options.ownership.partitions),
      eachBatch: (payload) => this.#runBatch(payload),
    });
    await joined;
  }

  /**
   * Hands this node's shards over: finishes the batches in flight, commits, leaves the group (the
   * others rebalance at once instead of waiting for the session to time out), then passivates.
   */
  async stop(): Promise<void> {
    await this.#consumer.disconnect();
    await this.options.ownership.assigned([]);
  }

  async #runBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const beat = async () => {
      try {
        await heartbeat();
      } catch (error) {
        this.#revoking ??= error;
      }
    };
    const started: Promise<void>[] = [];
    let last: string | undefined;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || this.#revoking !== undefined) break;
      while (this.#inFlight >= this.options.maxInFlight) await this.#whileBeating(this.#slot(), beat);
      started.push(this.#handle(message, batch.partition));
      last = message.offset;
    }
    // Everything started finishes, even when the group is rebalancing: a started command's events
    // must be durable, and its updates and side effects sent, before another node may take the shard.
    await this.#whileBeating(Promise.all(started), beat);
    if (last !== undefined) {
      // A failed send throws: nothing of the batch is resolved and kafkajs runs it again; the
      // commands come back as duplicates, which send their events again.
      await this.#whileBeating(Promise.all([this.options.updates.sent(), this.options.told()]), beat);
      resolveOffset(last);
      const lag = Math.max(0, Number(batch.highWatermark) - Number(last) - 1);
      this.#lag.set(batch.partition, lag);
      this.#handled.set(batch.partition, (this.#handled.get(batch.partition) ?? 0) + started.length);
      this.options.metrics.shardLag.set({ shard: String(batch.partition) }, lag);
      this.options.metrics.shardCommands.inc({ shard: String(batch.partition) }, started.length);
    }
    if (this.#revoking !== undefined) throw this.#revoking;
  }

  /** Resolves when a command finishes and frees a slot. */
  #slot(): Promise<void> {
    return new Promise<void>((resolve) => {
      const freed = () => {
        this.#slotFreed.delete(freed);
        resolve();
      };
      this.#slotFreed.add(freed);
    });
  }

  /** Waits for `work`, sending a heartbeat every second meanwhile so the group keeps this node. */
  async #whileBeating<T>(work: Promise<T>, beat: () => Promise<void>): Promise<T> {
    let done = false;
    const finished = work.finally(() => (done = true));
    while (!done) {
      let timer: NodeJS.Timeout | undefined;
      const second = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)));
      await Promise.race([finished.catch(() => undefined), second]);
      clearTimeout(timer);
      if (!done) await beat();
    }
    return finished;
  }

  async #handle(message: KafkaMessage, partition: number): Promise<void> {
    this.#inFlight += 1;
    try {
      this.options.metrics.busConsumeSeconds.observe({ topic: 'commands' }, Math.max(0, Date.now() - Number(message.timestamp)) / 1000);
      let envelope: CommandEnvelope;
      try {
        envelope = decodeCommandEnvelope(message.value);
      } catch (error) {
        // A message no version of Cairn wrote: skip it rather than block the shard behind it.
        this.options.logger.error({ err: error, shard: partition, offset: message.offset }, 'skipped a malformed command');
        return;
      }
      const body = await this.#run(envelope);
      if (envelope.reply) {
        const reply = envelope.reply;
        this.options.producer
          .send(reply.topic, { key: reply.id, value: encodeEnvelope({ id: reply.id, ...body }) })
          .catch((error: unknown) => this.options.logger.warn({ err: error, topic: reply.topic }, 'could not send a reply; the client will retry'));
      }
    } finally {
      this.#inFlight -= 1;
      const [next] = this.#slotFreed;
      next?.();
    }
  }

  async #run(envelope: CommandEnvelope): Promise<ReplyBody> {
    const { kind, entityId, request } = envelope;
    try {
      if (request.type === 'view') return { view: await this.host.view(kind, entityId, request.view) };
      const outcome = await this.host.execute(kind, entityId, request.command);
      if (outcome.ok && outcome.duplicate) {
        this.options.metrics.commandsDeduplicated.inc({ kind });
        // The first delivery may have stored the event and died before publishing it.
        if (kind === EntityKind.hunt) this.options.updates.publish(entityId, outcome.event as HuntEvent);
      }
      return { outcome };
    } catch (error) {
      return { error: toWireError(error) };
    }
  }
}
