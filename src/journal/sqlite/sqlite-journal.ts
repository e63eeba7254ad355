import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { JournalClosedError, JournalUnavailableError, SequenceConflictError } from '../../errors.js';
import type { Journal, NewEvent, Snapshot, SnapshotToSave, StoredEvent } from '../journal.js';
import { encodeEvent, encodeSnapshot, requireEntityId, requireLimit, requireSeqNr, type EncodedEvent } from '../journal-arguments.js';
import { GroupCommit } from './group-commit.js';
import { SQL, ensureSchema, type EventRow, type SnapshotRow } from './sqlite-schema.js';

/** What one group commit wrote. */
export interface CommitInfo {
  /** Appends this commit made durable (appends rejected for a conflict are not counted). */
  readonly appends: number;
  /** Events those appends wrote. */
  readonly events: number;
  /** Wall time of the transaction, fsync included. */
  readonly durationMs: number;
}

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

interface PendingAppend {
  readonly entityId: string;
  readonly expectedSeqNr: number;
  readonly events: readonly EncodedEvent[];
}

const DEFAULT_MAX_BATCH_SIZE = 512;
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export function createSqliteJournal(options: SqliteJournalOptions): SqliteJournal {
  return new SqliteJournal(options);
}

/**
 * The Journal on one SQLite file, for a single process. One connection does everything: SQLite
 * allows one writer at a time anyway, and better-sqlite3 is synchronous, so a read can never
 * observe a batch half-way; it sees what was committed before it.
 */
export class SqliteJournal implements Journal {
  readonly #db: Database.Database;
  readonly #onCommit: ((info: CommitInfo) => void) | undefined;
  readonly #groupCommit: GroupCommit<PendingAppend>;
  readonly #highestSeqNr: Database.Statement<[string], { highest: number | null }>;
  readonly #insertEvent: Database.Statement<[string, number, number | null, string, string, number]>;
  readonly #readEvents: Database.Statement<[string, number, number], EventRow>;
  readonly #readUpdates: Database.Statement<[string, number, number], EventRow>;
  readonly #saveSnapshot: Database.Statement<[string, number, string, number]>;
  readonly #loadSnapshot: Database.Statement<[string], SnapshotRow>;
  readonly #applyAppend: (append: PendingAppend, storedAt: number) => void;
  readonly #runBatch: (appends: readonly PendingAppend[], storedAt: number) => (Error | undefined)[];
  #closed = false;

  constructor(options: SqliteJournalOptions) {
    const maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
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
    this.#db = new Database(options.path, { timeout: busyTimeoutMs });
    try {
      // WAL: readers never block the writer, and a commit appends to one file instead of
      // rewriting pages in place, which keeps the fsync per group commit cheap.
      const mode = this.#db.pragma('journal_mode = WAL', { simple: true });
      if (!inMemory && mode !== 'wal') {
        throw new Error(`journal ${options.path} could not switch to WAL mode (got ${String(mode)})`);
      }
      this.#db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      ensureSchema(this.#db);

      this.#highestSeqNr = this.#db.prepare(SQL.highestSeqNr);
      this.#insertEvent = this.#db.prepare(SQL.insertEvent);
      this.#readEvents = this.#db.prepare(SQL.readEvents);
      this.#readUpdates = this.#db.prepare(SQL.readUpdates);
      this.#saveSnapshot = this.#db.prepare(SQL.saveSnapshot);
      this.#loadSnapshot = this.#db.prepare(SQL.loadSnapshot);
    } catch (error) {
      this.#db.close();
      throw error;
    }

    // Called inside the batch's transaction, better-sqlite3 runs this in a SAVEPOINT: a
    // conflicting append rolls back alone and the rest of the batch still commits.
    this.#applyAppend = this.#db.transaction((append: PendingAppend, storedAt: number) =>
      this.#insert(append, storedAt),
    );
    // IMMEDIATE takes the write lock up front: a deferred transaction that upgrades from read to
    // write in WAL mode can fail with SQLITE_BUSY without waiting for busy_timeout.
    this.#runBatch = this.#db.transaction((appends: readonly PendingAppend[], storedAt: number) =>
      appends.map((append) => {
        try {
          this.#applyAppend(append, storedAt);
          return undefined;
        } catch (error) {
          // Anything else (I/O, disk full, ...) aborts the whole batch.
          if (error instanceof SequenceConflictError) return error;
          throw error;
        }
      }),
    ).immediate;
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
    this.#driver(() => this.#saveSnapshot.run(snapshot.entityId, snapshot.seqNr, state, snapshot.takenAt));
  }

  async loadSnapshot(entityId: string): Promise<Snapshot | undefined> {
    this.#ensureOpen();
    requireEntityId(entityId);
    const row = this.#driver(() => this.#loadSnapshot.get(entityId));
    if (row === undefined) return undefined;
    return { entityId: row.entity_id, seqNr: row.seq_nr, state: JSON.parse(row.state), takenAt: row.taken_at };
  }

  /** Commits the appends already queued (their promises resolve), then closes the file. */
  async close(): Promise<void> {
    this.#ensureOpen();
    this.#closed = true;
    this.#groupCommit.flush();
    this.#db.close();
  }

  #commit(appends: readonly PendingAppend[]): readonly (Error | undefined)[] {
    const started = performance.now();
    const outcomes = this.#runBatch(appends, Date.now());
    const durationMs = performance.now() - started;
    if (this.#onCommit !== undefined) {
      let committed = 0;
      let events = 0;
      outcomes.forEach((outcome, index) => {
        if (outcome !== undefined) return;
        committed += 1;
        events += appends[index]?.events.length ?? 0;
      });
      try {
        this.#onCommit({ appends: committed, events, durationMs });
      } catch (error) {
        // The appends are durable already; a broken metrics hook must not turn them into failures.
        process.emitWarning(`SqliteJournal onCommit threw: ${describe(error)}`);
      }
    }
    return outcomes;
  }

  #insert({ entityId, expectedSeqNr, events }: PendingAppend, storedAt: number): void {
    const highest = this.#highestSeqNr.get(entityId)?.highest ?? 0;
    if (highest < expectedSeqNr) {
      // Writing here would leave a hole in the history: the writer's view is not the journal's.
      throw new SequenceConflictError(
        entityId,
        expectedSeqNr,
        new Error(`highest stored sequence number is ${highest}, so ${expectedSeqNr} leaves a gap`),
      );
    }
    events.forEach((event, index) => {
      try {
        this.#insertEvent.run(entityId, expectedSeqNr + index + 1, event.updateSeq, event.type, event.payload, storedAt);
      } catch (error) {
        // The primary key is what really enforces a single writer per sequence number.
        if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new SequenceConflictError(entityId, expectedSeqNr, error);
        }
        throw error;
      }
    });
    // Only reachable when stored sequence numbers have holes; a stale writer still loses.
    if (highest > expectedSeqNr) {
      throw new SequenceConflictError(
        entityId,
        expectedSeqNr,
        new Error(`highest stored sequence number is ${highest}`),
      );
    }
  }

  #ensureOpen(): void {
    if (this.#closed) throw new JournalClosedError();
  }

  /** Runs a statement; a driver failure becomes the port's retriable error. */
  #driver<R>(run: () => R): R {
    try {
      return run();
    } catch (cause) {
      throw new JournalUnavailableError(`journal storage failed: ${describe(cause)}`, cause);
    }
  }
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
