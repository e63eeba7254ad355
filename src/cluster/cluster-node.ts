import { Partitioners } from 'kafkajs';
import type { ShardHost } from '../../actors/runtime/shard-host.js';
import { BatchingProducer, BusUnavailableError } from '../bus/kafka/batching-producer.js';
import { KafkaCommandBus } from '../bus/kafka/kafka-command-bus.js';
import { KafkaUpdateBus } from '../bus/kafka/kafka-update-bus.js';
import { startTailConsumer, type TailConsumer } from '../bus/kafka/tail-consumer.js';
import type { CairnConfig } from '../config/config-schema.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createBreaker } from '../resilience/breaker.js';
import { clusterTopics, ensureTopics } from './cluster-topics.js';
import { createKafkaClient } from './kafka-client.js';
import { Ownership } from './ownership.js';
import type { ClusterState } from './plan/cluster-state.js';
import { startOperatorPlan, type LocalLoad } from './plan/operator-plan.js';
import type { ShardControl } from '../gateway/shard-control.js';
import { ShardConsumer } from './shard-consumer.js';
import { shardOf } from './shard-of.js';

/**
 * A node whose reply and update readers have not completed a fetch for this long cannot hear
 * Kafka: its commands would all time out. An idle fetch completes every 250 ms.
 */
const BUS_SILENT_MS = 5000;
const BUS_PROBLEM = 'message bus not answering (see the log)';

/** What a node of a cluster needs from Kafka, and the steps of its start and stop. */
export interface ClusterNode {
  readonly nodeId: string;
  /** Why the node cannot use Kafka now (its readers silent), or undefined: part of readiness. */
  busProblem(): string | undefined;
  readonly commands: KafkaCommandBus;
  readonly updates: KafkaUpdateBus;
  readonly ownership: Ownership;
  /** Shard maps and operator plan changes, for the gateway. */
  readonly shardControl: ShardControl;
  /** The cluster's shared state: the operator plan and every node's latest report. */
  readonly state: ClusterState;
  /**
   * Joins the shard group with `host` running the shards; resolves once it has its assignment,
   * and starts reporting the node's load. `onFatal` is called if the shard consumer later stops
   * for good.
   */
  serve(host: ShardHost, onFatal: (error: unknown) => void, load: Pick<LocalLoad, 'connections' | 'watchers'>): Promise<void>;
  /** Finishes the owned shards' work in flight, commits, leaves the group, passivates; gives up after `deadlineMs`. */
  handOver(deadlineMs: number): Promise<void>;
  /** Stops reading replies and updates and closes the Kafka clients (after handOver). */
  close(): Promise<void>;
}

/**
 * Connects this process to the cluster named by the configuration: creates or checks the topics,
 * starts the producer and the consumers of this node's replies and of every hunt update. The
 * shard group is joined later, by serve(), once the shard host exists.
 */
