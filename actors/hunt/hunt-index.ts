import { timersOfClue } from './clue-timers.js';
import { cluePosition } from './clue-position.js';
import type { HuntEvent } from './hunt-events.js';
import { isResolved, type Competitor, type HuntState } from './hunt-state.js';
import { Ranking, type RankKey } from './ranking.js';
import { TimerIndex } from './timer-index.js';

/**
 * What a hunt's rules ask of its state again and again, kept ready: the pending timers in due
 * order and the competitors in leaderboard order. Derived data, never stored (a snapshot is the
 * state alone), built on first use in O(n log n) and then, for a state that the runtime changes
 * in place, kept up to date event by event in time proportional to what the event changed.
 */
export interface HuntIndex {
  readonly timers: TimerIndex;
  readonly ranking: Ranking;
}

// Keyed by the state object: an in-place runtime keeps one state (and so one index) for good;
// a new state from the pure `evolveHunt` gets its own index when first asked.
const indexes = new WeakMap<HuntState, HuntIndex>();

export function huntIndexOf(state: HuntState): HuntIndex {
  let index = indexes.get(state);
  if (!index) {
    index = { timers: new TimerIndex(), ranking: new Ranking() };
    for (const competitor of Object.values(state.competitors)) refreshCompetitor(state, index, competitor.competitorId);
    indexes.set(state, index);
  }
  return index;
}

/**
 * Brings the index of `state` (already changed in place by `event`) up to date. States nobody
 * has indexed yet are left alone: they are indexed when first asked.
 */
export function updateHuntIndex(state: HuntState, event: HuntEvent): void {
  const index = indexes.get(state);
  if (!index) return;
  switch (event.type) {
    case 'hunt-spawned':
      indexes.delete(state);
      return;
    case 'hunt-started':
      for (const competitorId of Object.keys(state.competitors)) refreshCompetitor(state, index, competitorId);
      return;
    case 'player-joined': {
      // A new competitor (or one back on the board) is indexed whole; one more member of a known
      // team changes nothing but, at most, the opening clues it unlocks.
      if (!index.ranking.get(event.competitorId)) return refreshCompetitor(state, index, event.competitorId);
      const opening = state.definition?.order === 'free' ? state.clues : state.clues.slice(0, 1);
      for (const clue of opening) refreshClue(state, index, event.competitorId, clue.id);
      return;
    }
    case 'player-kicked': {
      const competitorId = state.players[event.playerId]?.competitorId;
      if (competitorId !== undefined) refreshCompetitor(state, index, competitorId);
      return;
    }
    case 'clue-solved':
    case 'clue-timed-out':
      refreshClue(state, index, event.competitorId, event.clueId);
      refreshClue(state, index, event.competitorId, nextClueId(state, event.clueId));
      return rerank(state, index, event.competitorId, event.type === 'clue-solved' ? 1 : 0);
    case 'guess-incorrect':
      return rerank(state, index, event.competitorId, 0);
    case 'hint-taken':
      refreshClue(state, index, event.competitorId, event.clueId);
      return rerank(state, index, event.competitorId, 0);
    case 'hint-auto-released':
      return refreshClue(state, index, event.competitorId, event.clueId);
    case 'hint-released':
    case 'clue-edited':
      // Every competitor's timers on this clue may change: a designer's action, not a player's.
      for (const competitorId of Object.keys(state.competitors)) refreshClue(state, index, competitorId, event.clueId);
      return;
    case 'hunt-paused':
    case 'hunt-resumed':
    case 'hunt-ended':
    case 'player-left':
    case 'announced':
      // Timers are on the hunt clock and the status is read when asked; places do not change.
      return;
    default: {
      const unknown: never = event;
      throw new Error(`unknown hunt event ${(unknown as { type: string }).type}`);
    }
  }
}

/** The whole competitor again: its place and the timers of every clue it has unlocked. */
function refreshCompetitor(state: HuntState, index: HuntIndex, competitorId: string): void {
  const competitor = state.competitors[competitorId];
  if (!competitor) return;
  for (const clueId of Object.keys(competitor.progress)) refreshClue(state, index, competitorId, clueId);
  if (competitor.removed) index.ranking.remove(competitorId);
  else index.ranking.upsert(rankKey(competitor, solvedCount(competitor)));
}

function rerank(state: HuntState, index: HuntIndex, competitorId: string, newlySolved: number): void {
  const competitor = state.competitors[competitorId];
  const before = index.ranking.get(competitorId);
  if (!competitor || competitor.removed) return index.ranking.remove(competitorId);
  index.ranking.upsert(rankKey(competitor, before ? before.solved + newlySolved : solvedCount(competitor)));
}

function refreshClue(state: HuntState, index: HuntIndex, competitorId: string, clueId: string | undefined): void {
  if (clueId === undefined) return;
  const competitor = state.competitors[competitorId];
  const position = cluePosition(state.clues, clueId);
  const clue = state.clues[position];
  const progress = competitor?.progress[clueId];
  if (!competitor || competitor.removed || !clue || !progress || isResolved(progress)) {
    index.timers.replace(competitorId, clueId, []);
    return;
  }
  index.timers.replace(competitorId, clueId, timersOfClue(competitorId, position, clue, progress, state.releasedHints[clueId] ?? []));
}

/** The clue a linear hunt unlocks after `clueId`; a free hunt unlocks nothing new. */
function nextClueId(state: HuntState, clueId: string): string | undefined {
  if (state.definition?.order !== 'linear') return undefined;
  return state.clues[cluePosition(state.clues, clueId) + 1]?.id;
}

function rankKey(competitor: Competitor, solved: number): RankKey {
  return {
    competitorId: competitor.competitorId,
    name: competitor.name,
    kind: competitor.kind,
    points: competitor.points,
    ...(competitor.finishedAt !== undefined ? { finishedAt: competitor.finishedAt } : {}),
    ...(competitor.lastScoredAt !== undefined ? { lastScoredAt: competitor.lastScoredAt } : {}),
    solved,
  };
}

function solvedCount(competitor: Competitor): number {
  let solved = 0;
  for (const progress of Object.values(competitor.progress)) if (progress.solvedAt !== undefined) solved += 1;
  return solved;
}
