/**
 * The Journal port: where entities' events and snapshots live. Two adapters implement it: SQLite
 * (one process) and Cassandra (a cluster). test/journal/journal-contract.ts is its behaviour.
 *
 * Sequence numbers are per entity, start at 1 and have no gaps. Update numbers are per entity
 * too, set by the entity on the events players must see (null on the others), increase with the
 * sequence number and never exceed it (an entity cannot have more updates than events), so the
 * events after update n are all after sequence number n.
 */
import type { CommandKey, Refusal } from '../../actors/runtime/journal-record.js';

export { commandKeyString, type CommandKey, type Refusal } from '../../actors/runtime/journal-record.js';

/** An event as the entity hands it to the journal. */
export interface NewEvent {
  /** The event's type name, stored beside the payload for audit queries. */
  readonly type: string;
  /** Update number for events pushed to players; null for events nobody subscribes to. */
  readonly updateSeq: number | null;
  /** A JSON-serialisable value: the event itself. */
  readonly payload: unknown;
  /**
   * The command that produced the event, for events that answer a client's command: the journal
   * indexes it in the same write, so that findCommands finds the event by the command's id.
   */
  readonly command?: CommandKey;
}

/** What the journal holds for one command key. */
export type CommandRecord =
  | {
      readonly kind: 'event';
      /**
       * The event the journal indexed under the key. A store that indexes before its conditional
       * write (Cassandra) may name an event another writer stored at that number when the write
       * lost its race: the caller checks that the event is really the command's.
       */
      readonly event: StoredEvent;
    }
  | { readonly kind: 'refusal'; readonly refusal: Refusal; readonly storedAt: number };

/**
 * How long the journal keeps a command's key after storing it, at least: the 24 hours a client
 * may retry for (COMMAND_WINDOW_MS, see actors/runtime/command-window.ts) plus the hour its clock
 * may run ahead of the server's.
 */
export const COMMAND_RETENTION_MS = 25 * 60 * 60 * 1000;


/** An event as the journal stored it. */
export interface StoredEvent extends NewEvent {
  readonly entityId: string;
  readonly seqNr: number;
  /** When the journal stored it, in ms since the Unix epoch. */
  readonly storedAt: number;
}

export interface Snapshot {
  readonly entityId: string;
  /** The sequence number of the last event folded into `state`. */
  readonly seqNr: number;
  /** A JSON-serialisable value. */
  readonly state: unknown;
  /** When it was taken, in ms since the Unix epoch. */
  readonly takenAt: number;
}

/**
 * A snapshot to store: its state as a value, or already encoded as JSON text. An entity whose
 * state changes in place encodes it at once, in one pass, instead of copying it for the journal
 * to encode later; the text must be valid JSON (it is stored as given).
 */
export type SnapshotToSave = Snapshot | (Omit<Snapshot, 'state'> & { readonly stateJson: string });

export interface Journal {
  /**
   * Appends `events` to `entityId` right after `expectedSeqNr` (0 for an entity with no events);
   * they get sequence numbers expectedSeqNr + 1, + 2, ... Resolves only when they are durable.
   * All or nothing: rejects with SequenceConflictError when any of those sequence numbers is
   * already stored (another writer got there first; nothing of this append is written), and
   * with JournalUnavailableError (retriable) when storage fails.
   */
  append(entityId: string, expectedSeqNr: number, events: readonly NewEvent[]): Promise<void>;

  /**
   * Up to `limit` events of `entityId` with a sequence number above `afterSeqNr`, in order.
   * A page shorter than `limit` means there are no more.
   */
  readEvents(entityId: string, afterSeqNr: number, limit: number): Promise<readonly StoredEvent[]>;

  /**
   * Up to `limit` events of `entityId` with an update number above `afterUpdateSeq`, in update
   * order; events without an update number are skipped. Serves resume and audit.
   */
  readUpdates(entityId: string, afterUpdateSeq: number, limit: number): Promise<readonly StoredEvent[]>;

  /** Stores a snapshot; an older one (lower seqNr) never replaces a newer one. */
  saveSnapshot(snapshot: SnapshotToSave): Promise<void>;

  /** The snapshot with the highest seqNr for `entityId`, or undefined when none was saved. */
  loadSnapshot(entityId: string): Promise<Snapshot | undefined>;

  /**
   * Stores refusals of commands of `entityId`, durable when it resolves. A key that already has
   * a record keeps it: the first outcome of a command is the one repeats get.
   */
  recordRefusals(entityId: string, refusals: readonly Refusal[]): Promise<void>;

  /**
   * What is recorded for each of `keys` (events appended with that `command`, and refusals),
   * keyed by commandKeyString. Keys recorded less than COMMAND_RETENTION_MS ago are always
   * found; older ones may be gone. Keys with no record are absent from the map.
   */
  findCommands(entityId: string, keys: readonly CommandKey[]): Promise<ReadonlyMap<string, CommandRecord>>;

  /** Waits for appends in flight, then releases the storage. Later calls reject. */
  close(): Promise<void>;
}
