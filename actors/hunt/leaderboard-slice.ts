import type { HuntState } from './hunt-state.js';
import type { LeaderboardSlice } from '../../protocol/views.js';
import { entryFor, leaders } from './leaderboard.js';

export type { LeaderboardSlice };

/** How many leaders every player is shown. */
export const LEADERBOARD_TOP = 10;

export function leaderboardSlice(state: HuntState, competitorId?: string): LeaderboardSlice {
  const { top, total } = leaders(state, LEADERBOARD_TOP);
  const you = competitorId === undefined ? undefined : entryFor(state, competitorId);
  return { top, ...(you ? { you } : {}), total };
}
