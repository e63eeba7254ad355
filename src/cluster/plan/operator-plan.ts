import { retryWhileSettling } from '../kafka-client.js';
import type { Kafka, PartitionAssigner } from 'kafkajs';
import type { BatchingProducer } from '../../bus/kafka/batching-producer.js';
import { startTailConsumer, type TailConsumer } from '../../bus/kafka/tail-consumer.js';
import type { ShardControl } from '../../gateway/shard-control.js';
import type { Logger } from '../../observability/logger.js';
import type { ClusterTopics } from '../cluster-topics.js';
import type { Ownership } from '../ownership.js';
import { shardOf } from '../shard-of.js';
import { createClusterShardControl } from './cluster-shard-control.js';
import { ClusterState, nodeKey, PLAN_KEY, type NodeReport } from './cluster-state.js';
import { createPlanAssigner } from './plan-assigner.js';
import { pokeRebalance } from './poke-rebalance.js';

/** How often a node reports its shards and load, ms. */
const REPORT_EVERY_MS = 1000;
/** How long a starting node reads the state topic before it goes on with what it has, ms. */
const CATCH_UP_MS = 30_000;
/** How often a node checks that what it owns agrees with the plan, ms; a disagreement seen twice in a row rebalances. */
const RECONCILE_EVERY_MS = 5000;


/** What this node knows of its own load, for its reports. */
export interface LocalLoad {
  readonly connections: () => number;
  /** Sockets watching each hunt, by hunt id. */
  readonly watchers: () => ReadonlyMap<string, number>;
  readonly activeEntityIds: () => readonly string[];
  readonly shardStats: () => { readonly lag: ReadonlyMap<number, number>; readonly handled: ReadonlyMap<number, number> };
}

export interface OperatorPlan {
  readonly state: ClusterState;
  /** The shard group's assigner, honouring the plan. */
  readonly assigner: PartitionAssigner;
  readonly control: ShardControl;
  /** Starts reporting this node's shards and load every second. */
  startReporting(load: LocalLoad): void;
  /** Reports that this node owns nothing any more, and stops reading and reporting. */
  close(): Promise<void>;
}

/**
 * The operator plan on a node: reads the cluster's compacted state topic (the plan, every node's
 * report) from its start, resolving once it has caught up; reports for this node; answers shard
 * maps and plan changes.
 */
