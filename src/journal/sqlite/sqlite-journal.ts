import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { JournalClosedError, JournalUnavailableError } from '../../errors.js';
import {
  COMMAND_RETENTION_MS,
  commandKeyString,
  type CommandKey,
  type CommandRecord,
  type Journal,
  type NewEvent,
  type Refusal,
  type Snapshot,
  type SnapshotToSave,
  type StoredEvent,
} from '../journal.js';
import { PROBE_ENTITY_ID, type JournalProbe } from '../journal-probe.js';
import {
  encodeEvent,
  encodeJson,
  encodeSnapshot,
  requireCommandKeys,
  requireEntityId,
  requireLimit,
  requireRefusals,
  requireSeqNr,
} from '../journal-arguments.js';
import { GroupCommit } from './group-commit.js';
import { SQL, ensureSchema, type CommandRow, type EventRow, type SnapshotRow } from './sqlite-schema.js';
import { inlineWriter, type CommitInfo, type SqliteWriter } from './sqlite-writer.js';
import { openSqlite, type PendingAppend } from './sqlite-writes.js';
import { threadWriter } from './thread-writer.js';

export type { CommitInfo };

export interface SqliteJournalOptions {
  /** The database file, created with its parent directories when missing; ':memory:' for tests. */
  readonly path: string;
  /**
   * 'full' (default) fsyncs the WAL on every commit: a resolved append survives power loss.
   * 'normal' skips that fsync in WAL mode: a resolved append survives a crash of the process,
   * but a power loss or OS crash may lose the last commits (the file itself stays consistent).
   */
  readonly synchronous?: 'full' | 'normal';
  /** Most appends one transaction carries; default 512. */
  readonly maxBatchSize?: number;
  /**
   * How long a commit waits for another connection's write lock before the batch fails with
   * JournalUnavailableError; default 5000. The wait blocks the event loop, so keep it short.
   */
  readonly busyTimeoutMs?: number;
  /** Called after each group commit, e.g. for metrics. It must not throw. */
  readonly onCommit?: (info: CommitInfo) => void;
}

const DEFAULT_MAX_BATCH_SIZE = 512;
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** How often command keys past their retention are pruned, and how many go per transaction. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const PRUNE_CHUNK = 5000;

export function createSqliteJournal(options: SqliteJournalOptions): SqliteJournal {
  return new SqliteJournal(options);
}

/**
 * The Journal on one SQLite file, for a single process. Reads run on the caller's connection;
 * writes run on a thread of their own with a second connection (see thread-writer.ts), so that a
 * commit's fsync never stalls the event loop. WAL lets the two work side by side, and a read
 * started after an append resolved sees it. An in-memory database, which one connection alone
 * can see, writes inline instead.
 */
export class SqliteJournal implements Journal, JournalProbe {
  readonly #db: Database.Database;
  readonly #writer: SqliteWriter;
  readonly #onCommit: ((info: CommitInfo) => void) | undefined;
  readonly #groupCommit: GroupCommit<PendingAppend>;
  readonly #readEvents: Database.Statement<[string, number, number], EventRow>;
  readonly #readUpdates: Database.Statement<[string, number, number], EventRow>;
  readonly #loadSnapshot: Database.Statement<[string], SnapshotRow>;
  readonly #findCommand: Database.Statement<[string, string, string], CommandRow>;
  readonly #pruner: NodeJS.Timeout;
  #pruning: Promise<number> | undefined;
  #closed = false;

