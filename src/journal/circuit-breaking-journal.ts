import { JournalUnavailableError } from '../errors.js';
import { createBreaker, type BreakerOptions, type BreakerState } from '../resilience/breaker.js';
import type { Journal } from './journal.js';

export type { BreakerState };
export type CircuitBreakerOptions = BreakerOptions;

/**
 * Wraps a Journal in a circuit breaker: after `consecutiveFailures` storage failures in a row,
 * calls fail at once with a retriable JournalUnavailableError instead of each waiting for the
 * storage to time out; after `halfOpenAfterMs` one call is tried, and its success closes the
 * circuit again. Only storage failures count: a sequence conflict or a caller's TypeError is an
 * answer from a healthy store. Nothing is written while the circuit is open.
 */
export function withCircuitBreaker(journal: Journal, options: CircuitBreakerOptions = {}): Journal & { readonly breakerState: BreakerState } {
  const breaker = createBreaker(
    (error) => error instanceof JournalUnavailableError,
    (cause) => new JournalUnavailableError('the journal is failing: refusing at once until it recovers (circuit open)', cause),
    options,
  );
  const guarded = <T>(call: () => Promise<T>): Promise<T> => breaker.guard(call);

  return {
    get breakerState() {
      return breaker.state;
    },
    append: (entityId, expectedSeqNr, events) => guarded(() => journal.append(entityId, expectedSeqNr, events)),
    readEvents: (entityId, afterSeqNr, limit) => guarded(() => journal.readEvents(entityId, afterSeqNr, limit)),
    readUpdates: (entityId, afterUpdateSeq, limit) => guarded(() => journal.readUpdates(entityId, afterUpdateSeq, limit)),
    saveSnapshot: (snapshot) => guarded(() => journal.saveSnapshot(snapshot)),
    loadSnapshot: (entityId) => guarded(() => journal.loadSnapshot(entityId)),
    close: () => journal.close(),
  };
}
