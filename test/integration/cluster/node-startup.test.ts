import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient, httpGet } from '../../e2e/sdk-client.js';
import { shardOf } from '../../../src/cluster/shard-of.js';
import { steadyHunt } from './steady-play.js';
import { startServerProcess } from '../../e2e/server-process.js';
import { startCluster, type TestCluster } from './cluster-nodes.js';

describe('a cluster node starting and reporting', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster(1, { partitions: 6 });
  });
  afterAll(async () => {
    await cluster?.dispose();
  });

  it('refuses to join a cluster created with another partition count, saying how to fix it', async () => {
    const error = await startServerProcess({
      env: {
        CAIRN_KAFKA_BROKERS: inject('kafkaBrokers').join(','),
        CAIRN_CASSANDRA_CONTACT_POINTS: inject('cassandraContactPoints').join(','),
        CAIRN_CASSANDRA_KEYSPACE: cluster.keyspace,
        CAIRN_TOPIC_PREFIX: cluster.topicPrefix,
        CAIRN_PARTITIONS: '12',
        CAIRN_NODE_ID: 'wrong-count',
      },
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('exited with 1');
    expect((error as Error).message).toContain('has 6 partitions but CAIRN_PARTITIONS is 12');
  });

  it('serves once it owns its shards, says which at /cluster, and reports shard metrics', async () => {
    const [node] = cluster.nodes;
    expect((await httpGet(`${node!.httpUrl}/readyz`)).status).toBe(200);
    const status = JSON.parse((await httpGet(`${node!.httpUrl}/cluster`)).body) as { mode: string; nodeId: string; owned: number[] };
    expect(status).toEqual({ mode: 'cluster', nodeId: 'node-1', partitions: 6, owned: [0, 1, 2, 3, 4, 5] });

    const designer = await connectClient(node!.wsUrl, 'designer', 'designer');
    await designer.client.spawn('metrics-hunt', steadyHunt());
    // The same command id again: deduplicated by the hunt, counted by the node.
    await designer.client.request({ type: 'admin.start', hunt: 'metrics-hunt', commandId: 'start-once' });
    await designer.client.request({ type: 'admin.start', hunt: 'metrics-hunt', commandId: 'start-once' });
    await designer.close();

    const metrics = (await httpGet(`${node!.httpUrl}/metrics`)).body;
    expect(metrics).toMatch(/^cairn_owned_shards 6$/m);
    expect(metrics).toMatch(/^cairn_shard_consumer_lag\{shard="\d+"\} 0$/m);
    expect(metrics).toMatch(/^cairn_bus_produce_duration_seconds_count [1-9]/m);
    expect(metrics).toMatch(/^cairn_bus_consume_delay_seconds_count\{topic="commands"\} [1-9]/m);
    expect(metrics).toMatch(/^cairn_bus_consume_delay_seconds_count\{topic="replies"\} [1-9]/m);
    expect(metrics).toMatch(/^cairn_commands_deduplicated_total\{kind="hunt"\} 1$/m);
    expect(metrics).toMatch(/^cairn_shard_handoff_duration_seconds_count\{phase="rebalance"\}/m);
    // The load view: per shard, what runs here.
    const shard = shardOf('metrics-hunt', 6);
    expect(metrics).toMatch(new RegExp(`^cairn_shard_entities\\{shard="${shard}"\\} [1-9]`, 'm'));
    expect(metrics).toMatch(new RegExp(`^cairn_shard_commands_total\\{shard="${shard}"\\} [1-9]`, 'm'));
  });
});
