import { randomUUID } from 'node:crypto';
import cassandra from 'cassandra-driver';
import kafkajs from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureServices, type ServiceAddresses } from '../../../src/services/services.js';

const { Kafka, logLevel } = kafkajs;

/** The services may have to be started (and on a new machine their jars fetched) first. */
const START_TIMEOUT_MS = 240_000;

describe('real Kafka and Cassandra started by ensureServices', () => {
  let addresses: ServiceAddresses;

  beforeAll(async () => {
    addresses = await ensureServices({ log: (line) => console.log(`[services] ${line}`) });
  }, START_TIMEOUT_MS);

  it('Kafka: creates a topic with 4 partitions, produces a message and consumes it', async () => {
    expect(addresses.kafkaBrokers.length).toBeGreaterThan(0);
    const kafka = new Kafka({ clientId: 'cairn-services-test', brokers: addresses.kafkaBrokers, logLevel: logLevel.NOTHING });
    const topic = `cairn-services-test-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({
        topics: [{ topic, numPartitions: 4, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      expect(created).toBe(true);
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0]?.partitions).toHaveLength(4);

      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'clue-1', value: 'found', partition: 2 }] });
      await producer.disconnect();

      const consumer = kafka.consumer({ groupId: `cairn-services-test-${randomUUID()}` });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        const received = new Promise<{ partition: number; key: string | undefined; value: string | undefined }>((resolve) => {
          void consumer.run({
            eachMessage: async ({ partition, message }) => {
              resolve({ partition, key: message.key?.toString(), value: message.value?.toString() });
            },
          });
        });
        expect(await received).toEqual({ partition: 2, key: 'clue-1', value: 'found' });
      } finally {
        await consumer.disconnect();
      }
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 90_000);

  it('Cassandra: runs Paxos v2, creates a keyspace and table; INSERT ... IF NOT EXISTS applies once', async () => {
    expect(addresses.cassandraContactPoints.length).toBeGreaterThan(0);
    const client = new cassandra.Client({
      contactPoints: addresses.cassandraContactPoints,
      localDataCenter: 'datacenter1',
    });
    await client.connect();
    try {
      // Every journal append is a conditional write: the bundled configuration asks for v2 (a
      // Cassandra started from an older configuration fails here: restart it with services:down/up).
      const variant = await client.execute("SELECT value FROM system_views.settings WHERE name = 'paxos_variant'");
      expect(variant.first()?.get('value')).toBe('v2');
      await client.execute(
        "CREATE KEYSPACE IF NOT EXISTS cairn_services_test WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      );
      await client.execute('CREATE TABLE IF NOT EXISTS cairn_services_test.claims (id text PRIMARY KEY, owner text)');
      const id = randomUUID();
      const insert = 'INSERT INTO cairn_services_test.claims (id, owner) VALUES (?, ?) IF NOT EXISTS';

      const first = await client.execute(insert, [id, 'alice'], { prepare: true });
      expect(first.wasApplied()).toBe(true);

      const second = await client.execute(insert, [id, 'bob'], { prepare: true });
      expect(second.wasApplied()).toBe(false);
      expect(second.first().get('owner')).toBe('alice');

      const stored = await client.execute('SELECT owner FROM cairn_services_test.claims WHERE id = ?', [id], { prepare: true });
      expect(stored.first().get('owner')).toBe('alice');
    } finally {
      await client.shutdown();
    }
  }, 90_000);
});
