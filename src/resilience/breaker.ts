import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from 'cockatiel';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Failures in a row that open the circuit. Default 5. */
  readonly consecutiveFailures?: number;
  /** How long the circuit stays open before one trial call is let through, ms. Default 5000. */
  readonly halfOpenAfterMs?: number;
  readonly onStateChange?: (state: BreakerState) => void;
}

export interface Breaker {
  readonly state: BreakerState;
  /** Runs `call`, or fails at once with `whenOpen`'s error while the circuit is open. */
  guard<T>(call: () => Promise<T>): Promise<T>;
}

const NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
};

/**
 * A circuit breaker (cockatiel) around one dependency: after `consecutiveFailures` errors that
 * `isFailure` counts (the dependency failing, not a caller's mistake or an answer), calls fail at
 * once with `whenOpen(cause)` instead of each waiting for the dependency to time out.
 */
export function createBreaker(isFailure: (error: unknown) => boolean, whenOpen: (cause: unknown) => Error, options: BreakerOptions = {}): Breaker {
  const breaker = circuitBreaker(handleWhen(isFailure), {
    halfOpenAfter: options.halfOpenAfterMs ?? 5000,
    breaker: new ConsecutiveBreaker(options.consecutiveFailures ?? 5),
  });
  breaker.onStateChange((state) => options.onStateChange?.(NAMES[state]));
  return {
    get state() {
      return NAMES[breaker.state];
    },
    async guard<T>(call: () => Promise<T>): Promise<T> {
      try {
        return await breaker.execute(call);
      } catch (error) {
        if (error instanceof BrokenCircuitError) throw whenOpen(error);
        throw error;
      }
    },
  };
}