export async function startOperatorPlan(options: {
  readonly kafka: Kafka;
  readonly topics: ClusterTopics;
  readonly nodeId: string;
  readonly partitions: number;
  /** The node's Kafka session timeout, for its reader of the state topic. */
  readonly sessionTimeoutMs: number;
  readonly producer: BatchingProducer;
  readonly ownership: Ownership;
  readonly logger: Logger;
  readonly onMoved: (moved: number) => void;
}): Promise<OperatorPlan> {
  const { kafka, topics, nodeId, partitions, producer, ownership, logger } = options;
  const state = new ClusterState((key, error) => logger.warn({ err: error, key }, 'skipped a malformed cluster state record'));

  // Caught up = read up to the last record the topic had when this node started.
  const admin = kafka.admin();
  await admin.connect();
  // Right after the topic is created its leader may not be elected yet: NOT_LEADER is retriable.
  const offsets = await retryWhileSettling(() => admin.fetchTopicOffsets(topics.state)).finally(() => admin.disconnect());
  const end = Number(offsets[0]?.high ?? 0);
  let caughtUp: () => void = () => undefined;
  const hasCaughtUp = new Promise<void>((resolve) => (caughtUp = resolve));
  if (end === 0) caughtUp();
  const reader: TailConsumer = await startTailConsumer(kafka, {
    topic: topics.state,
    groupPrefix: `${topics.state}.${nodeId}`,
    sessionTimeoutMs: options.sessionTimeoutMs,
    fromBeginning: true,
    onMessage: (message) => {
      state.receive(message.key?.toString('utf8') ?? '', message.value);
      if (Number(message.offset) >= end - 1) caughtUp();
    },
  });
  let caughtUpTimer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<boolean>((resolve) => (caughtUpTimer = setTimeout(() => resolve(true), CATCH_UP_MS)));
  if (await Promise.race([hasCaughtUp.then(() => false), gaveUp])) {
    logger.warn({ topic: topics.state }, 'the cluster state is taking long to read: going on with what was read (the plan may be older for a moment)');
  }
  clearTimeout(caughtUpTimer);

  const write = (key: string, value: object) => producer.send(topics.state, { key, partition: 0, value: JSON.stringify(value) });
  const planOptions = {
    topic: topics.commands,
    partitions,
    plan: () => state.plan,
    waitForPlan: (version: number) => state.waitForPlan(version, 5000),
    onAssigned: options.onMoved,
  };
  const assigner = createPlanAssigner({ ...planOptions, self: () => ({ nodeId, owned: ownership.shards, planVersion: state.plan.version }) });
  // One poke at a time; changes made while one runs share the next (a script of 20 pins makes
  // two rebalances, not twenty).
  let poking: Promise<void> | undefined;
  let wanted = 0;
  const rebalance = (planVersion: number) => {
    wanted = Math.max(wanted, planVersion);
    if (poking) return;
    poking = (async () => {
      for (let done = -1; done !== wanted; ) {
        done = wanted;
        await pokeRebalance(kafka, { ...planOptions, groupId: topics.shardGroup, planVersion: done, timeoutMs: 15_000 }).catch((error: unknown) =>
          logger.warn({ err: error }, 'could not make the shard group rebalance; the plan is checked again shortly'),
        );
      }
    })().finally(() => (poking = undefined));
  };
  const control = createClusterShardControl({ partitions, state, publishPlan: (plan) => write(PLAN_KEY, plan), rebalance });

  // A poke that failed, or a leader that assigned before it had read the plan, leaves the plan
  // unapplied: every node checks its own shards against the plan and asks again if they differ.
  let disagreements = 0;
  const disagrees = (): boolean => {
    const plan = state.plan;
    const live = new Set([...state.liveNodes(Date.now())].filter((node) => !plan.drained.includes(node)));
    const owned = new Set(ownership.shards);
    if (plan.drained.includes(nodeId)) return owned.size > 0 && live.size > 0;
    return Object.entries(plan.pins).some(([shard, node]) => live.has(node) && (node === nodeId) !== owned.has(Number(shard)));
  };
  const reconciler = setInterval(() => {
    disagreements = disagrees() ? disagreements + 1 : 0;
    if (disagreements >= 2 && !poking) {
      logger.info({ planVersion: state.plan.version }, 'this node\'s shards do not agree with the plan: rebalancing');
      disagreements = 0;
      rebalance(state.plan.version);
    }
  }, RECONCILE_EVERY_MS);
  reconciler.unref();

  let timer: NodeJS.Timeout | undefined;
  let lastHandled = new Map<number, number>();
  let lastAt = Date.now();
  const report = (load: LocalLoad, owned: readonly number[]): NodeReport => {
    const shards: Record<string, { entities: number; watchers: number; lag: number; commandsPerSecond: number }> = {};
    const entry = (shard: number) => (shards[String(shard)] ??= { entities: 0, watchers: 0, lag: 0, commandsPerSecond: 0 });
    for (const id of load.activeEntityIds()) entry(shardOf(id, partitions)).entities += 1;
    for (const [huntId, watching] of load.watchers()) entry(shardOf(huntId, partitions)).watchers += watching;
    const stats = load.shardStats();
    const seconds = Math.max(0.001, (Date.now() - lastAt) / 1000);
    for (const shard of owned) {
      entry(shard).lag = stats.lag.get(shard) ?? 0;
      entry(shard).commandsPerSecond = Math.round((((stats.handled.get(shard) ?? 0) - (lastHandled.get(shard) ?? 0)) / seconds) * 10) / 10;
    }
    lastHandled = new Map(stats.handled);
    lastAt = Date.now();
    return { nodeId, at: Date.now(), owned: [...owned], connections: load.connections(), shards };
  };
  return {
    state,
    assigner,
    control,
    startReporting(load) {
      const tick = () => void write(nodeKey(nodeId), report(load, ownership.shards)).catch((error: unknown) => logger.debug({ err: error }, 'report failed'));
      tick();
      timer = setInterval(tick, REPORT_EVERY_MS);
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      clearInterval(reconciler);
      await poking;
      // A tombstone: the node is gone from the map at once rather than once its report is old.
      await producer.send(topics.state, { key: nodeKey(nodeId), partition: 0, value: null }).catch(() => undefined);
      await reader.stop();
    },
  };
}
