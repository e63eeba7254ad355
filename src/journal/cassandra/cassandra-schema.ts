import { COMMAND_RETENTION_MS } from '../journal.js';

/**
 * The Cassandra journal's tables. Events are partitioned per entity AND per block of
 * PARTITION_SIZE sequence numbers, so a long-lived hunt does not grow one Cassandra partition
 * without bound; the block of a sequence number is a pure function of it, which is what lets the
 * conditional insert of a sequence number find a rival writer's row. The command ledger
 * (command_ids) is partitioned per entity and issuer, and its rows expire on their own.
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
export function tableChecks(keyspace: string): Readonly<Record<'events' | 'snapshots' | 'command_ids', string>> {
  return {
    events: `SELECT seq_nr FROM ${keyspace}.events WHERE entity_id = ? AND partition_nr = 0 LIMIT 1`,
    snapshots: `SELECT seq_nr FROM ${keyspace}.snapshots WHERE entity_id = ? LIMIT 1`,
    command_ids: `SELECT seq_nr FROM ${keyspace}.command_ids WHERE entity_id = ? AND issuer = 'probe' LIMIT 1`,
  };
}

/** Seconds a command_ids cell lives after its last write: the port's COMMAND_RETENTION_MS. */
export const COMMAND_TTL_SECONDS = Math.ceil(COMMAND_RETENTION_MS / 1000);

/**
 * gc_grace_seconds of command_ids: 3 hours, not the default 10 days. It exists to keep a DELETE's
 * tombstone until repair has spread it, so that a replica that missed the delete cannot bring the
 * row back; command_ids rows are never deleted, only expired by TTL, which every replica applies
 * on its own, so expired cells can go at the first compaction after this. 3 hours is the default
 * max_hint_window: hints for this table live no longer than gc_grace, and a shorter one would
 * drop hints for a node that was down a while.
 */
const COMMAND_GC_GRACE_SECONDS = 3 * 60 * 60;

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
    // One row per command key: seq_nr of the event that answered it and/or the refusal (JSON
    // {"commandType","code","message"}); each write sets only its own columns, so an event's
    // index and a refusal under the same key never erase each other.
    `CREATE TABLE IF NOT EXISTS ${keyspace}.command_ids (
       entity_id text,
       issuer text,
       command_id text,
       seq_nr bigint,
       refusal text,
       stored_at timestamp,
       PRIMARY KEY ((entity_id, issuer), command_id)
     ) WITH default_time_to_live = ${COMMAND_TTL_SECONDS} AND gc_grace_seconds = ${COMMAND_GC_GRACE_SECONDS}`,
  ];
}

export function statements(keyspace: string) {
  return {
    insertEvent: `INSERT INTO ${keyspace}.events (entity_id, partition_nr, seq_nr, update_seq, type, payload, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS`,
    readEvents: `SELECT seq_nr, update_seq, type, payload, stored_at FROM ${keyspace}.events WHERE entity_id = ? AND partition_nr = ? AND seq_nr > ? LIMIT ?`,
    saveSnapshot: `INSERT INTO ${keyspace}.snapshots (entity_id, seq_nr, state, taken_at) VALUES (?, ?, ?, ?)`,
    pruneSnapshots: `DELETE FROM ${keyspace}.snapshots WHERE entity_id = ? AND seq_nr < ?`,
    loadSnapshot: `SELECT seq_nr, state, taken_at FROM ${keyspace}.snapshots WHERE entity_id = ? LIMIT 1`,
    // Plain writes (no IF NOT EXISTS), each of its own columns only: see command-ledger.ts.
    indexCommand: `INSERT INTO ${keyspace}.command_ids (entity_id, issuer, command_id, seq_nr, stored_at) VALUES (?, ?, ?, ?, ?)`,
    recordRefusal: `INSERT INTO ${keyspace}.command_ids (entity_id, issuer, command_id, refusal, stored_at) VALUES (?, ?, ?, ?, ?)`,
    findCommands: `SELECT command_id, seq_nr, refusal, stored_at FROM ${keyspace}.command_ids WHERE entity_id = ? AND issuer = ? AND command_id IN ?`,
    // Sequence numbers start at 1, so this condition never holds: a full Paxos round (the path
    // appends take) that writes nothing.
    probeConditional: `UPDATE ${keyspace}.events SET type = 'probe' WHERE entity_id = ? AND partition_nr = 0 AND seq_nr = 0 IF EXISTS`,
  } as const;
}
