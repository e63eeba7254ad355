import type { HuntStatus } from '../../protocol/views.js';
import type { HintDefinition, HuntDefinition } from '../definition/hunt-definition.js';
import type { GeoPoint } from '../geo.js';

/**
 * A hunt's state, folded from its events. Plain JSON data (records, arrays, numbers) so that a
 * snapshot is the state itself. Times named `...At` are ms since epoch; `unlockedAt` is on the
 * hunt clock (see huntClock), which stands still while the hunt is paused.
 */

export type { HuntStatus };

/** The part of a clue a designer may edit live; how it is solved stays in the definition. */
export interface LiveClue {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly points: number;
  readonly timeLimitSeconds?: number;
  readonly hints: readonly HintDefinition[];
}

export interface ClueProgress {
  /** Hunt-clock time the clue became visible to the competitor. */
  readonly unlockedAt: number;
  readonly solvedAt?: number;
  readonly timedOut?: boolean;
  readonly wrongGuesses: number;
  /** Hints the competitor paid for, by index. */
  readonly hintsTaken: readonly number[];
  /** Hints shown for free when their timer ran out, by index. */
  readonly hintsAutoReleased: readonly number[];
}

/** Who scores: a team, or a player playing alone. */
export interface Competitor {
  readonly competitorId: string;
  readonly name: string;
  readonly kind: 'team' | 'solo';
  /** Players currently in the hunt for this competitor. */
  readonly members: readonly string[];
  readonly points: number;
  readonly progress: Readonly<Record<string, ClueProgress>>;
  /** Clues solved or timed out; absent in snapshots taken before it was kept. */
  readonly resolvedClues?: number;
  /** When the last clue was solved or timed out. */
  readonly finishedAt?: number;
  /** When points last rose: the leaderboard's tie-break among unfinished competitors. */
  readonly lastScoredAt?: number;
  /** Set when a kicked solo player's entry leaves the leaderboard. */
  readonly removed?: boolean;
}

export interface PlayerRecord {
  readonly playerId: string;
  readonly displayName: string;
  readonly competitorId: string;
  readonly active: boolean;
  readonly joinedAt: number;
  /** Last guess time per clue id: the guess rate limit. */
  readonly lastGuessAt: Readonly<Record<string, number>>;
  /** Where the player last solved a location clue, for the impossible-travel check. */
  readonly lastFix?: GeoPoint & { readonly at: number };
}

export interface HuntState {
  readonly definition?: HuntDefinition;
  readonly clues: readonly LiveClue[];
  readonly status: HuntStatus;
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly pausedAt?: number;
  /** Total time spent paused so far, in ms. */
  readonly pausedMs: number;
  /** The last update number given out. */
  readonly updateSeq: number;
  readonly players: Readonly<Record<string, PlayerRecord>>;
  /** Players in the hunt now (joined, not left or kicked): what maxPlayers caps. */
  readonly activePlayers: number;
  readonly banned: Readonly<Record<string, string>>;
  readonly competitors: Readonly<Record<string, Competitor>>;
  /** Hints a designer released to everyone, by clue id. */
  readonly releasedHints: Readonly<Record<string, readonly number[]>>;
  /**
   * The last RECENT_ANNOUNCEMENTS announcements, oldest first, so a player who opens the hunt
   * afresh (a full view) still reads them. Absent in snapshots taken before they were kept.
   */
  readonly announcements?: readonly { readonly message: string; readonly at: number }[];
}

/** Announcements kept for players who were away: a view carries them. */
export const RECENT_ANNOUNCEMENTS = 10;

export const initialHuntState: HuntState = {
  clues: [],
  status: 'draft',
  pausedMs: 0,
  updateSeq: 0,
  players: {},
  activePlayers: 0,
  banned: {},
  competitors: {},
  releasedHints: {},
};

/** The hunt clock at wall time `at`: wall time minus the time spent paused. */
export function huntClock(state: HuntState, at: number): number {
  const pausedNow = state.status === 'paused' && state.pausedAt !== undefined ? at - state.pausedAt : 0;
  return at - state.pausedMs - pausedNow;
}

export const soloCompetitorId = (playerId: string): string => `p:${playerId}`;

/** A clue is resolved for a competitor once solved or timed out. */
export const isResolved = (progress: ClueProgress | undefined): boolean =>
  progress !== undefined && (progress.solvedAt !== undefined || progress.timedOut === true);
