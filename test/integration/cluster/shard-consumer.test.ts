import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import type { ShardHost } from '../../../actors/runtime/shard-host.js';
import { BatchingProducer } from '../../../src/bus/kafka/batching-producer.js';
import { encodeEnvelope } from '../../../src/bus/kafka/bus-envelopes.js';
import { KafkaUpdateBus } from '../../../src/bus/kafka/kafka-update-bus.js';
import { clusterTopics, ensureTopics, PartitionCountMismatch } from '../../../src/cluster/cluster-topics.js';
import { createKafkaClient } from '../../../src/cluster/kafka-client.js';
import { Ownership } from '../../../src/cluster/ownership.js';
import { ShardConsumer } from '../../../src/cluster/shard-consumer.js';
import { shardOf } from '../../../src/cluster/shard-of.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';

const PARTITIONS = 4;
const logger = createLogger('silent');

/** A shard host stand-in that records what it runs and when, and answers after `delayMs`. */
function recordingHost(delayMs: number) {
  const runs: { entityId: string; n: number }[] = [];
  let running = 0;
  let peak = 0;
  const host = {
    async execute(_kind: string, entityId: string, command: { n: number }) {
      running += 1;
      peak = Math.max(peak, running);
      runs.push({ entityId, n: command.n });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      running -= 1;
      return { ok: true, event: { n: command.n }, duplicate: false, seqNr: command.n };
    },
    async view() {
      return undefined;
    },
    passivate: async () => 0,
  };
  return { host: host as unknown as ShardHost, runs, peak: () => peak };
}

describe('the shard consumer, against real Kafka', () => {
  let kafka: Kafka;
  let producer: Producer;
  const topics = clusterTopics(`cairn-consumer-${randomBytes(4).toString('hex')}`);

  beforeAll(async () => {
    kafka = createKafkaClient({ brokers: inject('kafkaBrokers'), clientId: 'shard-consumer-test', logger });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, topics, { nodeId: 'n1', partitions: PARTITIONS, replicationFactor: 1 });
    await admin.disconnect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
  });

  function consumer(host: ShardHost, maxInFlight: number) {
    const metrics = createMetrics();
    const batching = new BatchingProducer(producer);
    const ownership = new Ownership(PARTITIONS, (lost) => host.passivate((_k, id) => lost.has(shardOf(id, PARTITIONS))), metrics, logger);
    const updates = new KafkaUpdateBus(batching, topics.updates, PARTITIONS, () => undefined);
    const shards = new ShardConsumer(
      {
        kafka,
        topic: topics.commands,
        groupId: topics.shardGroup,
        ownership,
        sessionTimeoutMs: 6000,
        maxInFlight,
        producer: batching,
        updates,
        told: async () => undefined,
        rebalanceTimeoutMs: 30_000,
        onFatal: (error) => {
          throw error;
        },
        metrics,
        logger,
      },
      host,
    );
    return { shards, ownership, metrics };
  }

  const command = (entityId: string, n: number) => ({
    key: entityId,
    partition: shardOf(entityId, PARTITIONS),
    value: encodeEnvelope({ kind: 'hunt', entityId, request: { type: 'command', command: { n } } }),
  });

  it('runs each entity\'s commands in order and different entities side by side, never more than maxInFlight at once; skips malformed messages', async () => {
    const { host, runs, peak } = recordingHost(15);
    const entities = Array.from({ length: 12 }, (_, i) => `e${i}`);
    const messages = entities.flatMap((id) => Array.from({ length: 10 }, (_, n) => command(id, n)));
    // Garbage in every shard: it must be skipped, not block the commands behind it.
    const garbage = Array.from({ length: PARTITIONS }, (_, partition) => ({ key: 'x', partition, value: Buffer.from([0xc1, 0x00]) }));
    await producer.send({ topic: topics.commands, acks: -1, messages: [...garbage, ...messages] });

    const { shards, ownership } = consumer(host, 5);
    await shards.start();
    expect(ownership.shards).toEqual([0, 1, 2, 3]);
    const deadline = Date.now() + 30_000;
    while (runs.length < messages.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await shards.stop();

    expect(runs).toHaveLength(messages.length);
    for (const id of entities) expect(runs.filter((r) => r.entityId === id).map((r) => r.n)).toEqual([...Array(10).keys()]);
    expect(peak()).toBeLessThanOrEqual(5);
    expect(peak()).toBeGreaterThan(1);
    expect(ownership.shards).toEqual([]);
  });

  it('commits what it finished: a new member of the group starts after the commands already run', async () => {
    const first = recordingHost(1);
    await producer.send({ topic: topics.commands, acks: -1, messages: [command('again', 100)] });
    const one = consumer(first.host, 16);
    await one.shards.start();
    const deadline = Date.now() + 20_000;
    while (!first.runs.some((r) => r.n === 100) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await one.shards.stop();

    const second = recordingHost(1);
    await producer.send({ topic: topics.commands, acks: -1, messages: [command('again', 101)] });
    const two = consumer(second.host, 16);
    await two.shards.start();
    while (!second.runs.some((r) => r.n === 101) && Date.now() < deadline + 20_000) await new Promise((resolve) => setTimeout(resolve, 50));
    await two.shards.stop();
    expect(second.runs.map((r) => r.n)).toEqual([101]);
  });

  it('refuses a cluster whose topics have another partition count than the node was given', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const error = await ensureTopics(admin, topics, { nodeId: 'n2', partitions: PARTITIONS * 2, replicationFactor: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PartitionCountMismatch);
      expect((error as Error).message).toContain(`has ${PARTITIONS} partitions but CAIRN_PARTITIONS is ${PARTITIONS * 2}`);
    } finally {
      await admin.disconnect();
    }
  });
});
