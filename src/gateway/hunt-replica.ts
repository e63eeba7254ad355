import { evolveHuntInPlace } from '../../actors/hunt/evolve-hunt.js';
import { huntChanges } from '../../actors/hunt/hunt-changes.js';
import type { HuntEvent } from '../../actors/hunt/hunt-events.js';
import { initialHuntState, type HuntState } from '../../actors/hunt/hunt-state.js';
import type { EntityState } from '../../actors/runtime/entity-actor.js';
import type { UpdateBus } from '../bus/update-bus.js';
import type { Journal } from '../journal/journal.js';
import { UpdateFanOut, type Audience, type Deliver } from './update-fan-out.js';

/** How long a waiter gives the bus before reading the journal, ms. */
const BUS_GRACE_MS = 50;

const PAGE = 500;

/** Told after each event is applied, with the state right after it. */
export type AppliedHook = (event: HuntEvent, state: HuntState) => void;

/**
 * A gateway's own copy of one hunt's state, folded from the journal and then from the UpdateBus,
 * so that it can turn each event into what each of its sockets may see without asking the node
 * that hosts the hunt. Events are applied strictly in update order; a gap (a lost bus message)
 * is filled from the journal before anything later is applied.
 */
export class HuntReplica {
  private state: HuntState = structuredClone(initialHuntState);
  private readonly fanOut: UpdateFanOut;
  private readonly hooks = new Set<AppliedHook>();
  private readonly waiters: { update: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private pending: HuntEvent[] = [];
  private catchingUp: Promise<void> | undefined;
  private readonly unsubscribe: () => void;
  readonly ready: Promise<void>;

  constructor(
    readonly huntId: string,
    private readonly journal: Journal,
    bus: UpdateBus,
    /** Told how many update frames each event sent. */
    private readonly onSent: (frames: number) => void = () => undefined,
  ) {
    this.fanOut = new UpdateFanOut(huntId);
    // Subscribe before loading, so nothing published during the load is missed.
    this.unsubscribe = bus.subscribe(huntId, (event) => this.receive(event));
    // The first load counts as catching up: events the bus delivers meanwhile wait for it.
    this.ready = this.fillGap();
  }

  get current(): HuntState {
    return this.state;
  }

  get updateSeq(): number {
    return this.state.updateSeq;
  }

  /** Sends `audience` the update frame of each event that concerns it; returns the unsubscribe. */
  subscribe(audience: Audience, deliver: Deliver): () => void {
    return this.fanOut.add(audience, deliver, this.state);
  }

  /** Calls `hook` after each event is applied; returns its removal. */
  onApplied(hook: AppliedHook): () => void {
    this.hooks.add(hook);
    return () => this.hooks.delete(hook);
  }

  get subscriberCount(): number {
    return this.fanOut.size;
  }

  /**
   * Resolves once the replica has applied update `update`. The bus usually brings it within a few
   * milliseconds (in a cluster the reply and the update travel on different topics, and the reply
   * may come first); if it has not come after BUS_GRACE_MS, the journal is read.
   */
  async waitFor(update: number): Promise<void> {
    await this.ready;
    if (this.state.updateSeq >= update) return;
    const reached = new Promise<void>((resolve, reject) => this.waiters.push({ update, resolve, reject }));
    const timer = setTimeout(() => {
      if (this.state.updateSeq < update) void this.fillGap().catch(() => undefined);
    }, BUS_GRACE_MS);
    try {
      await reached;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads whatever the journal has beyond the replica now (it may lag behind another gateway's). */
  async refresh(): Promise<void> {
    await this.ready;
    await this.fillGap();
  }

  close(): void {
    this.unsubscribe();
    this.hooks.clear();
  }

  private receive(event: HuntEvent): void {
    if (this.catchingUp) {
      this.pending.push(event);
      return;
    }
    if (event.update <= this.state.updateSeq) return;
    if (event.update === this.state.updateSeq + 1) this.apply(event);
    else {
      this.pending.push(event);
      void this.fillGap().catch(() => undefined);
    }
  }

  /**
   * One catch-up at a time. When the journal cannot be read, whoever waits for an update is told
   * (their request fails, retriably) rather than left waiting for good.
   */
  private fillGap(): Promise<void> {
    this.catchingUp ??= this.catchUp()
      .catch((error: unknown) => {
        for (const waiter of this.waiters.splice(0)) waiter.reject(error);
        throw error;
      })
      .finally(() => (this.catchingUp = undefined));
    return this.catchingUp;
  }

  /**
   * Reads what the journal has beyond the replica (from the snapshot on the first load), then
   * applies what the bus delivered meanwhile; repeats while the bus is ahead of what was read.
   */
  private async catchUp(): Promise<void> {
    if (this.state.updateSeq === 0) {
      const snapshot = await this.journal.loadSnapshot(`hunt:${this.huntId}`);
      // Snapshots taken before the journal kept command ids carry the hunt's last ones (`recent`):
      // a replica never decides, so it drops them.
      if (snapshot) {
        const { recent: _recent, ...state } = (snapshot.state as EntityState<HuntState & { recent?: unknown }>).state;
        this.state = state;
      }
    }
    for (;;) {
      for (;;) {
        const page = await this.journal.readUpdates(`hunt:${this.huntId}`, this.state.updateSeq, PAGE);
        for (const stored of page) this.apply(stored.payload as HuntEvent);
        if (page.length < PAGE) break;
      }
      const pending = this.pending.sort((a, b) => a.update - b.update);
      this.pending = [];
      for (const event of pending) if (event.update === this.state.updateSeq + 1) this.apply(event);
      const ahead = pending.filter((event) => event.update > this.state.updateSeq);
      if (ahead.length === 0) return;
      this.pending.push(...ahead);
      // The bus got ahead of what the journal returned: give the journal's replicas a moment.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private apply(event: HuntEvent): void {
    // Strictly the next update: never the same one twice, never one past a gap.
    if (event.update !== this.state.updateSeq + 1) return;
    this.state = evolveHuntInPlace(this.state, event);
    if (this.fanOut.size > 0) this.onSent(this.fanOut.publish(event, huntChanges(this.state, event), this.state));
    for (const hook of this.hooks) hook(event, this.state);
    for (let i = this.waiters.length - 1; i >= 0; i -= 1) {
      const waiter = this.waiters[i]!;
      if (waiter.update <= this.state.updateSeq) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
