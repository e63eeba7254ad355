import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerBuildInfo } from './build-info.js';

/** Command latency buckets, seconds: from sub-millisecond to the command timeout. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Values read when Prometheus scrapes, from parts created after the metrics. */
export interface MetricSources {
  activeActors: () => number;
  /** Active entities per shard (a cluster node; empty otherwise). */
  entitiesByShard: () => ReadonlyMap<number, number>;
  /** Whether the gateway refuses new commands and connections as overloaded now. */
  overloaded: () => boolean;
  /** Requests the gateway is running now. */
  requestsInFlight: () => number;
}

/**
 * The server's Prometheus metrics, in a registry of its own (two servers in one process, as in
 * tests, do not share counters). Node's default metrics come with the `cairn_` prefix
 * (`cairn_process_cpu_seconds_total`, `cairn_nodejs_heap_size_used_bytes`, ...), beside
 * `cairn_build_info`.
 */
export function createMetrics(
  sources: MetricSources = { activeActors: () => 0, entitiesByShard: () => new Map(), overloaded: () => false, requestsInFlight: () => 0 },
  options: { readonly cluster?: boolean } = {},
) {
  const registry = new Registry();
  // prom-client's names already start with process_ or nodejs_: the prefix only adds ours.
  collectDefaultMetrics({ register: registry, prefix: 'cairn_' });
  registerBuildInfo(registry);
  const r = [registry];
  // Shards, the bus and handoffs exist only on a cluster node: an embedded process still has the
  // objects (the code that feeds them is shared) but does not export them, so no dashboard reads
  // a zero that means "not a cluster" as "owns nothing".
  const c = options.cluster === false ? [] : r;
  return {
    registry,
    connections: new Gauge({ name: 'cairn_connections', help: 'Open WebSocket connections', registers: r }),
    framesIn: new Counter({ name: 'cairn_frames_in_total', help: 'Frames received, by message type', labelNames: ['type'], registers: r }),
    framesOut: new Counter({ name: 'cairn_frames_out_total', help: 'Frames sent, by message type', labelNames: ['type'], registers: r }),
    commandSeconds: new Histogram({
      name: 'cairn_command_duration_seconds',
      help: 'From receiving a request to sending its reply, by message type',
      labelNames: ['type'],
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    rejections: new Counter({ name: 'cairn_rejections_total', help: 'Requests refused, by error code', labelNames: ['code'], registers: r }),
    journalCommitSeconds: new Histogram({
      name: 'cairn_journal_commit_duration_seconds',
      help: 'Duration of one journal group commit',
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    journalBatchSize: new Histogram({
      name: 'cairn_journal_commit_appends',
      help: 'Appends committed together in one group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers: r,
    }),
    journalBreakerState: new Gauge({
      name: 'cairn_journal_breaker_state',
      help: 'Journal circuit breaker: 0 closed, 1 half-open (trying), 2 open (failing fast)',
      registers: r,
    }),
    activeActors: new Gauge({
      name: 'cairn_active_actors',
      help: 'Entity actors in memory',
      registers: r,
      collect() {
        this.set(sources.activeActors());
      },
    }),
    activations: new Counter({ name: 'cairn_activations_total', help: 'Entity activations (recoveries), by kind', labelNames: ['kind'], registers: r }),
    activationSeconds: new Histogram({
      name: 'cairn_activation_duration_seconds',
      help: 'Time to recover an entity from the journal',
      buckets: LATENCY_BUCKETS,
      registers: r,
    }),
    ownedShards: new Gauge({ name: 'cairn_owned_shards', help: 'Shards (Kafka partitions of the commands topic) this node owns', registers: c }),
    shardLag: new Gauge({
      name: 'cairn_shard_consumer_lag',
      help: 'Commands waiting in a shard this node owns (high watermark minus the next offset), as of its last batch',
      labelNames: ['shard'],
      registers: c,
    }),
    shardMoves: new Counter({
      name: 'cairn_shard_moves_total',
      help: 'Shards that changed owner in the assignments this node computed as the group leader',
      registers: c,
    }),
    shardCommands: new Counter({
      name: 'cairn_shard_commands_total',
      help: 'Commands this node ran, by shard (its rate is the shard\'s load)',
      labelNames: ['shard'],
      registers: c,
    }),
    shardEntities: new Gauge({
      name: 'cairn_shard_entities',
      help: 'Entities active on this node, by shard',
      labelNames: ['shard'],
      registers: c,
      collect() {
        this.reset();
        for (const [shard, count] of sources.entitiesByShard()) this.set({ shard: String(shard) }, count);
      },
    }),
    busProduceSeconds: new Histogram({
      name: 'cairn_bus_produce_duration_seconds',
      help: 'From sending a batch of bus messages to Kafka to its acknowledgement by all in-sync replicas',
      buckets: LATENCY_BUCKETS,
      registers: c,
    }),
    busConsumeSeconds: new Histogram({
      name: 'cairn_bus_consume_delay_seconds',
      help: 'From a bus message being written to Kafka to this node reading it, by topic (commands, updates, replies)',
      labelNames: ['topic'],
      buckets: LATENCY_BUCKETS,
      registers: c,
    }),
    handoffSeconds: new Histogram({
      name: 'cairn_shard_handoff_duration_seconds',
      help: 'Shard handoff phases: rebalance (from the group rebalancing, or this node joining, to this node having its new shards), release (passivating the shards it lost)',
      labelNames: ['phase'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: c,
    }),
    commandsDeduplicated: new Counter({
      name: 'cairn_commands_deduplicated_total',
      help: 'Commands from the bus whose id the entity had already applied (redelivered after a crash or rebalance, or retried): answered with the original outcome',
      labelNames: ['kind'],
      registers: c,
    }),
    slowConsumers: new Counter({ name: 'cairn_slow_consumer_disconnects_total', help: 'Sockets cut off for reading too slowly', registers: r }),
    overloadRefusals: new Counter({
      name: 'cairn_overload_refusals_total',
      help: 'Work refused because the process was saturated: commands (answered overloaded) and connections (closed with 1013)',
      labelNames: ['what'],
      registers: r,
    }),
    overloadState: new Gauge({
      name: 'cairn_overload_state',
      help: '1 while the gateway refuses new commands and connections as overloaded, else 0',
      registers: r,
      collect() {
        this.set(sources.overloaded() ? 1 : 0);
      },
    }),
    requestsInFlight: new Gauge({
      name: 'cairn_requests_in_flight',
      help: 'Requests the gateway is running (received, not yet answered); see CAIRN_OVERLOAD_MAX_IN_FLIGHT',
      registers: r,
      collect() {
        this.set(sources.requestsInFlight());
      },
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
