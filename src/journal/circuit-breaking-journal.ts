import { JournalUnavailableError } from '../errors.js';
import { createBreaker, type BreakerOptions, type BreakerState } from '../resilience/breaker.js';
import type { Journal } from './journal.js';
import type { JournalProbe } from './journal-probe.js';

export type { BreakerState };
export type CircuitBreakerOptions = BreakerOptions;

/** A journal behind a circuit breaker, whose probe is the only way to close it again. */
export interface GuardedJournal extends Journal, JournalProbe {
  /** closed: calls go through; open: refused at once; half-open: a probe is trying the storage. */
  readonly breakerState: BreakerState;
  /** The last storage failure's message, until a call succeeds: why the circuit opened. */
  readonly lastFailure: string | undefined;
}

/**
 * Wraps a Journal in a circuit breaker: after `consecutiveFailures` storage failures in a row,
 * calls fail at once with a retriable JournalUnavailableError instead of each waiting for the
 * storage to time out. Only storage failures count: a sequence conflict or a caller's TypeError
 * is an answer from a healthy store. Nothing is written while the circuit is open.
 *
 * Once `halfOpenAfterMs` has passed, the next probe() is the trial, and only a probe: its success
 * closes the circuit. An entity's call that came first could fail for reasons of its own, and
 * under steady traffic entities would take every trial, so a probe, which also repairs what it
 * can (recreates a dropped schema), would never run. The circuit therefore closes only if someone
 * probes: watchJournalHealth does, every few seconds.
 */
export function withCircuitBreaker(journal: Journal & JournalProbe, options: CircuitBreakerOptions = {}): GuardedJournal {
  const whenOpen = (cause?: unknown) =>
    new JournalUnavailableError('the journal is failing: refusing at once until a probe finds it answering (circuit open)', cause);
  const breaker = createBreaker((error) => error instanceof JournalUnavailableError, whenOpen, options);
  let lastFailure: string | undefined;
  // Runs only when the breaker lets a call through, so refusals never overwrite the storage's own error.
  const noted = <T>(call: () => Promise<T>) => async (): Promise<T> => {
    try {
      const result = await call();
      lastFailure = undefined;
      return result;
    } catch (error) {
      if (error instanceof JournalUnavailableError) lastFailure = error.message;
      throw error;
    }
  };
  const guarded = <T>(call: () => Promise<T>): Promise<T> =>
    breaker.state === 'closed' ? breaker.guard(noted(call)) : Promise.reject(whenOpen());

  return {
    get breakerState() {
      return breaker.state;
    },
    get lastFailure() {
      return lastFailure;
    },
    append: (entityId, expectedSeqNr, events) => guarded(() => journal.append(entityId, expectedSeqNr, events)),
    readEvents: (entityId, afterSeqNr, limit) => guarded(() => journal.readEvents(entityId, afterSeqNr, limit)),
    readUpdates: (entityId, afterUpdateSeq, limit) => guarded(() => journal.readUpdates(entityId, afterUpdateSeq, limit)),
    saveSnapshot: (snapshot) => guarded(() => journal.saveSnapshot(snapshot)),
    loadSnapshot: (entityId) => guarded(() => journal.loadSnapshot(entityId)),
    recordRefusals: (entityId, refusals) => guarded(() => journal.recordRefusals(entityId, refusals)),
    findCommands: (entityId, keys) => guarded(() => journal.findCommands(entityId, keys)),
    probe: () => breaker.guard(noted(() => journal.probe())),
    close: () => journal.close(),
  };
}
