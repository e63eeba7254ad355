import type { HuntState } from './hunt-state.js';
import { leaderboard, type LeaderboardEntry } from './leaderboard.js';

/** How many leaders every player is shown. */
export const LEADERBOARD_TOP = 10;

/** The leaders, and where one competitor stands: what a player is shown of the leaderboard. */
export interface LeaderboardSlice {
  readonly top: readonly LeaderboardEntry[];
  /** The viewer's own entry, also when outside the top. */
  readonly you?: LeaderboardEntry;
  /** Competitors on the leaderboard in all. */
  readonly total: number;
}

export function leaderboardSlice(state: HuntState, competitorId?: string): LeaderboardSlice {
  const all = leaderboard(state);
  const you = competitorId === undefined ? undefined : all.find((e) => e.competitorId === competitorId);
  return { top: all.slice(0, LEADERBOARD_TOP), ...(you ? { you } : {}), total: all.length };
}
