import { JournalUnavailableError } from '../../src/errors.js';
import type { Journal } from '../../src/journal/journal.js';
import type { JournalProbe } from '../../src/journal/journal-probe.js';
import { createSqliteJournal } from '../../src/journal/sqlite/sqlite-journal.js';

/** An in-memory journal whose storage a test takes down and brings back; counts what reached it. */
export function flakyJournal() {
  const inner = createSqliteJournal({ path: ':memory:' });
  const state = { down: false, calls: 0, probes: 0, probesDone: 0, probeDelayMs: 0 };
  const storage = <T>(call: () => Promise<T>): Promise<T> => {
    state.calls += 1;
    return state.down ? Promise.reject(new JournalUnavailableError('storage down')) : call();
  };
  const journal: Journal & JournalProbe = {
    append: (entityId, expectedSeqNr, events) => storage(() => inner.append(entityId, expectedSeqNr, events)),
    readEvents: (entityId, afterSeqNr, limit) => storage(() => inner.readEvents(entityId, afterSeqNr, limit)),
    readUpdates: (entityId, afterUpdateSeq, limit) => storage(() => inner.readUpdates(entityId, afterUpdateSeq, limit)),
    saveSnapshot: (snapshot) => storage(() => inner.saveSnapshot(snapshot)),
    loadSnapshot: (entityId) => storage(() => inner.loadSnapshot(entityId)),
    recordRefusals: (entityId, refusals) => storage(() => inner.recordRefusals(entityId, refusals)),
    findCommands: (entityId, keys) => storage(() => inner.findCommands(entityId, keys)),
    probe: async () => {
      state.probes += 1;
      try {
        if (state.probeDelayMs > 0) await sleep(state.probeDelayMs);
        return await storage(() => inner.probe());
      } finally {
        state.probesDone += 1;
      }
    },
    close: () => inner.close(),
  };
  return { journal, state };
}

export const event = (n: number) => ({ type: 'noted', updateSeq: null, payload: { n } });
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
