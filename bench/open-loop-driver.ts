/**
 * Open-loop pacing: commands fall due at a fixed rate across all players, whether or not earlier
 * ones were answered, and each is timed from the moment it fell due, so a slow server shows in
 * the latency instead of quietly lowering the offered load (coordinated omission).
 *
 * A due command goes to the player idle longest (each player keeps its own script in order, one
 * command in flight). When every player is waiting for a reply, due commands queue and are sent as
 * players come free, still timed from when they fell due; `maxBacklog` says how deep that queue got.
 */
import type { TargetConnection } from './load-target.js';
import type { LoadPhase } from './player-script.js';

/** Due commands more than this late when sent are counted as sent late. */
const LATE_MS = 10;

export class OpenLoop {
  /** Indices of idle players, oldest first: a ring of capacity = players. */
  private readonly idle: Int32Array;
  private head = 0;
  private count: number;
  private next = 0;
  private t0 = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  inFlight = 0;
  maxBacklog = 0;
  sentLate = 0;

  constructor(
    private readonly connections: readonly TargetConnection[],
    private readonly perSecond: number,
    private readonly phase: LoadPhase,
  ) {
    this.idle = Int32Array.from(connections.keys());
    // A random order, so that hunts are not served one after the other.
    for (let i = this.idle.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [this.idle[i], this.idle[j]] = [this.idle[j]!, this.idle[i]!];
    }
    this.count = connections.length;
  }

  start(): void {
    this.t0 = performance.now();
    this.timer = setInterval(() => this.tick(), 1);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Commands due so far that no player has taken yet. */
  get backlog(): number {
    return Math.max(0, this.dueBy(performance.now()) - this.next);
  }

  private dueBy(now: number): number {
    return Math.floor(((now - this.t0) * this.perSecond) / 1000);
  }

  private tick(): void {
    if (this.phase.stopped) return;
    const now = performance.now();
    const due = this.dueBy(now);
    while (this.next < due && this.count > 0) {
      const scheduledAt = this.t0 + (this.next * 1000) / this.perSecond;
      this.next += 1;
      if (now - scheduledAt > LATE_MS && this.phase.measuring) this.sentLate += 1;
      const index = this.idle[this.head]!;
      this.head = (this.head + 1) % this.idle.length;
      this.count -= 1;
      this.inFlight += 1;
      void this.connections[index]!.act(scheduledAt).finally(() => this.done(index));
    }
    this.maxBacklog = Math.max(this.maxBacklog, due - this.next);
  }

  private done(index: number): void {
    this.inFlight -= 1;
    this.idle[(this.head + this.count) % this.idle.length] = index;
    this.count += 1;
    // A queue of due commands waited for a free player: send the next at once.
    if (this.next < this.dueBy(performance.now())) this.tick();
  }
}
