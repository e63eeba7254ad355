import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import { SqliteWrites, type PendingAppend, type SnapshotWrite } from './sqlite-writes.js';

/** What one group commit wrote. */
export interface CommitInfo {
  /** Appends this commit made durable (appends rejected for a conflict are not counted). */
  readonly appends: number;
  /** Events those appends wrote. */
  readonly events: number;
  /** Wall time of the transaction, fsync included. */
  readonly durationMs: number;
}

export interface CommitResult {
  /** Per append: undefined when written, else its SequenceConflictError. */
  readonly outcomes: readonly (Error | undefined)[];
  /** Set on the batch that ended a transaction (a writer thread may merge batches into one). */
  readonly info?: CommitInfo;
}

/** Where the SQLite journal's writes happen; reads stay on the journal's own connection. */
export interface SqliteWriter {
  /** Commits `appends` together; rejects with the driver's error when nothing could be written. */
  commit(appends: readonly PendingAppend[], storedAt: number): Promise<CommitResult>;
  saveSnapshot(row: SnapshotWrite): Promise<void>;
  /** See SqliteWrites.pruneCommands. */
  pruneCommands(before: number, limit: number): Promise<number>;
  close(): Promise<void>;
}

/** Writes on the caller's thread: for an in-memory database, which no other thread can open. */
export function inlineWriter(db: Database.Database): SqliteWriter {
  const writes = new SqliteWrites(db);
  return {
    async commit(appends, storedAt) {
      const started = performance.now();
      const outcomes = writes.commit(appends, storedAt);
      return { outcomes, info: commitInfo(appends, outcomes, performance.now() - started) };
    },
    async saveSnapshot(row) {
      writes.saveSnapshot(row);
    },
    async pruneCommands(before, limit) {
      return writes.pruneCommands(before, limit);
    },
    async close() {},
  };
}

export function commitInfo(appends: readonly PendingAppend[], outcomes: readonly (Error | undefined)[], durationMs: number): CommitInfo {
  let committed = 0;
  let events = 0;
  outcomes.forEach((outcome, index) => {
    const written = appends[index]?.events.length ?? 0;
    // A write of refusals alone is no append: it stores no event.
    if (outcome !== undefined || written === 0) return;
    committed += 1;
    events += written;
  });
  return { appends: committed, events, durationMs };
}
