import type { HuntEventBody } from './hunt-events.js';

/** One pending clue timer of one competitor: a time-out or a hint that releases itself. */
export interface ClueTimer {
  /** Hunt-clock time it falls due. */
  readonly dueAt: number;
  readonly competitorId: string;
  /** The clue's place in the hunt: ties between timers due at once go in clue order. */
  readonly clueIndex: number;
  /** -1 for the clue's time-out (which goes before its hints), else the hint's index. */
  readonly hintIndex: number;
  readonly body: HuntEventBody;
}

/** The order timers fire in: earliest first, ties broken so that every node picks the same one. */
export function compareTimers(a: ClueTimer, b: ClueTimer): number {
  return (
    a.dueAt - b.dueAt ||
    (a.competitorId < b.competitorId ? -1 : a.competitorId > b.competitorId ? 1 : 0) ||
    a.clueIndex - b.clueIndex ||
    a.hintIndex - b.hintIndex
  );
}

interface Entry {
  readonly timer: ClueTimer;
  live: boolean;
}

/**
 * The pending clue timers of a hunt in a binary heap, replaced a (competitor, clue) pair at a
 * time as events change them: finding the earliest costs O(log n), not a walk over every
 * competitor and clue. Replaced timers stay in the heap, marked dead, until they reach the top or
 * the heap is rebuilt (when dead entries outnumber live ones), which keeps each change O(log n)
 * amortised.
 */
export class TimerIndex {
  private heap: Entry[] = [];
  private readonly byPair = new Map<string, Entry[]>();
  private dead = 0;

  /** Replaces the timers of `competitorId` on `clueId` with `timers` (none: it has no timers). */
  replace(competitorId: string, clueId: string, timers: readonly ClueTimer[]): void {
    const key = `${competitorId}\u0000${clueId}`;
    const old = this.byPair.get(key);
    if (old) {
      for (const entry of old) entry.live = false;
      this.dead += old.length;
      this.byPair.delete(key);
    }
    if (timers.length > 0) {
      const entries = timers.map((timer) => ({ timer, live: true }));
      this.byPair.set(key, entries);
      for (const entry of entries) this.push(entry);
    }
    if (this.dead > 64 && this.dead > this.heap.length - this.dead) this.rebuild();
  }

  /** The timer that falls due first, or undefined when there is none. */
  earliest(): ClueTimer | undefined {
    while (this.heap.length > 0 && !this.heap[0]!.live) {
      this.pop();
      this.dead -= 1;
    }
    return this.heap[0]?.timer;
  }

  /** How many timers are pending. */
  get size(): number {
    return this.heap.length - this.dead;
  }

  private rebuild(): void {
    this.heap = this.heap.filter((entry) => entry.live);
    this.dead = 0;
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i -= 1) this.down(i);
  }

  private push(entry: Entry): void {
    this.heap.push(entry);
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareTimers(this.heap[parent]!.timer, entry.timer) <= 0) break;
      this.heap[i] = this.heap[parent]!;
      i = parent;
    }
    this.heap[i] = entry;
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    this.down(0);
  }

  private down(from: number): void {
    const heap = this.heap;
    const entry = heap[from]!;
    let i = from;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && compareTimers(heap[right]!.timer, heap[left]!.timer) < 0 ? right : left;
      if (compareTimers(heap[child]!.timer, entry.timer) >= 0) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = entry;
  }
}
