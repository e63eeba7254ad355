import type { LeaderboardEntry } from '../../protocol/views.js';
import type { Competitor, HuntState } from './hunt-state.js';

export type { LeaderboardEntry };

/**
 * Most points first; among equals, whoever finished first, then whoever reached their points
 * first, then by name so that the order is total and the same on every node.
 */
export function leaderboard(state: HuntState): readonly LeaderboardEntry[] {
  const ranked = Object.values(state.competitors)
    .filter((c) => !c.removed)
    .sort(compareCompetitors);
  return ranked.map((c, index) => ({
    rank: index + 1,
    competitorId: c.competitorId,
    name: c.name,
    kind: c.kind,
    points: c.points,
    solved: Object.values(c.progress).filter((p) => p.solvedAt !== undefined).length,
    ...(c.finishedAt !== undefined ? { finishedAt: c.finishedAt } : {}),
  }));
}

export function compareCompetitors(a: Competitor, b: Competitor): number {
  return (
    b.points - a.points ||
    (a.finishedAt ?? Infinity) - (b.finishedAt ?? Infinity) ||
    (a.lastScoredAt ?? Infinity) - (b.lastScoredAt ?? Infinity) ||
    byCodeUnits(a.name, b.name) ||
    byCodeUnits(a.competitorId, b.competitorId)
  );
}

/** Not localeCompare: its order depends on the machine's locale, and every node must agree. */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Whether `competitor` (in the version given, which may be a changed copy of the stored one)
 * is among the first `top` of the leaderboard. O(competitors), no sort: a scored guess asks it
 * twice, and a big hunt has thousands of competitors.
 */
export function isAmongLeaders(state: HuntState, competitor: Competitor, top: number): boolean {
  if (competitor.removed) return false;
  let ahead = 0;
  for (const other of Object.values(state.competitors)) {
    if (other.removed || other.competitorId === competitor.competitorId) continue;
    if (compareCompetitors(other, competitor) < 0 && ++ahead >= top) return false;
  }
  return true;
}

/** 1-based place of `competitor`; O(competitors), no sort. */
export function rankOf(state: HuntState, competitor: Competitor): number {
  let ahead = 0;
  for (const other of Object.values(state.competitors)) {
    if (!other.removed && other.competitorId !== competitor.competitorId && compareCompetitors(other, competitor) < 0) ahead += 1;
  }
  return ahead + 1;
}
