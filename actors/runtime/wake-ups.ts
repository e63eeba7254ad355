/** setTimeout cannot wait longer than 2^31-1 ms; longer waits are done in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * One pending timer per entity, kept outside the actors so that a passivated entity is still
 * woken when, say, its hunt must end.
 */
export class WakeUps {
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly wake: (kind: string, entityId: string) => void,
    private readonly now: () => number,
  ) {}

  /** Replaces the entity's timer with one at `at` (ms since epoch); undefined cancels it. */
  schedule(kind: string, entityId: string, at: number | undefined): void {
    const key = `${kind}\u0000${entityId}`;
    const current = this.timers.get(key);
    if (current?.at === at) return;
    if (current) clearTimeout(current.timer);
    this.timers.delete(key);
    if (at === undefined) return;
    const delay = Math.max(0, at - this.now());
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (delay > MAX_TIMER_MS) this.schedule(kind, entityId, at);
      else this.wake(kind, entityId);
    }, Math.min(delay, MAX_TIMER_MS));
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Cancels the timers of the entities `pick` chooses. */
  cancelWhere(pick: (kind: string, entityId: string) => boolean): void {
    for (const [key, { timer }] of this.timers) {
      const [kind, entityId] = key.split('\u0000') as [string, string];
      if (!pick(kind, entityId)) continue;
      clearTimeout(timer);
      this.timers.delete(key);
    }
  }

  clear(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
