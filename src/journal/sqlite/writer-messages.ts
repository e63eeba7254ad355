import type { PendingAppend, SnapshotWrite } from './sqlite-writes.js';
import type { CommitInfo } from './sqlite-writer.js';

/** What the journal asks of its writer thread. */
export type WriterRequest =
  | { readonly kind: 'commit'; readonly id: number; readonly appends: readonly PendingAppend[]; readonly storedAt: number }
  | { readonly kind: 'snapshot'; readonly id: number; readonly row: SnapshotWrite }
  | { readonly kind: 'prune'; readonly id: number; readonly before: number; readonly limit: number }
  | { readonly kind: 'close'; readonly id: number };

/** An error as it crosses the thread boundary: SQLite's code survives, so it can be rebuilt. */
export interface WireError {
  readonly message: string;
  readonly code?: string;
}

/** A conflicting append, rebuilt as a SequenceConflictError on the journal's side. */
export interface WireConflict {
  readonly entityId: string;
  readonly expectedSeqNr: number;
  readonly cause: WireError;
}

export type WriterReply =
  | { readonly id: number; readonly ok: true; readonly outcomes?: readonly (WireConflict | null)[]; readonly info?: CommitInfo; readonly pruned?: number }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

export function toWireError(error: unknown): WireError {
  const e = error as { message?: unknown; code?: unknown };
  return {
    message: typeof e?.message === 'string' ? e.message : String(error),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  };
}
