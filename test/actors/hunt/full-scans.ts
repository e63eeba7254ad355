import { timersOfClue } from '../../../actors/hunt/clue-timers.js';
import type { HuntEventBody } from '../../../actors/hunt/hunt-events.js';
import { huntClock, isResolved, type Competitor, type HuntState } from '../../../actors/hunt/hunt-state.js';
import type { LeaderboardEntry } from '../../../actors/hunt/leaderboard.js';
import { compareRanked } from '../../../actors/hunt/ranking.js';
import { compareTimers, type ClueTimer } from '../../../actors/hunt/timer-index.js';

/**
 * The timer and leaderboard questions answered the slow, obvious way: a walk over every
 * competitor and clue, a sort of every competitor. The indexes must always agree with these.
 */

export function everyClueTimer(state: HuntState): ClueTimer[] {
  const timers: ClueTimer[] = [];
  for (const competitor of Object.values(state.competitors)) {
    if (competitor.removed) continue;
    state.clues.forEach((clue, index) => {
      const progress = competitor.progress[clue.id];
      if (!progress || isResolved(progress)) return;
      timers.push(...timersOfClue(competitor.competitorId, index, clue, progress, state.releasedHints[clue.id] ?? []));
    });
  }
  return timers.sort(compareTimers);
}

export function scannedNextTimerAt(state: HuntState): number | undefined {
  const definition = state.definition;
  if (!definition || state.status === 'ended') return undefined;
  const candidates: number[] = [];
  if (definition.endsAt !== undefined) candidates.push(definition.endsAt);
  if (state.status === 'draft' && definition.startsAt !== undefined) candidates.push(definition.startsAt);
  if (state.status === 'running') for (const timer of everyClueTimer(state)) candidates.push(timer.dueAt + state.pausedMs);
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

export function scannedFirstDueTimer(state: HuntState, at: number): HuntEventBody | undefined {
  const definition = state.definition;
  if (!definition || state.status === 'ended') return undefined;
  const endDue = definition.endsAt !== undefined && definition.endsAt <= at;
  if (state.status === 'draft') {
    if (endDue) return { type: 'hunt-ended', reason: 'end-time' };
    return definition.startsAt !== undefined && definition.startsAt <= at ? { type: 'hunt-started', automatic: true } : undefined;
  }
  const now = huntClock(state, at);
  const first = state.status === 'running' ? everyClueTimer(state).find((timer) => timer.dueAt <= now) : undefined;
  if (endDue && (!first || definition.endsAt! <= first.dueAt + state.pausedMs)) return { type: 'hunt-ended', reason: 'end-time' };
  return first?.body;
}

export function sortedLeaderboard(state: HuntState): LeaderboardEntry[] {
  return Object.values(state.competitors)
    .filter((c) => !c.removed)
    .sort(compareRanked)
    .map((c, index) => ({
      rank: index + 1,
      competitorId: c.competitorId,
      name: c.name,
      kind: c.kind,
      points: c.points,
      solved: Object.values(c.progress).filter((p) => p.solvedAt !== undefined).length,
      ...(c.finishedAt !== undefined ? { finishedAt: c.finishedAt } : {}),
    }));
}

/** Others strictly ahead of `competitor` (which may be a changed copy of the stored one). */
export function countedAhead(state: HuntState, competitor: Competitor): number {
  return Object.values(state.competitors).filter(
    (other) => !other.removed && other.competitorId !== competitor.competitorId && compareRanked(other, competitor) < 0,
  ).length;
}
