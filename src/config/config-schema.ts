import { z } from 'zod';

/**
 * Every setting of a Cairn server, with its default. Environment variables (CAIRN_*) and an
 * optional JSON or YAML file (CAIRN_CONFIG_FILE) supply them; the environment wins.
 */
export const configSchema = z
  .strictObject({
  /** Address to listen on. 127.0.0.1 keeps a dev server private; use 0.0.0.0 in a container. */
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(7420),
  /** Where the SQLite journal lives. */
  dataDir: z.string().min(1).default('.data'),
  /** HS256 secret that signs tokens. Absent: a development secret, announced loudly at start. */
  tokenSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest WebSocket frame accepted, bytes. */
  maxFrameBytes: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
  /** Bytes a socket may have waiting to be sent before it is cut off as a slow reader. */
  maxSendBufferBytes: z.coerce.number().int().min(16 * 1024).default(1024 * 1024),
  /** Interval of WebSocket pings; a socket that missed the previous pong is dropped. */
  heartbeatMs: z.coerce.number().int().min(100).default(30_000),
  /** Guesses (submits) a player may send per second on average, and in a burst. */
  guessesPerSecond: z.coerce.number().positive().default(2),
  guessBurst: z.coerce.number().int().min(1).default(5),
  /** Updates a resume replays before sending a full view instead. */
  maxResumeUpdates: z.coerce.number().int().min(1).default(1000),
  /** Snapshot an entity every this many events (0: never). */
  snapshotEvery: z.coerce.number().int().min(0).default(100),
  /** Passivate an entity idle for this long, ms. */
  idleAfterMs: z.coerce.number().int().min(100).default(5 * 60_000),
  /** Passivate a player's record idle for this long, ms: it is used on connect, join and leave only. */
  playerIdleAfterMs: z.coerce.number().int().min(100).default(2_000),
  /** Entities recovering from the journal at once. */
  maxConcurrentActivations: z.coerce.number().int().min(1).default(16),
  /** How long a command may take before the client is told to retry, ms. */
  commandTimeoutMs: z.coerce.number().int().min(100).default(10_000),
  /** How long a graceful stop waits for in-flight work, ms. */
  shutdownGraceMs: z.coerce.number().int().min(0).default(10_000),
  /** SQLite durability: 'full' survives power loss; 'normal' only a process crash. */
  sqliteSynchronous: z.enum(['full', 'normal']).default('full'),
  /** Cassandra nodes (`host:port`, comma-separated). Set: the journal is Cassandra; unset: SQLite. */
  cassandraContactPoints: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+)*$/, 'must be host:port[,host:port...]')
    .transform((value) => value.split(','))
    .optional(),
  cassandraLocalDataCenter: z.string().min(1).default('datacenter1'),
  cassandraKeyspace: z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, 'must be lower-case letters, digits and _').default('cairn'),
  /** Replication used when the keyspace is created: `simple:N` or `dc1:N,dc2:M`. */
  cassandraReplication: z.string().regex(/^(simple:\d+|[A-Za-z0-9_-]+:\d+(,[A-Za-z0-9_-]+:\d+)*)$/, 'must be simple:N or dc1:N,dc2:M').default('simple:1'),
  /**
   * `create`: the node creates the keyspace and tables when missing, at start and whenever its
   * probe finds them gone; `existing`: an operator manages them, and the node is not ready without them.
   */
  cassandraSchema: z.enum(['create', 'existing']).default('create'),
  /** Pause between probes of the journal's storage, ms; /readyz follows them, and they close an open breaker. */
  journalProbeMs: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** Journal failures in a row that open the circuit breaker. */
  breakerFailures: z.coerce.number().int().min(1).default(5),
  /** How long the breaker stays open before it tries the journal again, ms. */
  breakerHalfOpenMs: z.coerce.number().int().min(100).default(5000),
  /** Kafka brokers (`host:port`, comma-separated). Set: this process is a node of a cluster. */
  kafkaBrokers: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+)*$/, 'must be host:port[,host:port...]')
    .transform((value) => value.split(','))
    .optional(),
  /** This node's name in the cluster, unique and stable across restarts; required with kafkaBrokers. */
  nodeId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, . _ -, starting with a letter or digit').optional(),
  /** Shards (Kafka partitions of the commands and updates topics), fixed when the cluster is created. */
  partitions: z.coerce.number().int().min(1).max(1024).default(64),
  /** Names the cluster's topics and consumer group: nodes with the same prefix form one cluster. */
  topicPrefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be letters, digits, . _ -').default('cairn'),
  /** Replicas of each topic the node creates; commands are acknowledged by all in-sync replicas. */
  kafkaReplicationFactor: z.coerce.number().int().min(1).max(16).default(1),
  /** A node silent for this long is taken out of the group and its shards move, ms. */
  kafkaSessionTimeoutMs: z.coerce.number().int().min(1000).max(300_000).default(10_000),
  /** Commands a node runs at once (its mailboxes together); past it, shards stop fetching until some finish. */
  maxInFlightCommands: z.coerce.number().int().min(1).default(2048),
  /**
   * Event-loop delay (mean lateness of its ticks over a window, ms) over which the gateway counts
   * as overloaded and refuses new commands and connections; 0: not checked.
   */
  overloadMaxLoopDelayMs: z.coerce.number().int().min(0).max(60_000).default(100),
  /** Requests the gateway may run at once; at this many, new commands and connections are refused; 0: no bound. */
  overloadMaxInFlight: z.coerce.number().int().min(0).default(2048),
  /** Window of the loop delay reading and the shortest overload, ms; also the retryAfterMs of a refusal. */
  overloadWindowMs: z.coerce.number().int().min(100).max(60_000).default(1000),
})
  .superRefine((config, ctx) => {
    if (!config.kafkaBrokers) return;
    if (!config.nodeId) ctx.addIssue({ code: 'custom', path: ['nodeId'], message: 'is required when CAIRN_KAFKA_BROKERS is set (a unique, stable name per node)' });
    if (!config.cassandraContactPoints) {
      ctx.addIssue({ code: 'custom', path: ['cassandraContactPoints'], message: 'is required when CAIRN_KAFKA_BROKERS is set: the nodes of a cluster share one journal' });
    }
  });

