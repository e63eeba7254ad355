import path from 'node:path';
import type { CairnConfig } from '../config/config-schema.js';
import { withCircuitBreaker } from '../journal/circuit-breaking-journal.js';
import { createCassandraJournal } from '../journal/cassandra/cassandra-journal.js';
import { parseReplication } from '../journal/cassandra/cassandra-schema.js';
import type { Journal } from '../journal/journal.js';
import { watchJournalHealth, type JournalHealth } from '../journal/journal-health.js';
import type { JournalProbe } from '../journal/journal-probe.js';
import { createSqliteJournal } from '../journal/sqlite/sqlite-journal.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

const BREAKER_LEVEL = { closed: 0, 'half-open': 1, open: 2 } as const;

export interface OpenedJournal {
  /** Behind a circuit breaker: fails at once while the storage is failing. */
  readonly journal: Journal;
  /** Where it lives: the SQLite file, or the Cassandra cluster and keyspace. */
  readonly where: string;
  /** Probed every journalProbeMs; stop it before closing the journal. */
  readonly health: JournalHealth;
}

/**
 * The journal the configuration asks for, behind a circuit breaker and watched by probes:
 * Cassandra when contact points are set, otherwise the SQLite file in the data directory. Nothing
 * else in the server knows which.
 */
export async function openJournal(config: CairnConfig, metrics: Metrics, logger: Logger): Promise<OpenedJournal> {
  let journal: Journal & JournalProbe;
  let where: string;
  if (config.cassandraContactPoints) {
    journal = await createCassandraJournal({
      contactPoints: config.cassandraContactPoints,
      localDataCenter: config.cassandraLocalDataCenter,
      keyspace: config.cassandraKeyspace,
      replication: parseReplication(config.cassandraReplication),
      createSchema: config.cassandraSchema === 'create',
    });
    where = `cassandra ${config.cassandraContactPoints.join(',')}/${config.cassandraKeyspace}`;
  } else {
    where = path.resolve(config.dataDir, 'cairn.db');
    journal = createSqliteJournal({
      path: where,
      synchronous: config.sqliteSynchronous,
      onCommit: ({ appends, durationMs }) => {
        metrics.journalCommitSeconds.observe(durationMs / 1000);
        metrics.journalBatchSize.observe(appends);
      },
    });
  }
  metrics.journalBreakerState.set(BREAKER_LEVEL.closed);
  const guarded = withCircuitBreaker(journal, {
    consecutiveFailures: config.breakerFailures,
    halfOpenAfterMs: config.breakerHalfOpenMs,
    onStateChange: (state) => {
      metrics.journalBreakerState.set(BREAKER_LEVEL[state]);
      logger.warn({ breaker: state, lastFailure: guarded.lastFailure }, `journal circuit breaker ${state}`);
    },
  });
  const health = watchJournalHealth(guarded, {
    everyMs: config.journalProbeMs,
    onProbeChange: (answering, problem) =>
      answering ? logger.info('journal probe: the storage answers again') : logger.warn({ problem }, 'journal probe failed: not ready'),
  });
  return { journal: guarded, where, health };
}
