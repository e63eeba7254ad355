import type { LeaderboardEntry } from '../../protocol/views.js';
import { huntIndexOf } from './hunt-index.js';
import type { Competitor, HuntState } from './hunt-state.js';
import { compareRanked, type RankKey, type Ranked } from './ranking.js';

export type { LeaderboardEntry };

/**
 * Most points first; among equals, whoever finished first, then whoever reached their points
 * first, then by name so that the order is total and the same on every node.
 */
export const compareCompetitors: (a: Competitor, b: Competitor) => number = compareRanked;

/** The whole leaderboard, in order: O(n), for staff summaries; players get `leaders`. */
export function leaderboard(state: HuntState): readonly LeaderboardEntry[] {
  return huntIndexOf(state).ranking.first().map((key, index) => entryOf(key, index + 1));
}

/** The first `top` entries and how many there are in all: O(top + log n). */
export function leaders(state: HuntState, top: number): { top: LeaderboardEntry[]; total: number } {
  const ranking = huntIndexOf(state).ranking;
  return { top: ranking.first(top).map((key, index) => entryOf(key, index + 1)), total: ranking.size };
}

/** The entry of `competitorId`, with its rank; undefined when it is not on the leaderboard. */
export function entryFor(state: HuntState, competitorId: string): LeaderboardEntry | undefined {
  const ranking = huntIndexOf(state).ranking;
  const key = ranking.get(competitorId);
  return key && entryOf(key, ranking.countBefore(key) + 1);
}

/**
 * Whether `competitor` (in the version given, which may be a changed copy of the stored one)
 * is among the first `top` of the leaderboard. O(log n): a scored guess asks it twice.
 */
export function isAmongLeaders(state: HuntState, competitor: Competitor, top: number): boolean {
  if (competitor.removed) return false;
  return aheadOf(state, competitor) < top;
}

/** 1-based place of `competitor`; O(log n). */
export function rankOf(state: HuntState, competitor: Competitor): number {
  return aheadOf(state, competitor) + 1;
}

/** Competitors other than this one that come before it. */
function aheadOf(state: HuntState, competitor: Ranked): number {
  const ranking = huntIndexOf(state).ranking;
  const stored = ranking.get(competitor.competitorId);
  const before = ranking.countBefore(competitor);
  return stored && compareRanked(stored, competitor) < 0 ? before - 1 : before;
}

function entryOf(key: RankKey, rank: number): LeaderboardEntry {
  return {
    rank,
    competitorId: key.competitorId,
    name: key.name,
    kind: key.kind,
    points: key.points,
    solved: key.solved,
    ...(key.finishedAt !== undefined ? { finishedAt: key.finishedAt } : {}),
  };
}
