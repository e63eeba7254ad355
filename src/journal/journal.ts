/**
 * The Journal port: where entities' events and snapshots live. Two adapters implement it: SQLite
 * (one process) and Cassandra (a cluster). test/journal/journal-contract.ts is its behaviour.
 *
 * Sequence numbers are per entity, start at 1 and have no gaps. Update numbers are per entity
 * too, set by the entity on the events players must see (null on the others), increase with the
 * sequence number and never exceed it (an entity cannot have more updates than events), so the
 * events after update n are all after sequence number n.
 */

/** An event as the entity hands it to the journal. */
export interface NewEvent {
  /** The event's type name, stored beside the payload for audit queries. */
  readonly type: string;
  /** Update number for events pushed to players; null for events nobody subscribes to. */
  readonly updateSeq: number | null;
  /** A JSON-serialisable value: the event itself. */
  readonly payload: unknown;
}

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

  /** Waits for appends in flight, then releases the storage. Later calls reject. */
  close(): Promise<void>;
}
