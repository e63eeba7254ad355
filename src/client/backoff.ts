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
