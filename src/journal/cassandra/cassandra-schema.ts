/**
 * The Cassandra journal's tables. Events are partitioned per entity AND per block of
 * PARTITION_SIZE sequence numbers, so a long-lived hunt does not grow one Cassandra partition
 * without bound; the block of a sequence number is a pure function of it, which is what lets the
 * conditional insert of a sequence number find a rival writer's row.
 */

/** Events per Cassandra partition of one entity. */
export const PARTITION_SIZE = 50_000;

export const partitionOf = (seqNr: number): number => Math.floor((seqNr - 1) / PARTITION_SIZE);
export const lastSeqNrOf = (partition: number): number => (partition + 1) * PARTITION_SIZE;

/** Replication of the keyspace, as written after WITH replication = ... */
export type Replication =
  | { readonly class: 'SimpleStrategy'; readonly replicationFactor: number }
  | { readonly class: 'NetworkTopologyStrategy'; readonly dataCenters: Readonly<Record<string, number>> };

/** Parses `simple:3` or `dc1:3,dc2:2` (network topology), as configuration gives it. */
export function parseReplication(text: string): Replication {
  const simple = /^simple:(\d+)$/i.exec(text.trim());
  if (simple) return { class: 'SimpleStrategy', replicationFactor: Number(simple[1]) };
  const dataCenters: Record<string, number> = {};
  for (const part of text.split(',')) {
    const match = /^\s*([A-Za-z0-9_-]+):(\d+)\s*$/.exec(part);
    if (!match) throw new Error(`replication must look like simple:3 or dc1:3,dc2:3, got ${JSON.stringify(text)}`);
    dataCenters[match[1]!] = Number(match[2]);
  }
  return { class: 'NetworkTopologyStrategy', dataCenters };
}

function replicationCql(replication: Replication): string {
  if (replication.class === 'SimpleStrategy') {
    return `{'class': 'SimpleStrategy', 'replication_factor': ${replication.replicationFactor}}`;
  }
  const dcs = Object.entries(replication.dataCenters).map(([dc, n]) => `'${dc}': ${n}`);
  return `{'class': 'NetworkTopologyStrategy', ${dcs.join(', ')}}`;
}

/**
 * One single-partition read per table migrationStatements creates, unprepared: the node answers
 * it from the schema it runs with, so a table it does not know fails with an `invalid` error
 * even when system_schema still lists it (as after a crash that lost schema changes).
 */
export function tableChecks(keyspace: string): Readonly<Record<'events' | 'snapshots', string>> {
  return {
    events: `SELECT seq_nr FROM ${keyspace}.events WHERE entity_id = ? AND partition_nr = 0 LIMIT 1`,
    snapshots: `SELECT seq_nr FROM ${keyspace}.snapshots WHERE entity_id = ? LIMIT 1`,
  };
}

/** Keyspace names go into CQL text: keep them to Cassandra's own alphabet. */
const KEYSPACE = /^[a-z][a-z0-9_]{0,47}$/;

/** The statements that create the schema; each is idempotent, so every start runs them. */
export function migrationStatements(keyspace: string, replication: Replication): string[] {
  if (!KEYSPACE.test(keyspace)) throw new Error(`keyspace must match ${KEYSPACE}, got ${JSON.stringify(keyspace)}`);
  return [
    `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replicationCql(replication)}`,
    `CREATE TABLE IF NOT EXISTS ${keyspace}.events (
       entity_id text,
       partition_nr int,
       seq_nr bigint,
       update_seq bigint,
       type text,
       payload text,
       stored_at timestamp,
       PRIMARY KEY ((entity_id, partition_nr), seq_nr)
     ) WITH CLUSTERING ORDER BY (seq_nr ASC)`,
    `CREATE TABLE IF NOT EXISTS ${keyspace}.snapshots (
       entity_id text,
       seq_nr bigint,
       state text,
       taken_at timestamp,
       PRIMARY KEY (entity_id, seq_nr)
     ) WITH CLUSTERING ORDER BY (seq_nr DESC)`,
  ];
}

export function statements(keyspace: string) {
  return {
    insertEvent: `INSERT INTO ${keyspace}.events (entity_id, partition_nr, seq_nr, update_seq, type, payload, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
    readEvents: `SELECT seq_nr, update_seq, type, payload, stored_at FROM ${keyspace}.events WHERE entity_id = ? AND partition_nr = ? AND seq_nr > ? LIMIT ?`,
    saveSnapshot: `INSERT INTO ${keyspace}.snapshots (entity_id, seq_nr, state, taken_at) VALUES (?, ?, ?, ?)`,
    pruneSnapshots: `DELETE FROM ${keyspace}.snapshots WHERE entity_id = ? AND seq_nr < ?`,
    loadSnapshot: `SELECT seq_nr, state, taken_at FROM ${keyspace}.snapshots WHERE entity_id = ? LIMIT 1`,
    // Sequence numbers start at 1, so this condition never holds: a full Paxos round (the path
    // appends take) that writes nothing.
    probeConditional: `UPDATE ${keyspace}.events SET type = 'probe' WHERE entity_id = ? AND partition_nr = 0 AND seq_nr = 0 IF EXISTS`,
  } as const;
}
