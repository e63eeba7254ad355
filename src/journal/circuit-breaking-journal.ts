import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { JournalUnavailableError } from '../errors.js';
import type { Journal } from './journal.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Storage failures in a row that open the circuit. Default 5. */
  readonly consecutiveFailures?: number;
  /** How long the circuit stays open before one trial call is let through, ms. Default 5000. */
  readonly halfOpenAfterMs?: number;
  readonly onStateChange?: (state: BreakerState) => void;
}

/**
 * Wraps a Journal in a circuit breaker: after `consecutiveFailures` storage failures in a row,
 * calls fail at once with a retriable JournalUnavailableError instead of each waiting for the
 * storage to time out; after `halfOpenAfterMs` one call is tried, and its success closes the
 * circuit again. Only storage failures count: a sequence conflict or a caller's TypeError is an
 * answer from a healthy store. Nothing is written while the circuit is open.
 */
export function withCircuitBreaker(journal: Journal, options: CircuitBreakerOptions = {}): Journal & { readonly breakerState: BreakerState } {
  const breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((error) => error instanceof JournalUnavailableError),
    {
      halfOpenAfter: options.halfOpenAfterMs ?? 5000,
      breaker: new ConsecutiveBreaker(options.consecutiveFailures ?? 5),
    },
  );
  const names: Record<CircuitState, BreakerState> = {
    [CircuitState.Closed]: 'closed',
    [CircuitState.Open]: 'open',
    [CircuitState.Isolated]: 'open',
    [CircuitState.HalfOpen]: 'half-open',
  };
  breaker.onStateChange((state) => options.onStateChange?.(names[state]));

  const guarded = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await breaker.execute(call);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new JournalUnavailableError('the journal is failing: refusing at once until it recovers (circuit open)', error);
      }
      throw error;
    }
  };

  return {
    get breakerState() {
      return names[breaker.state];
    },
    append: (entityId, expectedSeqNr, events) => guarded(() => journal.append(entityId, expectedSeqNr, events)),
    readEvents: (entityId, afterSeqNr, limit) => guarded(() => journal.readEvents(entityId, afterSeqNr, limit)),
    readUpdates: (entityId, afterUpdateSeq, limit) => guarded(() => journal.readUpdates(entityId, afterUpdateSeq, limit)),
    saveSnapshot: (snapshot) => guarded(() => journal.saveSnapshot(snapshot)),
    loadSnapshot: (entityId) => guarded(() => journal.loadSnapshot(entityId)),
    close: () => journal.close(),
  };
}
