import type { ClientMessage } from '../../protocol/client-messages.js';
import type { Role } from '../../protocol/server-messages.js';
import type { LoopDelaySource } from './loop-delay-monitor.js';

export interface OverloadGuardOptions {
  /**
   * Event-loop delay, ms (the mean lateness of its ticks over a window), over which the process
   * counts as saturated; 0: loop delay is not checked.
   */
  readonly maxLoopDelayMs: number;
  /** Requests running at once on the gateway at which new ones are refused; 0: no bound. */
  readonly maxInFlight: number;
  /**
   * ms. Loop delay is measured over windows this long (at most one reading per window, taken when
   * the guard is asked); once saturated, the guard stays so at least this long after the last
   * reading over a bound. Also the retryAfterMs given to refused clients.
   */
  readonly windowMs: number;
  readonly loopDelay: LoopDelaySource;
  readonly now: () => number;
  /** Called when the guard starts or stops refusing, with the readings that decided it. */
  readonly onChange?: (saturated: boolean, reading: OverloadReading) => void;
}

export interface OverloadReading {
  readonly inFlight: number;
  /** The latest loop delay reading, ms. */
  readonly loopDelayMs: number;
}

export interface Refusal {
  readonly retryAfterMs: number;
}

/**
 * Admission control for a gateway: decides when the process is too busy to take more work, so that
 * new commands and connections are refused at once (cheaply, with a retry time) instead of queueing
 * until every request is late. Two signals: requests in flight on the gateway (counted here, via
 * started/finished) and the event loop's delay.
 *
 * Saturated when either is over its bound; no longer saturated once both are at most half their
 * bound and a whole window has passed since either was last over it. The gap between the two marks
 * keeps the guard from flapping at the edge, where every admitted burst would tip it over again.
 */
export class OverloadGuard {
  private running = 0;
  private saturatedNow = false;
  private lastOverAt = Number.NEGATIVE_INFINITY;
  private lastSampleAt: number;
  private loopDelayMs = 0;

  constructor(private readonly options: OverloadGuardOptions) {
    this.lastSampleAt = options.now();
  }

  /** Requests running now (admitted and not yet answered). */
  get inFlight(): number {
    return this.running;
  }

  /** A request starts running: counted until finished(). */
  started(): void {
    this.running += 1;
  }

  finished(): void {
    this.running = Math.max(0, this.running - 1);
  }

  /** Undefined when new work may start; else the refusal to give, with how long the client should wait. */
  refusal(): Refusal | undefined {
    return this.saturated ? { retryAfterMs: this.options.windowMs } : undefined;
  }

  /** Whether the process is saturated now. Reads the loop delay when a window has passed since the last reading. */
  get saturated(): boolean {
    const { maxInFlight, maxLoopDelayMs, windowMs, now: clock } = this.options;
    const now = clock();
    if (now - this.lastSampleAt >= windowMs) {
      this.lastSampleAt = now;
      this.loopDelayMs = this.options.loopDelay.takeSample();
      // A reading describes the window that ends now: an overload it shows is seen now.
      if (maxLoopDelayMs > 0 && this.loopDelayMs > maxLoopDelayMs) this.over(now);
    }
    if (maxInFlight > 0 && this.running >= maxInFlight) this.over(now);
    if (this.saturatedNow && now - this.lastOverAt >= windowMs) {
      const calm = (maxInFlight === 0 || this.running <= Math.floor(maxInFlight / 2)) && (maxLoopDelayMs === 0 || this.loopDelayMs <= maxLoopDelayMs / 2);
      if (calm) this.change(false);
    }
    return this.saturatedNow;
  }

  private over(now: number): void {
    this.lastOverAt = now;
    if (!this.saturatedNow) this.change(true);
  }

  private change(saturated: boolean): void {
    this.saturatedNow = saturated;
    this.options.onChange?.(saturated, { inFlight: this.running, loopDelayMs: this.loopDelayMs });
  }
}

/**
 * What an overloaded gateway refuses: the requests that change a hunt or a player, which are the
 * ones that carry a commandId (join, submit, hint, leave and the admin.* commands), so a client can
 * always retry them safely. Reads pass: ping, resume, admin.status and admin.watch keep the
 * connections already admitted in step, and new connections (which is where resumes come from) are
 * refused anyway. shards.* pass too: they are how an operator moves load off a saturated node.
 */
export function refusedWhenOverloaded(message: ClientMessage): boolean {
  return 'commandId' in message;
}

/** Operators are let in while the node is overloaded: they are the ones who move its load away. */
export function connectionRefusedWhenOverloaded(role: Role): boolean {
  return role !== 'operator';
}
