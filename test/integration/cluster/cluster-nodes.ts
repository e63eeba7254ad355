import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { shardOf } from '../../../src/cluster/shard-of.js';
import { disposeServer, startServerProcess, type ServerProcess } from '../../e2e/server-process.js';

export interface ClusterNodeProcess extends ServerProcess {
  readonly nodeId: string;
}

/** What a node says at /cluster. */
export interface NodeStatus {
  readonly nodeId: string;
  readonly partitions: number;
  readonly owned: readonly number[];
}

export interface TestCluster {
  readonly partitions: number;
  readonly keyspace: string;
  readonly topicPrefix: string;
  /** Nodes started so far, in start order (stopped and killed ones included). */
  readonly nodes: ClusterNodeProcess[];
  /** Starts one more node (named `node-<n>`) and waits until it serves. */
  addNode(env?: Record<string, string>): Promise<ClusterNodeProcess>;
  /** Starts a node again under the id of `dead` (killed or stopped), on the same cluster, and waits until it serves. */
  restartNode(dead: ClusterNodeProcess, env?: Record<string, string>): Promise<ClusterNodeProcess>;
  /** The /cluster answers of the live nodes that answer within a second (a paused node does not). */
  statuses(): Promise<Map<ClusterNodeProcess, NodeStatus>>;
  /** Waits until every shard has exactly one owner among the live nodes and each live node owns some. */
  settled(timeoutMs?: number): Promise<Map<ClusterNodeProcess, NodeStatus>>;
  /** The live node that owns the entity's shard, once the cluster is settled. */
  ownerOf(entityId: string): Promise<ClusterNodeProcess>;
  isLive(node: ClusterNodeProcess): boolean;
  dispose(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Node processes of one fresh cluster (its own topics and keyspace) on the suite's Kafka and
 * Cassandra, each a real `src/main.ts` on its own loopback port.
 */
export async function startCluster(count: number, options: { partitions?: number; env?: Record<string, string> } = {}): Promise<TestCluster> {
  const tag = randomBytes(4).toString('hex');
  const partitions = options.partitions ?? 12;
  const keyspace = `cairn_cluster_${tag}`;
  const topicPrefix = `cairn-test-${tag}`;
  const nodes: ClusterNodeProcess[] = [];
  const isLive = (node: ClusterNodeProcess) => node.child.exitCode === null && node.child.signalCode === null;

  let named = 0;
  const startNode = async (nodeId: string, env: Record<string, string>): Promise<ClusterNodeProcess> => {
    const server = await startServerProcess({
      env: {
        CAIRN_KAFKA_BROKERS: inject('kafkaBrokers').join(','),
        CAIRN_CASSANDRA_CONTACT_POINTS: inject('cassandraContactPoints').join(','),
        CAIRN_CASSANDRA_KEYSPACE: keyspace,
        CAIRN_TOPIC_PREFIX: topicPrefix,
        CAIRN_PARTITIONS: String(partitions),
        CAIRN_NODE_ID: nodeId,
        // The broker of the test services accepts sessions from 1 s: a killed node is noticed fast.
        CAIRN_KAFKA_SESSION_TIMEOUT_MS: '3000',
        ...options.env,
        ...env,
      },
    });
    const node = Object.assign(server, { nodeId });
    nodes.push(node);
    nodes.sort((a, b) => a.nodeId.localeCompare(b.nodeId, 'en', { numeric: true }));
    return node;
  };
  const addNode = (env: Record<string, string> = {}): Promise<ClusterNodeProcess> => {
    named += 1;
    return startNode(`node-${named}`, env);
  };

  const statuses = async () => {
    const live = nodes.filter(isLive);
    const answers = await Promise.all(
      live.map(async (node) => {
        try {
          return (await (await fetch(`${node.httpUrl}/cluster`, { signal: AbortSignal.timeout(1000) })).json()) as NodeStatus;
        } catch {
          return undefined;
        }
      }),
    );
    return new Map(live.flatMap((node, i) => (answers[i] ? [[node, answers[i]] as const] : [])));
  };

  const settled = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = await statuses().catch(() => undefined);
      if (now) {
        const owners = [...now.values()].flatMap((s) => s.owned);
        const complete = owners.length === partitions && new Set(owners).size === partitions;
        if (complete && [...now.values()].every((s) => s.owned.length > 0 || now.size > partitions)) return now;
      }
      if (Date.now() > deadline) throw new Error(`the cluster did not settle in ${timeoutMs} ms: ${JSON.stringify(now && [...now.values()])}`);
      await sleep(100);
    }
  };

  // All at once, as an orchestrator starts them: the first to come creates the topics, the
  // others must cope with topics that exist but have no leaders yet.
  const started = await Promise.allSettled(Array.from({ length: count }, () => addNode()));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.allSettled(nodes.map((node) => disposeServer(node)));
    throw failed.reason;
  }
  return {
    partitions,
    keyspace,
    topicPrefix,
    nodes,
    addNode,
    restartNode: (dead, env = {}) => startNode(dead.nodeId, env),
    statuses,
    settled,
    isLive,
    async ownerOf(entityId) {
      const shard = shardOf(entityId, partitions);
      for (const [node, status] of await settled()) if (status.owned.includes(shard)) return node;
      throw new Error(`no live node owns shard ${shard}`);
    },
    async dispose() {
      await Promise.allSettled(nodes.map((node) => disposeServer(node)));
    },
  };
}

/** Ids with the given prefix whose shards belong to `node`, one per call of next(). */
export async function idsOwnedBy(cluster: TestCluster, node: ClusterNodeProcess, prefix: string, count: number): Promise<string[]> {
  const owned = new Set((await cluster.settled()).get(node)?.owned ?? []);
  const ids: string[] = [];
  for (let i = 0; ids.length < count && i < 100_000; i += 1) if (owned.has(shardOf(`${prefix}-${i}`, cluster.partitions))) ids.push(`${prefix}-${i}`);
  return ids;
}
