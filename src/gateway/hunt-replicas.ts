import type { UpdateBus } from '../bus/update-bus.js';
import type { Journal } from '../journal/journal.js';
import { nextTimerAt } from '../../actors/hunt/timers.js';
import { HuntReplica } from './hunt-replica.js';

/** How long past a hunt's due time the gateway waits for the event before it nudges the hunt. */
const NUDGE_GRACE_MS = 2000;
/** setTimeout cannot wait longer than 2^31-1 ms (it would fire at once): longer waits go in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Keeps one replica per hunt that this gateway's sockets watch, and drops it when nobody does.
 *
 * A hunt's timers live on the node that hosts it. When that node dies, the new owner activates
 * the hunt only when a command reaches it, so a watched hunt that nobody plays (players waiting
 * for a scheduled start) could miss its time. Each replica therefore knows when its hunt is next
 * due; if the due event has not arrived `NUDGE_GRACE_MS` later, `nudge` wakes the hunt wherever
 * it lives now, and its own timers do the rest.
 */
export class HuntReplicas {
  private readonly replicas = new Map<string, HuntReplica>();
  private readonly users = new Map<string, number>();
  private readonly nudges = new Map<string, { readonly due: number; readonly timer: NodeJS.Timeout }>();

  constructor(
    private readonly journal: Journal,
    private readonly bus: UpdateBus,
    /** Wakes the hunt where it lives; resolves with its update number there, if it answered. */
    private readonly nudge: (huntId: string) => Promise<number | undefined> = async () => undefined,
    private readonly now: () => number = Date.now,
    /** Told how many update frames each event sent to this gateway's sockets. */
    private readonly onSent: (frames: number) => void = () => undefined,
  ) {}

  /** The replica of `huntId`, loaded; pair every acquire with a release. */
  async acquire(huntId: string): Promise<HuntReplica> {
    let replica = this.replicas.get(huntId);
    if (!replica) {
      const created = new HuntReplica(huntId, this.journal, this.bus, this.onSent);
      replica = created;
      this.replicas.set(huntId, created);
      created.onApplied(() => this.nudgeSooner(created));
      void created.ready.then(() => this.scheduleNudge(created)).catch(() => undefined);
    }
    this.users.set(huntId, (this.users.get(huntId) ?? 0) + 1);
    try {
      await replica.ready;
    } catch (error) {
      this.release(huntId);
      throw error;
    }
    return replica;
  }

  /** Sockets watching each hunt this gateway holds a replica of. */
  watchers(): ReadonlyMap<string, number> {
    return this.users;
  }

  release(huntId: string): void {
    const left = (this.users.get(huntId) ?? 1) - 1;
    if (left > 0) {
      this.users.set(huntId, left);
      return;
    }
    this.users.delete(huntId);
    this.replicas.get(huntId)?.close();
    this.replicas.delete(huntId);
    clearTimeout(this.nudges.get(huntId)?.timer);
    this.nudges.delete(huntId);
  }

  /**
   * After an event: a nudge already set for this due time or an earlier one stands (when it fires
   * it sees the new update number and looks again), so most events cost one index look-up.
   */
  private nudgeSooner(replica: HuntReplica): void {
    const scheduled = this.nudges.get(replica.huntId);
    const due = nextTimerAt(replica.current);
    if (scheduled && due !== undefined && scheduled.due <= due) return;
    this.scheduleNudge(replica);
  }

  private scheduleNudge(replica: HuntReplica): void {
    clearTimeout(this.nudges.get(replica.huntId)?.timer);
    this.nudges.delete(replica.huntId);
    if (this.replicas.get(replica.huntId) !== replica) return;
    const due = nextTimerAt(replica.current);
    if (due === undefined) return;
    const seen = replica.updateSeq;
    const wait = Math.max(0, due - this.now()) + NUDGE_GRACE_MS;
    const timer = setTimeout(() => {
      if (wait > MAX_TIMER_MS || replica.updateSeq !== seen) return this.scheduleNudge(replica);
      void this.nudge(replica.huntId).then((there) => {
        // The hunt is ahead of this replica: its update went missing on the bus; read it.
        if (there !== undefined && there > replica.updateSeq) void replica.refresh().catch(() => undefined);
      });
      // Still nothing? Nudge again later (the hunt's shard may be between owners).
      this.scheduleNudge(replica);
    }, Math.min(wait, MAX_TIMER_MS));
    timer.unref();
    this.nudges.set(replica.huntId, { due, timer });
  }

  closeAll(): void {
    for (const { timer } of this.nudges.values()) clearTimeout(timer);
    this.nudges.clear();
    for (const replica of this.replicas.values()) replica.close();
    this.replicas.clear();
    this.users.clear();
  }
}
