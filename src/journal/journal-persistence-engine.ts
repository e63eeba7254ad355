import type { PersistedEvent, PersistedSnapshot, PersistenceEngine } from 'nact';
import type { NewEvent } from '../../actors/runtime/journal-record.js';
import type { Journal } from './journal.js';

/** Events read per round trip while an entity recovers. */
const RECOVERY_PAGE = 500;

export interface JournalPersistenceEngineOptions {
  /** Events read per page during recovery. Default 500. */
  readonly pageSize?: number;
  /** A failed snapshot costs only recovery time, so it is reported, never thrown. */
  readonly onSnapshotError?: (entityId: string, error: unknown) => void;
}

/**
 * nact's persistence engine over the Journal port. nact persists one message per sequence number;
 * the entity actors persist one event per command, so an append here is one event at
 * `sequenceNumber - 1`, and the journal's single-writer check applies to every write.
 */
export function createJournalPersistenceEngine(
  journal: Journal,
  options: JournalPersistenceEngineOptions = {},
): PersistenceEngine {
  const pageSize = options.pageSize ?? RECOVERY_PAGE;
  return {
    async persist(event: PersistedEvent): Promise<void> {
      await journal.append(event.key, event.sequenceNumber - 1, [event.data as NewEvent]);
    },

    async latestSnapshot(key: string): Promise<PersistedSnapshot> {
      const snapshot = await journal.loadSnapshot(key);
      // nact's typing says a snapshot is always returned; at run time it checks for none.
      return (snapshot && { data: snapshot.state, sequenceNumber: snapshot.seqNr, key, createdAt: snapshot.takenAt }) as PersistedSnapshot;
    },

    async takeSnapshot(snapshot: PersistedSnapshot): Promise<void> {
      // The entity actors' encoder gives JSON text, or nothing when it lets an offer pass.
      const data: unknown = snapshot.data;
      if (data === undefined) return;
      const taken = { entityId: snapshot.key, seqNr: snapshot.sequenceNumber, takenAt: snapshot.createdAt };
      try {
        await journal.saveSnapshot(typeof data === 'string' ? { ...taken, stateJson: data } : { ...taken, state: data });
      } catch (error) {
        options.onSnapshotError?.(snapshot.key, error);
      }
    },

    events(key: string, offset: number) {
      return pagedEvents(journal, key, offset, pageSize) as ReturnType<PersistenceEngine['events']>;
    },
  };
}

/**
 * nact recovers with `events(key, offset).reduce(...)`, threading a promise through the reducer.
 * Reading page by page and awaiting between pages keeps memory flat for long histories.
 */
function pagedEvents(journal: Journal, key: string, afterSeqNr: number, pageSize: number) {
  return {
    async reduce<U>(reducer: (acc: U, event: PersistedEvent, index: number) => U, initial: U): Promise<U> {
      let acc = initial;
      let after = afterSeqNr;
      let index = 0;
      for (;;) {
        const page = await journal.readEvents(key, after, pageSize);
        for (const stored of page) {
          const data: NewEvent = { type: stored.type, updateSeq: stored.updateSeq, payload: stored.payload };
          acc = reducer(acc, { data, sequenceNumber: stored.seqNr, key, createdAt: stored.storedAt, isDeleted: false, tags: [] }, index);
          index += 1;
        }
        acc = await acc;
        if (page.length < pageSize) return acc;
        after = page[page.length - 1]!.seqNr;
      }
    },
  };
}
