import cassandra from 'cassandra-driver';

const { consistencies } = cassandra.types;

/**
 * The driver's default waits 1 s, 2 s, 4 s ... up to 10 minutes between attempts to reach a node
 * it saw go down, and sends nothing to that node meanwhile: after a long outage the journal
 * would stay failing for minutes after Cassandra was back. At most 5 s instead.
 */
const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 5000;

/**
 * The driver client the journal talks through: prepared statements, LOCAL_QUORUM for reads and
 * commits, LOCAL_SERIAL for Paxos, `requestTimeoutMs` (ms) for connecting and for each request.
 */
export function createJournalClient(options: {
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
  readonly requestTimeoutMs: number;
}): cassandra.Client {
  return new cassandra.Client({
    contactPoints: [...options.contactPoints],
    localDataCenter: options.localDataCenter,
    queryOptions: {
      prepare: true,
      consistency: consistencies.localQuorum,
      serialConsistency: consistencies.localSerial,
    },
    socketOptions: { readTimeout: options.requestTimeoutMs, connectTimeout: options.requestTimeoutMs },
    policies: { reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(RECONNECT_BASE_MS, RECONNECT_MAX_MS, false) },
  });
}
