import type { HuntState } from './hunt-state.js';
import type { LeaderboardSlice } from '../../protocol/views.js';
import { leaderboard } from './leaderboard.js';

export type { LeaderboardSlice };

/** How many leaders every player is shown. */
export const LEADERBOARD_TOP = 10;

export function leaderboardSlice(state: HuntState, competitorId?: string): LeaderboardSlice {
  const all = leaderboard(state);
  const you = competitorId === undefined ? undefined : all.find((e) => e.competitorId === competitorId);
  return { top: all.slice(0, LEADERBOARD_TOP), ...(you ? { you } : {}), total: all.length };
}