export async function joinCluster(config: CairnConfig, metrics: Metrics, logger: Logger): Promise<ClusterNode> {
  const nodeId = config.nodeId!;
  const topics = clusterTopics(config.topicPrefix);
  const kafka = createKafkaClient({ brokers: config.kafkaBrokers!, clientId: `cairn-${nodeId}`, logger });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topics, { nodeId, partitions: config.partitions, replicationFactor: config.kafkaReplicationFactor });
  } finally {
    await admin.disconnect();
  }

  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // An idempotent producer retries until Kafka takes the message (fewer retries could reorder
    // a partition); callers do not wait that long: see the send timeout below.
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
    // Every message names its partition (shardOf); the partitioner is never asked.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const batching = new BatchingProducer(producer, {
    sendTimeoutMs: config.commandTimeoutMs,
    observe: (_messages, seconds) => metrics.busProduceSeconds.observe(seconds),
  });
  const breaker = createBreaker(
    (error) => error instanceof BusUnavailableError,
    (cause) => new BusUnavailableError('kafka is failing: refusing at once until it recovers (circuit open)', cause),
    {
      consecutiveFailures: config.breakerFailures,
      halfOpenAfterMs: config.breakerHalfOpenMs,
      onStateChange: (state) => logger.warn({ breaker: state }, `bus circuit breaker ${state}`),
    },
  );
  const commands = new KafkaCommandBus({
    producer: batching,
    commandsTopic: topics.commands,
    replyTopic: topics.replies(nodeId),
    partitions: config.partitions,
    timeoutMs: config.commandTimeoutMs,
    breaker,
    onError: (error) => logger.warn({ err: error }, 'dropped a malformed reply'),
  });
  const updates = new KafkaUpdateBus(batching, topics.updates, config.partitions, (error, huntId) =>
    logger.warn({ err: error, huntId }, 'update delivery failed; watchers catch up from the journal'),
  );
  const tails: TailConsumer[] = [];
  const observeDelay = (topic: string, timestamp: string) => metrics.busConsumeSeconds.observe({ topic }, Math.max(0, Date.now() - Number(timestamp)) / 1000);
  tails.push(
    await startTailConsumer(kafka, {
      topic: topics.replies(nodeId),
      groupPrefix: `${topics.replies(nodeId)}.reader`,
      sessionTimeoutMs: config.kafkaSessionTimeoutMs,
      onMessage: (message) => {
        observeDelay('replies', message.timestamp);
        commands.receive(message.value);
      },
    }),
    await startTailConsumer(kafka, {
      topic: topics.updates,
      groupPrefix: `${topics.updates}.${nodeId}`,
      sessionTimeoutMs: config.kafkaSessionTimeoutMs,
      onMessage: (message) => {
        observeDelay('updates', message.timestamp);
        updates.receive(message.key, message.value);
      },
    }),
  );

  const hosts: { host?: ShardHost } = {};
  const ownership = new Ownership(
    config.partitions,
    (lost) => hosts.host?.passivate((_kind, entityId) => lost.has(shardOf(entityId, config.partitions))) ?? Promise.resolve(0),
    metrics,
    logger,
  );
  let shards: ShardConsumer | undefined;
  const plan = await startOperatorPlan({
    kafka,
    topics,
    nodeId,
    partitions: config.partitions,
    sessionTimeoutMs: config.kafkaSessionTimeoutMs,
    producer: batching,
    ownership,
    logger,
    onMoved: (moved) => {
      metrics.shardMoves.inc(moved);
      logger.info({ moved }, 'assigned the shards as the leader of the group');
    },
  });

  return {
    nodeId,
    busProblem: () => (tails.some((tail) => Date.now() - tail.lastFetchAt() > BUS_SILENT_MS) ? BUS_PROBLEM : undefined),
    commands,
    updates,
    ownership,
    shardControl: plan.control,
    state: plan.state,
    async serve(host, onFatal, load) {
      hosts.host = host;
      shards = new ShardConsumer(
        {
          kafka,
          topic: topics.commands,
          groupId: topics.shardGroup,
          ownership,
          sessionTimeoutMs: config.kafkaSessionTimeoutMs,
          maxInFlight: config.maxInFlightCommands,
          producer: batching,
          updates,
          told: () => commands.told(),
          // Long enough for a full node to finish what it started: its batches run commands
          // that each may take up to the command timeout.
          rebalanceTimeoutMs: Math.max(30_000, 3 * config.commandTimeoutMs),
          onFatal: (error) => onFatal(error),
          assigner: plan.assigner,
          metrics,
          logger,
        },
        host,
      );
      await shards.start();
      const consumer = shards;
      plan.startReporting({ ...load, activeEntityIds: () => host.activeEntityIds(), shardStats: () => consumer.shardStats });
    },
    async handOver(deadlineMs) {
      // Kafka gone must not keep the sockets from closing: after the deadline the session
      // timeout moves the shards instead.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
      await Promise.race([shards?.stop().catch((error: unknown) => logger.warn({ err: error }, 'handover failed')), late]);
      clearTimeout(timer);
    },
    async close() {
      await plan.close();
      commands.close();
      await updates.sent();
      await Promise.allSettled(tails.map((tail) => tail.stop()));
      await producer.disconnect();
    },
  };
}
