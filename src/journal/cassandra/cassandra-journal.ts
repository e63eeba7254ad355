import { randomUUID } from 'node:crypto';
import cassandra from 'cassandra-driver';
import { JournalClosedError, JournalUnavailableError, SequenceConflictError } from '../../errors.js';
import { encodeEvent, encodeSnapshot, requireCommandKeys, requireEntityId, requireLimit, requireRefusals, requireSeqNr, type EncodedEvent } from '../journal-arguments.js';
import type { CommandKey, CommandRecord, Journal, NewEvent, Refusal, Snapshot, SnapshotToSave, StoredEvent } from '../journal.js';
import { PROBE_ENTITY_ID, type JournalProbe } from '../journal-probe.js';
import { lastSeqNrOf, partitionOf, statements, type Replication } from './cassandra-schema.js';
import { CassandraCommandLedger } from './command-ledger.js';
import { ensureJournalSchema } from './ensure-journal-schema.js';
import { createJournalClient } from './journal-client.js';

export interface CassandraJournalOptions {
  /** `host:port` of one or more nodes. */
  readonly contactPoints: readonly string[];
  /** The data centre this process is in (the driver routes to it). Default `datacenter1`. */
  readonly localDataCenter?: string;
  readonly keyspace?: string;
  /** Used only when the keyspace is created. Default SimpleStrategy, 1 replica (development). */
  readonly replication?: Replication;
  /**
   * Create the keyspace and tables when they are missing: at start, and whenever a probe finds
   * them gone (a dropped keyspace is recreated, empty). Default true. False: an operator manages
   * the schema; start fails and probes fail (JournalUnavailableError) while any of it is missing.
   */
  readonly createSchema?: boolean;
  /** Per-request timeout, ms, before the driver gives up on a node. Default 5000. */
  readonly requestTimeoutMs?: number;
}

/**
 * The Journal on Apache Cassandra, for a cluster of Cairn nodes.
 *
 * - **Single writer**: an append is ONE conditional batch (`INSERT ... IF NOT EXISTS` for each
 *   event) on the entity's partition: Paxos makes it all-or-nothing and lets exactly one of two
 *   racing writers claim a sequence number. (An append that crosses a partition boundary is
 *   written as one batch per partition, in order; Cairn's actors append one event at a time.)
 * - **Consistency**: conditional writes use SERIAL/LOCAL_SERIAL for Paxos and LOCAL_QUORUM for
 *   the commit; reads use LOCAL_QUORUM, so they see every append that was acknowledged.
 * - **Group commit per entity**: appends to one entity run one after another (a later sequence
 *   number must not land while an earlier one may still fail); those that queue up meanwhile and
 *   follow on from each other are written together as one conditional batch, one Paxos round for
 *   all. Across entities there is nothing to merge: a conditional batch cannot span partitions,
 *   and different entities' appends already run in parallel over the driver's connection pool.
 * - **Command ledger** (command-ledger.ts): a TTL'd table keyed by (entity, issuer, command id).
 *   An append writes the index rows of its events' commands BEFORE its conditional batch (which
 *   cannot span tables), so a crash between the two never loses an event's index; the index may
 *   instead name a number that a rival writer took, and callers check the event they get.
 */
export class CassandraJournal implements Journal, JournalProbe {
  readonly #client: cassandra.Client;
  readonly #cql: ReturnType<typeof statements>;
  readonly #ledger: CassandraCommandLedger;
  readonly #keyspace: string;
  readonly #replication: Replication;
  readonly #createSchema: boolean;
  /** The probe's own entity (a partition of its own for its Paxos round: nodes probing one would contend). */
  readonly probeEntityId = `${PROBE_ENTITY_ID}-${randomUUID()}`;
  readonly #queued = new Map<string, QueuedAppend[]>();
  readonly #writing = new Set<string>();
  readonly #idle = new Set<() => void>();
  #closed = false;
  /**
   * Set once a probe had to recreate lost tables: entities still live in this process may hold
   * state whose events are gone, and an append right after their last number would otherwise
   * succeed on the empty table and leave a history with no beginning, which no replay can fold.
   * From then on an entity's first append checks that its last event is there (see #write).
   */
  #lostTables = false;
  /** Entities whose history was found intact (or begun afresh) since the tables were recreated. */
  readonly #intactSinceLoss = new Set<string>();

