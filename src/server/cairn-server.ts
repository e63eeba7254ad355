import type { AddressInfo } from 'node:net';
import { huntBehaviour } from '../../actors/hunt/hunt-behaviour.js';
import type { HuntEvent } from '../../actors/hunt/hunt-events.js';
import { playerBehaviour } from '../../actors/player/player-behaviour.js';
import { ShardHost } from '../../actors/runtime/shard-host.js';
import type { WelcomeMessage } from '../../protocol/server-messages.js';
import { CloseCode } from '../../protocol/codes.js';
import { DEV_TOKEN_SECRET } from '../auth/dev-secret.js';
import { createTokenVerifier } from '../auth/tokens.js';
import { createLocalCommandBus } from '../bus/local/local-command-bus.js';
import { LocalUpdateBus } from '../bus/local/local-update-bus.js';
import type { UpdateBus } from '../bus/update-bus.js';
import { joinCluster } from '../cluster/cluster-node.js';
import type { CairnConfig } from '../config/config-schema.js';
import { Gateway } from '../gateway/gateway.js';
import { HuntReplicas } from '../gateway/hunt-replicas.js';
import { createLoopDelayMonitor } from '../gateway/loop-delay-monitor.js';
import { OverloadGuard } from '../gateway/overload-guard.js';
import { TokenBuckets } from '../gateway/token-bucket.js';
import { createJournalPersistenceEngine } from '../journal/journal-persistence-engine.js';
import type { Logger } from '../observability/logger.js';
import { createMetrics, type MetricSources } from '../observability/metrics.js';
import { shardOf } from '../cluster/shard-of.js';
import { watchDrain } from './drain-watch.js';
import { createEmbeddedShardControl } from './embedded-shard-control.js';
import { createHttpServer } from './http-server.js';
import { openJournal } from './open-journal.js';
import { readinessOf } from './readiness.js';

export interface RunningServer {
  /** e.g. ws://127.0.0.1:7420/ws */
  readonly wsUrl: string;
  readonly httpUrl: string;
  readonly port: number;
  /** Where the journal lives: the SQLite file, or the Cassandra cluster and keyspace. */
  readonly journalPath: string;
  /** Graceful stop: refuse new sockets, finish requests in flight, close sockets with 1012, store everything, release the files. */
  stop(): Promise<void>;
}

/** Hunt events an operator wants in the log as they happen. */
const LIFECYCLE: ReadonlySet<HuntEvent['type']> = new Set(['hunt-spawned', 'hunt-started', 'hunt-paused', 'hunt-resumed', 'hunt-ended']);

/**
 * The composition root of a Cairn process: the only place that picks adapters. The journal is
 * SQLite or Cassandra (see openJournal); the buses are in-process, or Kafka when the process is a
 * node of a cluster (CAIRN_KAFKA_BROKERS set).
 */
