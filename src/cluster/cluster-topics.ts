import type { Admin } from 'kafkajs';
import { CairnError } from '../errors.js';

/** The Kafka names of one cluster (all derived from its prefix). */
export interface ClusterTopics {
  /** Commands, keyed by entity id; partition = shard. */
  readonly commands: string;
  /** Stored hunt events, keyed by hunt id; partition = the hunt's shard. */
  readonly updates: string;
  /** The consumer group whose members own the shards. */
  readonly shardGroup: string;
  /** Compacted: the operator plan and each node's latest report. */
  readonly state: string;
  /** Replies to the node named `nodeId` (one partition; only that node reads it). */
  replies(nodeId: string): string;
}

export function clusterTopics(prefix: string): ClusterTopics {
  return {
    commands: `${prefix}.commands`,
    updates: `${prefix}.updates`,
    shardGroup: `${prefix}.shards`,
    state: `${prefix}.state`,
    replies: (nodeId) => `${prefix}.replies.${nodeId}`,
  };
}

/** The cluster was created with another partition count than this node was given. */
export class PartitionCountMismatch extends CairnError {
  constructor(topic: string, actual: number, expected: number) {
    super(
      'partition-count-mismatch',
      `topic ${topic} has ${actual} partitions but CAIRN_PARTITIONS is ${expected}: the shard of every entity depends on the count, so it is fixed when the cluster is created. Start this node with CAIRN_PARTITIONS=${actual}, or use a new CAIRN_TOPIC_PREFIX for a new cluster.`,
      { retriable: false },
    );
  }
}

/**
 * Creates the cluster's topics when they do not exist yet (any node may be the first; the others
 * find them made) and refuses a cluster whose shard topics have another partition count.
 */
export async function ensureTopics(
  admin: Admin,
  topics: ClusterTopics,
  options: { readonly nodeId: string; readonly partitions: number; readonly replicationFactor: number },
): Promise<void> {
  const wanted = [
    { topic: topics.commands, numPartitions: options.partitions },
    { topic: topics.updates, numPartitions: options.partitions },
    { topic: topics.replies(options.nodeId), numPartitions: 1 },
    // One partition: every node reads the plan's versions in one order.
    {
      topic: topics.state,
      numPartitions: 1,
      // Nodes report every second: roll segments often so compaction keeps the topic small and a
      // starting node reads little; a gone node's tombstone is dropped after a minute.
      configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'segment.ms', value: '60000' },
        { name: 'min.cleanable.dirty.ratio', value: '0.1' },
        { name: 'delete.retention.ms', value: '60000' },
      ],
    },
  ];
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    // Several nodes starting together race to create: losing the race (already exists) is fine,
    // and the leaders are waited for below, whoever created the topics.
    await admin
      .createTopics({ waitForLeaders: false, topics: missing.map((t) => ({ ...t, replicationFactor: options.replicationFactor })) })
      .catch((error: unknown) => {
        if (!/already exists/i.test(String((error as Error).message) + JSON.stringify((error as { errors?: unknown }).errors ?? ''))) throw error;
      });
  }
  const metadata = await settledMetadata(admin, [topics.commands, topics.updates, topics.replies(options.nodeId), topics.state]);
  for (const topic of metadata.topics.filter((t) => t.name === topics.commands || t.name === topics.updates)) {
    if (topic.partitions.length !== options.partitions) throw new PartitionCountMismatch(topic.name, topic.partitions.length, options.partitions);
  }
}

/**
 * The topics' metadata once every partition has a leader. A topic another node has just created
 * answers "unknown topic or partition" for a moment: ask again rather than fail the start.
 */
async function settledMetadata(admin: Admin, names: string[], timeoutMs = 30_000): ReturnType<Admin['fetchTopicMetadata']> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: names });
      if (metadata.topics.every((t) => t.partitions.every((p) => p.leader >= 0))) return metadata;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`the partitions of ${names.join(', ')} have no leader after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