  constructor(options: SqliteJournalOptions) {
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const synchronous = options.synchronous ?? 'full';
    if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
      throw new TypeError(`busyTimeoutMs must be a non-negative integer, got ${String(busyTimeoutMs)}`);
    }
    this.#onCommit = options.onCommit;
    this.#groupCommit = new GroupCommit<PendingAppend>({
      maxBatchSize,
      commit: (appends) => this.#commit(appends),
      batchFailed: (cause) => new JournalUnavailableError(`journal commit failed: ${describe(cause)}`, cause),
    });

    const inMemory = options.path === ':memory:' || options.path === '';
    if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
    this.#db = openSqlite(options.path, { synchronous, busyTimeoutMs });
    try {
      ensureSchema(this.#db);
      this.#readEvents = this.#db.prepare(SQL.readEvents);
      this.#readUpdates = this.#db.prepare(SQL.readUpdates);
      this.#loadSnapshot = this.#db.prepare(SQL.loadSnapshot);
      this.#findCommand = this.#db.prepare(SQL.findCommand);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#writer = inMemory
      ? inlineWriter(this.#db)
      : threadWriter({ file: path.resolve(options.path), synchronous, busyTimeoutMs, maxBatchSize });
    // A failed prune costs only disk space until the next one.
    const prune = () => void this.pruneExpiredCommands().catch(() => undefined);
    this.#pruner = setInterval(prune, PRUNE_EVERY_MS);
    this.#pruner.unref();
  }

  async append(entityId: string, expectedSeqNr: number, events: readonly NewEvent[]): Promise<void> {
    this.#ensureOpen();
    requireEntityId(entityId);
    requireSeqNr(expectedSeqNr, 'expectedSeqNr');
    if (!Array.isArray(events) || events.length === 0) {
      throw new TypeError('events must be a non-empty array: an empty append has no sequence numbers to claim');
    }
    // Encoding before queueing makes a bad payload fail its own append, not the batch.
    const encoded = events.map((event, index) => encodeEvent(event, index, expectedSeqNr + index + 1));
    return this.#groupCommit.submit({ entityId, expectedSeqNr, events: encoded });
  }

  async recordRefusals(entityId: string, refusals: readonly Refusal[]): Promise<void> {
    this.#ensureOpen();
    requireEntityId(entityId);
    requireRefusals(refusals);
    if (refusals.length === 0) return;
    const rows = refusals.map(({ issuer, commandId, commandType, code, message }) => ({
      issuer,
      commandId,
      refusal: encodeJson({ commandType, code, message }, 'refusal'),
    }));
    // Through the group commit: the refusals of a batch share the transaction of its events.
    return this.#groupCommit.submit({ entityId, expectedSeqNr: 0, events: [], refusals: rows });
  }

  async findCommands(entityId: string, keys: readonly CommandKey[]): Promise<ReadonlyMap<string, CommandRecord>> {
    this.#ensureOpen();
    requireEntityId(entityId);
    requireCommandKeys(keys);
    return this.#driver(() => {
      const found = new Map<string, CommandRecord>();
      for (const key of keys) {
        const row = this.#findCommand.get(entityId, key.issuer, key.commandId);
        const record = row && toCommandRecord(entityId, key, row);
        if (record) found.set(commandKeyString(key), record);
      }
      return found;
    });
  }

  /**
   * Deletes the command keys stored more than COMMAND_RETENTION_MS before `now`, a chunk per
   * transaction so that commits wait for no more than one chunk. Runs hourly on its own; resolves
   * with how many keys went.
   */
  async pruneExpiredCommands(now = Date.now()): Promise<number> {
    this.#ensureOpen();
    this.#pruning ??= (async () => {
      let total = 0;
      for (;;) {
        const pruned = await this.#writerDriver(() => this.#writer.pruneCommands(now - COMMAND_RETENTION_MS, PRUNE_CHUNK));
        total += pruned;
        if (pruned < PRUNE_CHUNK || this.#closed) return total;
      }
    })().finally(() => {
      this.#pruning = undefined;
    });
    return this.#pruning;
  }

  async readEvents(entityId: string, afterSeqNr: number, limit: number): Promise<readonly StoredEvent[]> {
    this.#ensureOpen();
    requireEntityId(entityId);
    requireSeqNr(afterSeqNr, 'afterSeqNr');
    requireLimit(limit);
    return this.#driver(() => this.#readEvents.all(entityId, afterSeqNr, limit).map(toStoredEvent));
  }

  async readUpdates(entityId: string, afterUpdateSeq: number, limit: number): Promise<readonly StoredEvent[]> {
    this.#ensureOpen();
    requireEntityId(entityId);
    requireSeqNr(afterUpdateSeq, 'afterUpdateSeq');
    requireLimit(limit);
    return this.#driver(() => this.#readUpdates.all(entityId, afterUpdateSeq, limit).map(toStoredEvent));
  }

  async saveSnapshot(snapshot: SnapshotToSave): Promise<void> {
    this.#ensureOpen();
    const state = encodeSnapshot(snapshot);
    // Snapshots are rare and may be lost without harm (events rebuild them), so they skip the
    // group commit and take their own small transaction.
    await this.#writerDriver(() => this.#writer.saveSnapshot({ entityId: snapshot.entityId, seqNr: snapshot.seqNr, state, takenAt: snapshot.takenAt }));
  }

  async loadSnapshot(entityId: string): Promise<Snapshot | undefined> {
    this.#ensureOpen();
    requireEntityId(entityId);
    const row = this.#driver(() => this.#loadSnapshot.get(entityId));
    if (row === undefined) return undefined;
    return { entityId: row.entity_id, seqNr: row.seq_nr, state: JSON.parse(row.state), takenAt: row.taken_at };
  }

  /**
   * Takes both paths entities take: a read of the events table on this connection, and an empty
   * write transaction on the writer (its thread alive, the write lock obtainable), so that a
   * failing writer keeps the probe failing instead of letting it close the breaker that its
   * appends opened. The schema is created at open, never repaired.
   */
  async probe(): Promise<void> {
    this.#ensureOpen();
    this.#driver(() => this.#readEvents.all(PROBE_ENTITY_ID, 0, 1));
    await this.#writerDriver(() => this.#writer.commit([], Date.now()));
  }

  /** Commits the appends already queued (their promises settle), then closes the file. */
  async close(): Promise<void> {
    this.#ensureOpen();
    this.#closed = true;
    clearInterval(this.#pruner);
    await this.#pruning?.catch(() => undefined);
    await this.#groupCommit.drain();
    await this.#writer.close();
    this.#db.close();
  }

  async #commit(appends: readonly PendingAppend[]): Promise<readonly (Error | undefined)[]> {
    const { outcomes, info } = await this.#writer.commit(appends, Date.now());
    if (info !== undefined && this.#onCommit !== undefined) {
      try {
        this.#onCommit(info);
      } catch (error) {
        // The appends are durable already; a broken metrics hook must not turn them into failures.
        process.emitWarning(`SqliteJournal onCommit threw: ${describe(error)}`);
      }
    }
    return outcomes;
  }

  #ensureOpen(): void {
    if (this.#closed) throw new JournalClosedError();
  }

  /** Runs a statement; a driver failure becomes the port's retriable error. */
  #driver<R>(run: () => R): R {
    try {
      return run();
    } catch (cause) {
      throw storageFailed(cause);
    }
  }

  /** The same for a request to the writer (its thread or inline). */
  async #writerDriver<R>(run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (cause) {
      throw storageFailed(cause);
    }
  }
}

function storageFailed(cause: unknown): JournalUnavailableError {
  return new JournalUnavailableError(`journal storage failed: ${describe(cause)}`, cause);
}

/** A ledger row as the port gives it: the event its key names, else its refusal. */
function toCommandRecord(entityId: string, key: CommandKey, row: CommandRow): CommandRecord | undefined {
  if (row.seq_nr !== null && row.payload !== null) {
    const event = toStoredEvent({ entity_id: entityId, seq_nr: row.seq_nr, update_seq: row.update_seq, type: row.type!, payload: row.payload, stored_at: row.stored_at! });
    return { kind: 'event', event };
  }
  if (row.refusal === null) return undefined;
  const { commandType, code, message } = JSON.parse(row.refusal) as Pick<Refusal, 'commandType' | 'code' | 'message'>;
  return { kind: 'refusal', refusal: { issuer: key.issuer, commandId: key.commandId, commandType, code, message }, storedAt: row.recorded_at };
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    entityId: row.entity_id,
    seqNr: row.seq_nr,
    updateSeq: row.update_seq,
    type: row.type,
    payload: JSON.parse(row.payload),
    storedAt: row.stored_at,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