  constructor(options: CassandraJournalOptions) {
    this.#keyspace = options.keyspace ?? 'cairn';
    this.#replication = options.replication ?? { class: 'SimpleStrategy', replicationFactor: 1 };
    this.#createSchema = options.createSchema ?? true;
    this.#cql = statements(this.#keyspace);
    this.#client = createJournalClient({
      contactPoints: options.contactPoints,
      localDataCenter: options.localDataCenter ?? 'datacenter1',
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    });
    this.#ledger = new CassandraCommandLedger({
      client: this.#client,
      cql: this.#cql,
      driver: (what, call) => this.#driver(what, call),
      readEvent: async (entityId, seqNr) => (await this.readEvents(entityId, seqNr - 1, 1)).find((event) => event.seqNr === seqNr),
    });
  }

  /**
   * Connects, and creates the keyspace and tables when missing (with createSchema; without it,
   * fails when they are missing). Call once before use.
   */
  async start(): Promise<void> {
    await this.#driver('connect', async () => {
      await this.#client.connect();
      await this.#ensureSchema();
    });
  }

  /**
   * Checks (and with createSchema recreates) the keyspace and tables, then takes the two paths
   * entities take: a read like readEvents (LOCAL_QUORUM) and a conditional write like append
   * (Paxos at LOCAL_SERIAL), whose condition never holds, so nothing is written. Both are prepared
   * statements: the driver re-prepares one that a restarted node or a recreated table no longer
   * knows (the node answers UNPREPARED) and never caches a PREPARE that failed, so a success here
   * means entities' calls work again.
   *
   * A probe that had to recreate tables fails all the same: the journal lost what they held, and
   * Cassandra needs a moment after DDL (requests right after it were seen to fail with "Unknown
   * CF" or Paxos timeouts); the next probe says whether the new tables serve.
   */
  async probe(): Promise<void> {
    this.#open();
    await this.#driver('probe', async () => {
      const recreated = await this.#ensureSchema();
      if (recreated.length > 0) {
        this.#lostTables = true;
        this.#intactSinceLoss.clear();
        throw new Error(`${this.#keyspace} had lost ${recreated.join(', ')}: recreated empty, the next probe checks them`);
      }
      await this.#client.execute(this.#cql.readEvents, [this.probeEntityId, 0, 0, 1]);
      await this.#client.execute(this.#cql.probeConditional, [this.probeEntityId]);
    });
  }

  #ensureSchema(): Promise<readonly string[]> {
    return ensureJournalSchema(this.#client, { keyspace: this.#keyspace, replication: this.#replication, create: this.#createSchema });
  }

  async append(entityId: string, expectedSeqNr: number, events: readonly NewEvent[]): Promise<void> {
    this.#open();
    requireEntityId(entityId);
    requireSeqNr(expectedSeqNr, 'expectedSeqNr');
    if (!Array.isArray(events) || events.length === 0) {
      throw new TypeError('events must be a non-empty array: an empty append has no sequence numbers to claim');
    }
    const encoded = events.map((event, index) => encodeEvent(event, index, expectedSeqNr + index + 1));
    return new Promise<void>((resolve, reject) => {
      const queue = this.#queued.get(entityId) ?? [];
      queue.push({ expectedSeqNr, events: encoded, resolve, reject });
      this.#queued.set(entityId, queue);
      void this.#writeQueued(entityId);
    });
  }

  /**
   * Writes what is queued for one entity: the run of appends at its head that follow on from
   * each other, as one conditional write. On a failure every append queued so far fails too
   * (storing them would leave a gap); appends made after it start afresh.
   */
  async #writeQueued(entityId: string): Promise<void> {
    const queue = this.#queued.get(entityId);
    if (this.#writing.has(entityId) || !queue || queue.length === 0) return;
    this.#writing.add(entityId);
    const run = takeRun(queue);
    if (queue.length === 0) this.#queued.delete(entityId);
    try {
      await this.#write(entityId, run[0]!.expectedSeqNr, run.flatMap((a) => a.events));
      for (const append of run) append.resolve();
    } catch (error) {
      const behind = this.#queued.get(entityId)?.splice(0) ?? [];
      this.#queued.delete(entityId);
      for (const append of [...run, ...behind]) append.reject(error);
    } finally {
      this.#writing.delete(entityId);
      if (this.#queued.has(entityId)) void this.#writeQueued(entityId);
      else if (this.#writing.size === 0 && this.#queued.size === 0) for (const wake of this.#idle) wake();
    }
  }

  async #write(entityId: string, expectedSeqNr: number, events: readonly EncodedEvent[]): Promise<void> {
    if (this.#lostTables && !this.#intactSinceLoss.has(entityId)) {
      // A writer whose last event is gone conflicts with the journal as it now is: it reloads.
      if (expectedSeqNr > 0 && (await this.readEvents(entityId, expectedSeqNr - 1, 1)).length === 0) {
        throw new SequenceConflictError(entityId, expectedSeqNr);
      }
      this.#intactSinceLoss.add(entityId);
    }
    const storedAt = new Date();
    await this.#ledger.indexEvents(entityId, expectedSeqNr + 1, events, storedAt);
    const byPartition = new Map<number, { query: string; params: unknown[] }[]>();
    events.forEach((event, index) => {
      const seqNr = expectedSeqNr + index + 1;
      const partition = partitionOf(seqNr);
      const params = [entityId, partition, seqNr, event.updateSeq, event.type, event.payload, storedAt];
      byPartition.set(partition, [...(byPartition.get(partition) ?? []), { query: this.#cql.insertEvent, params }]);
    });
    for (const batch of byPartition.values()) {
      const result = await this.#driver('append', () =>
        batch.length === 1
          ? this.#client.execute(batch[0]!.query, batch[0]!.params)
          : this.#client.batch(batch, { prepare: true }),
      );
      if (!result.wasApplied()) throw new SequenceConflictError(entityId, expectedSeqNr);
    }
  }

  async readEvents(entityId: string, afterSeqNr: number, limit: number): Promise<readonly StoredEvent[]> {
    this.#open();
    requireEntityId(entityId);
    requireSeqNr(afterSeqNr, 'afterSeqNr');
    requireLimit(limit);
    const out: StoredEvent[] = [];
    let after = afterSeqNr;
    let partition = partitionOf(after + 1);
    while (out.length < limit) {
      const wanted = limit - out.length;
      const result = await this.#driver('read', () => this.#client.execute(this.#cql.readEvents, [entityId, partition, after, wanted]));
      for (const row of result.rows) out.push(toStoredEvent(entityId, row));
      after = out.at(-1)?.seqNr ?? after;
      // Sequence numbers have no gaps: a partition read short before its last number is the end.
      if (result.rows.length < wanted && after < lastSeqNrOf(partition)) break;
      if (result.rows.length < wanted) partition += 1;
    }
    return out;
  }

  async readUpdates(entityId: string, afterUpdateSeq: number, limit: number): Promise<readonly StoredEvent[]> {
    this.#open();
    requireSeqNr(afterUpdateSeq, 'afterUpdateSeq');
    requireLimit(limit);
    // An update number never exceeds its sequence number, so nothing after update n comes
    // before sequence number n: scan from there and keep the updates.
    const out: StoredEvent[] = [];
    let after = afterUpdateSeq;
    for (;;) {
      const page = await this.readEvents(entityId, after, Math.max(limit, 100));
      for (const event of page) {
        if (event.updateSeq !== null && event.updateSeq > afterUpdateSeq) out.push(event);
        if (out.length === limit) return out;
      }
      if (page.length < Math.max(limit, 100)) return out;
      after = page.at(-1)!.seqNr;
    }
  }

  async saveSnapshot(snapshot: SnapshotToSave): Promise<void> {
    this.#open();
    const state = encodeSnapshot(snapshot);
    await this.#driver('snapshot', () =>
      this.#client.execute(this.#cql.saveSnapshot, [snapshot.entityId, snapshot.seqNr, state, new Date(snapshot.takenAt)]),
    );
    // Older snapshots are never read again (the newest sorts first); dropping them keeps the partition small.
    await this.#driver('snapshot', () => this.#client.execute(this.#cql.pruneSnapshots, [snapshot.entityId, snapshot.seqNr]));
  }

  async loadSnapshot(entityId: string): Promise<Snapshot | undefined> {
    this.#open();
    requireEntityId(entityId);
    const result = await this.#driver('snapshot', () => this.#client.execute(this.#cql.loadSnapshot, [entityId]));
    const row = result.first();
    if (!row) return undefined;
    return { entityId, seqNr: toNumber(row.seq_nr), state: JSON.parse(row.state as string), takenAt: (row.taken_at as Date).getTime() };
  }

  async recordRefusals(entityId: string, refusals: readonly Refusal[]): Promise<void> {
    this.#open();
    requireEntityId(entityId);
    requireRefusals(refusals);
    if (refusals.length > 0) await this.#ledger.recordRefusals(entityId, refusals, new Date());
  }

  async findCommands(entityId: string, keys: readonly CommandKey[]): Promise<ReadonlyMap<string, CommandRecord>> {
    this.#open();
    requireEntityId(entityId);
    requireCommandKeys(keys);
    return this.#ledger.find(entityId, keys);
  }

  async close(): Promise<void> {
    this.#open();
    this.#closed = true;
    if (this.#writing.size > 0 || this.#queued.size > 0) {
      await new Promise<void>((resolve) => this.#idle.add(resolve));
    }
    await this.#client.shutdown();
  }

  #open(): void {
    if (this.#closed) throw new JournalClosedError();
  }

  /** Runs a driver call; any failure of the driver or the cluster becomes a retriable JournalUnavailableError. */
  async #driver<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (cause) {
      throw new JournalUnavailableError(`cassandra ${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
    }
  }
}

interface QueuedAppend {
  readonly expectedSeqNr: number;
  readonly events: readonly EncodedEvent[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Most events in one conditional batch: Cassandra warns about (and may refuse) large batches. */
const MAX_RUN_EVENTS = 64;

/** Removes and returns the appends at the head of `queue` that follow on from each other. */
function takeRun(queue: QueuedAppend[]): QueuedAppend[] {
  const run = [queue.shift()!];
  let next = run[0]!.expectedSeqNr + run[0]!.events.length;
  let events = run[0]!.events.length;
  while (queue.length > 0 && queue[0]!.expectedSeqNr === next && events + queue[0]!.events.length <= MAX_RUN_EVENTS) {
    const append = queue.shift()!;
    run.push(append);
    next += append.events.length;
    events += append.events.length;
  }
  return run;
}

export async function createCassandraJournal(options: CassandraJournalOptions): Promise<CassandraJournal> {
  const journal = new CassandraJournal(options);
  await journal.start();
  return journal;
}

function toStoredEvent(entityId: string, row: cassandra.types.Row): StoredEvent {
  return {
    entityId,
    seqNr: toNumber(row.seq_nr),
    updateSeq: row.update_seq === null ? null : toNumber(row.update_seq),
    type: row.type as string,
    payload: JSON.parse(row.payload as string),
    storedAt: (row.stored_at as Date).getTime(),
  };
}

/** bigint columns come back as the driver's Long. */
const toNumber = (value: unknown): number => (typeof value === 'number' ? value : (value as cassandra.types.Long).toNumber());