export type CairnConfig = z.infer<typeof configSchema>;

/** Environment variable of each setting. */
export const ENV_NAMES: Readonly<Record<keyof CairnConfig, string>> = {
  host: 'CAIRN_HOST',
  port: 'CAIRN_PORT',
  dataDir: 'CAIRN_DATA_DIR',
  tokenSecret: 'CAIRN_TOKEN_SECRET',
  logLevel: 'CAIRN_LOG_LEVEL',
  maxFrameBytes: 'CAIRN_MAX_FRAME_BYTES',
  maxSendBufferBytes: 'CAIRN_MAX_SEND_BUFFER_BYTES',
  heartbeatMs: 'CAIRN_HEARTBEAT_MS',
  guessesPerSecond: 'CAIRN_GUESSES_PER_SECOND',
  guessBurst: 'CAIRN_GUESS_BURST',
  maxResumeUpdates: 'CAIRN_MAX_RESUME_UPDATES',
  snapshotEvery: 'CAIRN_SNAPSHOT_EVERY',
  idleAfterMs: 'CAIRN_IDLE_AFTER_MS',
  playerIdleAfterMs: 'CAIRN_PLAYER_IDLE_AFTER_MS',
  maxConcurrentActivations: 'CAIRN_MAX_CONCURRENT_ACTIVATIONS',
  commandTimeoutMs: 'CAIRN_COMMAND_TIMEOUT_MS',
  shutdownGraceMs: 'CAIRN_SHUTDOWN_GRACE_MS',
  sqliteSynchronous: 'CAIRN_SQLITE_SYNCHRONOUS',
  cassandraContactPoints: 'CAIRN_CASSANDRA_CONTACT_POINTS',
  cassandraLocalDataCenter: 'CAIRN_CASSANDRA_LOCAL_DC',
  cassandraKeyspace: 'CAIRN_CASSANDRA_KEYSPACE',
  cassandraReplication: 'CAIRN_CASSANDRA_REPLICATION',
  cassandraSchema: 'CAIRN_CASSANDRA_SCHEMA',
  journalProbeMs: 'CAIRN_JOURNAL_PROBE_MS',
  breakerFailures: 'CAIRN_BREAKER_FAILURES',
  breakerHalfOpenMs: 'CAIRN_BREAKER_HALF_OPEN_MS',
  kafkaBrokers: 'CAIRN_KAFKA_BROKERS',
  nodeId: 'CAIRN_NODE_ID',
  partitions: 'CAIRN_PARTITIONS',
  topicPrefix: 'CAIRN_TOPIC_PREFIX',
  kafkaReplicationFactor: 'CAIRN_KAFKA_REPLICATION_FACTOR',
  kafkaSessionTimeoutMs: 'CAIRN_KAFKA_SESSION_TIMEOUT_MS',
  maxInFlightCommands: 'CAIRN_MAX_IN_FLIGHT_COMMANDS',
  overloadMaxLoopDelayMs: 'CAIRN_OVERLOAD_MAX_LOOP_DELAY_MS',
  overloadMaxInFlight: 'CAIRN_OVERLOAD_MAX_IN_FLIGHT',
  overloadWindowMs: 'CAIRN_OVERLOAD_WINDOW_MS',
};
