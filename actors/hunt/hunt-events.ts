import type { HintDefinition, HuntDefinition } from '../definition/hunt-definition.js';
import type { GeoPoint } from '../geo.js';

/**
 * Facts a hunt has stored. `update` is the hunt's update number: it orders everything pushed to
 * players, so a client that saw update n can ask for exactly what came after. `issuer` and
 * `commandId` let a repeated command be answered with the event it produced.
 */
interface EventBase {
  readonly commandId: string;
  readonly issuer: string;
  readonly at: number;
  readonly update: number;
}

export type HuntEvent =
  | (EventBase & { readonly type: 'hunt-spawned'; readonly definition: HuntDefinition })
  | (EventBase & { readonly type: 'hunt-started'; readonly automatic: boolean })
  | (EventBase & { readonly type: 'hunt-paused' })
  | (EventBase & { readonly type: 'hunt-resumed' })
  | (EventBase & { readonly type: 'hunt-ended'; readonly reason: 'designer' | 'end-time' })
  | (EventBase & {
      readonly type: 'player-joined';
      readonly playerId: string;
      readonly displayName: string;
      readonly competitorId: string;
      readonly team?: string;
    })
  | (EventBase & { readonly type: 'player-left'; readonly playerId: string })
  | (EventBase & { readonly type: 'player-kicked'; readonly playerId: string; readonly reason: string })
  | (EventBase & {
      readonly type: 'clue-solved';
      readonly playerId: string;
      readonly competitorId: string;
      readonly clueId: string;
      readonly points: number;
      readonly bonus: number;
      readonly location?: GeoPoint;
      /** The leaderboard's top entries changed (the scorer was or is now among them). */
      readonly leaders: boolean;
    })
  | (EventBase & {
      readonly type: 'guess-incorrect';
      readonly playerId: string;
      readonly competitorId: string;
      readonly clueId: string;
      readonly penalty: number;
      /** Wrong guesses left on this clue; null when unlimited. */
      readonly attemptsLeft: number | null;
      readonly location?: GeoPoint;
      readonly leaders: boolean;
    })
  | (EventBase & {
      readonly type: 'hint-taken';
      readonly playerId: string;
      readonly competitorId: string;
      readonly clueId: string;
      readonly hintIndex: number;
      readonly penalty: number;
      readonly leaders: boolean;
    })
  | (EventBase & { readonly type: 'hint-released'; readonly clueId: string; readonly hintIndex: number })
  | (EventBase & {
      readonly type: 'hint-auto-released';
      readonly competitorId: string;
      readonly clueId: string;
      readonly hintIndex: number;
    })
  | (EventBase & { readonly type: 'clue-timed-out'; readonly competitorId: string; readonly clueId: string })
  | (EventBase & {
      readonly type: 'clue-edited';
      readonly clueId: string;
      readonly title: string;
      readonly text: string;
      readonly hints: readonly HintDefinition[];
    })
  | (EventBase & { readonly type: 'announced'; readonly message: string });

export type HuntEventType = HuntEvent['type'];

/** Distributes over the union, so each variant keeps its own fields. */
type WithoutBase<E> = E extends unknown ? Omit<E, keyof EventBase> : never;

/** An event's own fields, before the decider stamps it with the command's id, issuer, time and update. */
export type HuntEventBody = WithoutBase<HuntEvent>;
