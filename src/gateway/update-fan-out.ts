import { changesForPlayer, type HuntChanges } from '../../actors/hunt/hunt-changes.js';
import type { HuntEvent } from '../../actors/hunt/hunt-events.js';
import type { HuntState } from '../../actors/hunt/hunt-state.js';
import { encodeMessage } from '../../protocol/codec.js';
import type { HuntChange } from '../../protocol/views.js';

/** Who a subscription is for: staff see the staff changes; a player sees what concerns them. */
export type Audience = { readonly as: 'staff' } | { readonly as: 'player'; readonly playerId: string };

/** Takes one event's encoded update frame for one subscription. */
export type Deliver = (event: HuntEvent, frame: Uint8Array) => void;

/**
 * Routes each event of one hunt to the subscriptions it concerns, with the work proportional to
 * the frames sent: a change for one competitor reaches that competitor's players through an index,
 * not a walk over every watcher, and a frame shared by many receivers is encoded once.
 */
export class UpdateFanOut {
  private readonly staff = new Set<Deliver>();
  private readonly players = new Map<string, Set<Deliver>>();
  /** Subscribed players by competitor. */
  private readonly byCompetitor = new Map<string, Set<string>>();
  private readonly competitorOf = new Map<string, string>();
  private count = 0;

  constructor(private readonly huntId: string) {}

  /** How many subscriptions there are. */
  get size(): number {
    return this.count;
  }

  /** Adds a subscription; `state` tells a player's competitor. Returns its removal. */
  add(audience: Audience, deliver: Deliver, state: HuntState): () => void {
    this.count += 1;
    let removed = false;
    const counted = (remove: () => void) => () => {
      if (removed) return;
      removed = true;
      this.count -= 1;
      remove();
    };
    if (audience.as === 'staff') {
      this.staff.add(deliver);
      return counted(() => this.staff.delete(deliver));
    }
    const { playerId } = audience;
    let set = this.players.get(playerId);
    if (!set) {
      set = new Set();
      this.players.set(playerId, set);
      this.place(playerId, state.players[playerId]?.competitorId);
    }
    set.add(deliver);
    const own = set;
    return counted(() => {
      own.delete(deliver);
      if (own.size > 0 || this.players.get(playerId) !== own) return;
      this.players.delete(playerId);
      this.place(playerId, undefined);
    });
  }

  /** Sends the frames of `event`, given `state` right after it; returns how many were sent. */
  publish(event: HuntEvent, changes: HuntChanges, state: HuntState): number {
    if (event.type === 'player-joined' && this.players.has(event.playerId)) this.place(event.playerId, event.competitorId);
    let sent = 0;
    if (changes.staff.length > 0 && this.staff.size > 0) {
      const frame = this.frame(event, changes.staff);
      for (const deliver of this.staff) deliver(event, frame);
      sent += this.staff.size;
    }
    const personal = new Set<string>();
    for (const competitorId of changes.byCompetitor.keys()) {
      for (const playerId of this.byCompetitor.get(competitorId) ?? []) personal.add(playerId);
    }
    for (const playerId of changes.byPlayer.keys()) if (this.players.has(playerId)) personal.add(playerId);
    for (const playerId of personal) {
      const subscribers = this.players.get(playerId);
      const changesOfPlayer = changesForPlayer(changes, state, playerId);
      if (!subscribers || changesOfPlayer.length === 0) continue;
      const frame = this.frame(event, changesOfPlayer);
      for (const deliver of subscribers) deliver(event, frame);
      sent += subscribers.size;
    }
    if (changes.all.length > 0) {
      const shared = this.frame(event, changes.all);
      for (const [playerId, subscribers] of this.players) {
        if (personal.has(playerId)) continue;
        for (const deliver of subscribers) deliver(event, shared);
        sent += subscribers.size;
      }
    }
    return sent;
  }

  private frame(event: HuntEvent, changes: readonly HuntChange[]): Uint8Array {
    return encodeMessage({ type: 'update', hunt: this.huntId, update: event.update, changes });
  }

  private place(playerId: string, competitorId: string | undefined): void {
    const before = this.competitorOf.get(playerId);
    if (before === competitorId) return;
    if (before !== undefined) {
      const set = this.byCompetitor.get(before);
      set?.delete(playerId);
      if (set?.size === 0) this.byCompetitor.delete(before);
    }
    if (competitorId === undefined) {
      this.competitorOf.delete(playerId);
      return;
    }
    this.competitorOf.set(playerId, competitorId);
    let set = this.byCompetitor.get(competitorId);
    if (!set) this.byCompetitor.set(competitorId, (set = new Set()));
    set.add(playerId);
  }
}