export async function startCairnServer(config: CairnConfig, logger: Logger): Promise<RunningServer> {
  const sources: MetricSources = { activeActors: () => 0, entitiesByShard: () => new Map(), overloaded: () => false, requestsInFlight: () => 0 };
  const metrics = createMetrics(sources, { cluster: config.kafkaBrokers !== undefined });
  const { journal, where: journalPath, health: journalHealth } = await openJournal(config, metrics, logger);
  const cluster = config.kafkaBrokers ? await joinCluster(config, metrics, logger) : undefined;
  const updates: UpdateBus = cluster?.updates ?? new LocalUpdateBus((error) => logger.error({ err: error }, 'update listener failed'));
  const host = new ShardHost({
    persistence: createJournalPersistenceEngine(journal, {
      onSnapshotError: (entityId, error) => logger.warn({ err: error, entityId }, 'snapshot failed'),
    }),
    ledger: journal,
    behaviours: [huntBehaviour, playerBehaviour],
    idleAfterMs: config.idleAfterMs,
    idleAfterMsByKind: { [playerBehaviour.kind]: config.playerIdleAfterMs },
    maxConcurrentActivations: config.maxConcurrentActivations,
    snapshotEvery: config.snapshotEvery,
    commandTimeoutMs: config.commandTimeoutMs,
    ...(cluster
      ? {
          // Another entity may live on another node: side effects travel the bus like any command.
          tell: (kind: string, entityId: string, command: unknown) =>
            void cluster.commands.tell(kind, entityId, command).catch((error: unknown) => logger.warn({ err: error, kind, entityId }, 'could not send a side effect')),
          isLocal: (_kind: string, entityId: string) => cluster.ownership.owns(entityId),
        }
      : {}),
    listener: {
      stored: (kind, entityId, event) => {
        if (kind !== huntBehaviour.kind) return;
        const huntEvent = event as HuntEvent;
        updates.publish(entityId, huntEvent);
        // A hunt's life, whoever moved it: a designer, or its own clock (issuer "clock").
        if (LIFECYCLE.has(huntEvent.type)) logger.info({ hunt: entityId, event: huntEvent.type, by: huntEvent.issuer, update: huntEvent.update }, 'hunt lifecycle');
      },
      activated: (kind, _entityId, durationMs) => {
        metrics.activations.inc({ kind });
        metrics.activationSeconds.observe(durationMs / 1000);
      },
      crashed: (kind, entityId, error) => logger.error({ err: error, kind, entityId }, 'entity actor stopped after an error'),
    },
  });
  sources.activeActors = () => host.activeEntities;
  if (cluster) {
    sources.entitiesByShard = () => {
      const counts = new Map<number, number>();
      for (const id of host.activeEntityIds()) {
        const shard = shardOf(id, config.partitions);
        counts.set(shard, (counts.get(shard) ?? 0) + 1);
      }
      return counts;
    };
  }
  const commands = cluster?.commands ?? createLocalCommandBus(host);
  const replicas = new HuntReplicas(journal, updates, async (huntId) => {
    // Waking the hunt on its owner (re)arms its timers there.
    try {
      return (await commands.query(huntBehaviour.kind, huntId, 'updateSeq')) as number;
    } catch (error) {
      logger.debug({ err: error, huntId }, 'nudge failed');
      return undefined;
    }
  }, Date.now, (frames) => metrics.framesOut.inc({ type: 'update' }, frames));
  const loopDelay = createLoopDelayMonitor();
  const overload = new OverloadGuard({
    maxLoopDelayMs: config.overloadMaxLoopDelayMs,
    maxInFlight: config.overloadMaxInFlight,
    windowMs: config.overloadWindowMs,
    loopDelay,
    now: Date.now,
    onChange: (saturated, reading) =>
      saturated
        ? logger.warn(reading, 'overloaded: refusing new commands (overloaded) and connections (1013)')
        : logger.info(reading, 'no longer overloaded: taking commands and connections again'),
  });
  sources.overloaded = () => overload.saturated;
  sources.requestsInFlight = () => overload.inFlight;
  const gateway: Gateway = new Gateway({
    ctx: {
      commands,
      shards: cluster?.shardControl ?? createEmbeddedShardControl({ connections: (): number => gateway.connections, entities: () => host.activeEntities }),
      replicas,
      journal,
      guesses: new TokenBuckets(config.guessesPerSecond, config.guessBurst),
      overload,
      metrics,
      logger,
      limits: {
        maxSendBufferBytes: config.maxSendBufferBytes,
        maxResumeUpdates: config.maxResumeUpdates,
        heartbeatMs: config.heartbeatMs,
      },
      now: Date.now,
    },
    verifyToken: createTokenVerifier(config.tokenSecret ?? DEV_TOKEN_SECRET),
    maxFrameBytes: config.maxFrameBytes,
    huntsOf: async (playerId) => (await commands.query(playerBehaviour.kind, playerId, 'memberships')) as WelcomeMessage['hunts'],
  });
  // Ready = listening, neither stopping, nor drained by the operator plan, nor broken, and a journal that stores.
  const health = { listening: false, stopping: false, drained: false, fatal: false };
  const readiness = () => readinessOf({ ...health, journalProblem: journalHealth.problem, busProblem: cluster?.busProblem() });
  await cluster?.serve(
    host,
    (error) => {
      // The node cannot take commands any more: say so, so that load balancers move players away.
      health.fatal = true;
      logger.fatal({ err: error }, 'the shard consumer stopped for good: this node no longer serves; restart it');
    },
    { connections: () => gateway.connections, watchers: () => replicas.watchers() },
  );
  const stopDrainWatch = cluster
    ? watchDrain({
        nodeId: cluster.nodeId,
        plan: () => cluster.state.plan,
        ownedShards: () => cluster.ownership.shards.length,
        stopServing: () => {
          logger.info('drained by the operator plan: taking no new connections, waiting for the shards to move');
          health.drained = true;
          gateway.stopAccepting();
        },
        sendPlayersAway: async () => {
          logger.info('drained: every shard has moved; sending the players to other nodes (1012)');
          // Operators stay: their tools watch the drain finish from here.
          await gateway.closeSessions(CloseCode.serviceRestart, 'node drained: reconnect and resume', config.shutdownGraceMs, (role) => role === 'operator');
        },
        serveAgain: () => {
          logger.info('undrained by the operator plan: serving again');
          health.drained = false;
          if (!health.stopping) gateway.resumeAccepting();
        },
      })
    : () => undefined;

  const http = createHttpServer({
    gateway,
    registry: metrics.registry,
    readiness,
    cluster: () =>
      cluster
        ? { mode: 'cluster', nodeId: cluster.nodeId, partitions: config.partitions, owned: cluster.ownership.shards }
        : { mode: 'embedded', partitions: 1, owned: [0] },
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  health.listening = true;
  // Measured from here: start-up stalls the loop by itself and says nothing about load.
  loopDelay.start();
  const port = (http.address() as AddressInfo).port;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;

  return {
    wsUrl: `ws://${shown}:${port}/ws`,
    httpUrl: `http://${shown}:${port}`,
    port,
    journalPath,
    async stop() {
      health.stopping = true;
      stopDrainWatch();
      // Shards first: their commands finish and move to other nodes while this node's sockets can
      // still hear the answers; then the sockets go, and their players resume elsewhere.
      await cluster?.handOver(config.shutdownGraceMs);
      await gateway.closeAll(CloseCode.serviceRestart, 'server restarting: reconnect and resume', config.shutdownGraceMs);
      replicas.closeAll();
      await cluster?.close();
      await host.stop();
      await journalHealth.stop();
      await journal.close();
      loopDelay.stop();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
