import Database from 'better-sqlite3';
import { SequenceConflictError } from '../../errors.js';
import type { EncodedEvent } from '../journal-arguments.js';
import { SQL } from './sqlite-schema.js';

/**
 * One write as the writer takes it: an append (events already checked and encoded), or refusals
 * alone (no events), which claim no sequence number and so cannot conflict.
 */
export interface PendingAppend {
  readonly entityId: string;
  readonly expectedSeqNr: number;
  readonly events: readonly EncodedEvent[];
  readonly refusals?: readonly RefusalRow[];
}

/** A refused command's key and its refusal as JSON text. */
export interface RefusalRow {
  readonly issuer: string;
  readonly commandId: string;
  readonly refusal: string;
}

/** A snapshot row, its state already JSON text. */
export interface SnapshotWrite {
  readonly entityId: string;
  readonly seqNr: number;
  readonly state: string;
  readonly takenAt: number;
}

/**
 * The writes of the SQLite journal on one connection: appends committed together (group commit),
 * each in its own savepoint so that one conflict fails alone, and snapshots. Used in the
 * journal's writer thread, or inline for an in-memory database that no thread can share.
 */
export class SqliteWrites {
  readonly #highestSeqNr: Database.Statement<[string], { highest: number | null }>;
  readonly #insertEvent: Database.Statement<[string, number, number | null, string, string, number]>;
  readonly #saveSnapshot: Database.Statement<[string, number, string, number]>;
  readonly #indexCommand: Database.Statement<[string, string, string, number, number]>;
  readonly #recordRefusal: Database.Statement<[string, string, string, string, number]>;
  readonly #pruneCommands: Database.Statement<[number, number]>;
  readonly #applyAppend: (append: PendingAppend, storedAt: number) => void;
  readonly #runBatch: (appends: readonly PendingAppend[], storedAt: number) => (Error | undefined)[];

  constructor(db: Database.Database) {
    this.#highestSeqNr = db.prepare(SQL.highestSeqNr);
    this.#insertEvent = db.prepare(SQL.insertEvent);
    this.#saveSnapshot = db.prepare(SQL.saveSnapshot);
    this.#indexCommand = db.prepare(SQL.indexCommand);
    this.#recordRefusal = db.prepare(SQL.recordRefusal);
    this.#pruneCommands = db.prepare(SQL.pruneCommands);
    // Called inside the batch's transaction, better-sqlite3 runs this in a SAVEPOINT: a
    // conflicting append rolls back alone and the rest of the batch still commits.
    this.#applyAppend = db.transaction((append: PendingAppend, storedAt: number) => this.#insert(append, storedAt));
    // IMMEDIATE takes the write lock up front: a deferred transaction that upgrades from read to
    // write in WAL mode can fail with SQLITE_BUSY without waiting for busy_timeout.
    this.#runBatch = db.transaction((appends: readonly PendingAppend[], storedAt: number) =>
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

  /**
   * Commits `appends` in one transaction. Returns, per append, undefined when it was written or
   * its SequenceConflictError; throws when the transaction as a whole failed (nothing written).
   */
  commit(appends: readonly PendingAppend[], storedAt: number): (Error | undefined)[] {
    return this.#runBatch(appends, storedAt);
  }

  saveSnapshot(row: SnapshotWrite): void {
    this.#saveSnapshot.run(row.entityId, row.seqNr, row.state, row.takenAt);
  }

  /**
   * Deletes up to `limit` command keys stored before `before`, in a transaction of its own.
   * Returns how many it deleted: fewer than `limit` means none older are left.
   */
  pruneCommands(before: number, limit: number): number {
    return this.#pruneCommands.run(before, limit).changes;
  }

  #insert({ entityId, expectedSeqNr, events, refusals }: PendingAppend, storedAt: number): void {
    for (const refusal of refusals ?? []) this.#recordRefusal.run(entityId, refusal.issuer, refusal.commandId, refusal.refusal, storedAt);
    if (events.length === 0) return;
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
      // In the append's savepoint: a command's key exists exactly when its event does.
      if (event.command) this.#indexCommand.run(entityId, event.command.issuer, event.command.commandId, expectedSeqNr + index + 1, storedAt);
    });
    // Only reachable when stored sequence numbers have holes; a stale writer still loses.
    if (highest > expectedSeqNr) {
      throw new SequenceConflictError(entityId, expectedSeqNr, new Error(`highest stored sequence number is ${highest}`));
    }
  }
}

/** SQLite's page cache per connection, KiB. */
const PAGE_CACHE_KIB = 2048;

/** Opens a connection with the journal's settings (WAL, synchronous, busy timeout). */
export function openSqlite(file: string, o: { readonly synchronous: 'full' | 'normal'; readonly busyTimeoutMs: number }): Database.Database {
  const inMemory = file === ':memory:' || file === '';
  const db = new Database(file, { timeout: o.busyTimeoutMs });
  try {
    // WAL: readers never block the writer, and a commit appends to one file instead of
    // rewriting pages in place, which keeps the fsync per group commit cheap.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && mode !== 'wal') throw new Error(`journal ${file} could not switch to WAL mode (got ${String(mode)})`);
    db.pragma(`synchronous = ${o.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // better-sqlite3 is built with a 16 MiB page cache per connection; the journal appends to and
    // reads each entity's tail, which the OS page cache serves as well, and there are two
    // connections (reads and the writer thread).
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
