import { LEADERBOARD_TOP } from './leaderboard-slice.js';
import { isAmongLeaders } from './leaderboard.js';
import type { Competitor, HuntState } from './hunt-state.js';

/**
 * Whether a change of `competitor`'s points (and, for a solve, of its solved count and finish)
 * changes what every player sees of the leaderboard: only when it was or now is among the leaders.
 * Decided with the event, so pushing it live and replaying it on a resume agree.
 */
export function changesLeaders(state: HuntState, competitor: Competitor, after: Partial<Competitor>): boolean {
  return isAmongLeaders(state, competitor, LEADERBOARD_TOP) || isAmongLeaders(state, { ...competitor, ...after }, LEADERBOARD_TOP);
}
