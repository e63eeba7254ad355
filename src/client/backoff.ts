/** Exponential backoff with "full jitter": a uniformly random wait below a ceiling that doubles per attempt. */
export interface BackoffOptions {
  /** The ceiling of the first attempt's wait (attempt 0). */
  readonly initialDelayMs: number;
  /** The ceiling never grows past this. */
  readonly maxDelayMs: number;
}

/** The largest wait of attempt `attempt` (0-based): min(maxDelayMs, initialDelayMs × 2^attempt). */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const grown = options.initialDelayMs * 2 ** Math.max(0, attempt);
  return Math.max(0, Math.min(options.maxDelayMs, grown));
}

/**
 * The wait before attempt `attempt` (0-based): random() × min(maxDelayMs, initialDelayMs × 2^attempt),
 * rounded down to whole milliseconds. `random` returns a number in [0, 1), like Math.random.
 */
export function fullJitterDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeiling(attempt, options));
}

/**
 * The wait before reconnection attempt `attempt` after the server closed with 1013 (overloaded):
 * between half and all of the ceiling of attempt + 2. So it is never shorter than the longest wait
 * after a dropped connection (1006) at the same attempt, unless both have reached maxDelayMs.
 */
export function overloadedReconnectDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt + 2, options);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling / 2 + (r * ceiling) / 2);
}

/**
 * The wait before retry `attempt` (0-based) of a command the server refused as overloaded: its
 * `retryAfterMs`, plus a full jitter whose ceiling starts at retryAfterMs and doubles per retry (up
 * to `maxDelayMs`), so that clients refused together do not all come back together.
 */
export function overloadedRetryDelay(retryAfterMs: number, attempt: number, maxDelayMs: number, random: () => number = Math.random): number {
  const wait = Math.max(0, retryAfterMs);
  return wait + fullJitterDelay(attempt, { initialDelayMs: wait, maxDelayMs: Math.max(wait, maxDelayMs) }, random);
}
