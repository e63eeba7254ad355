import { produce, type Draft } from 'immer';
import { cluePosition } from './clue-position.js';
import { updateHuntIndex } from './hunt-index.js';
import type { HuntEvent } from './hunt-events.js';
import {
  RECENT_ANNOUNCEMENTS,
  huntClock,
  isResolved,
  type ClueProgress,
  type Competitor,
  type HuntState,
} from './hunt-state.js';

/** Applies one stored event. Pure: returns a new state and shares what did not change. */
export function evolveHunt(state: HuntState, event: HuntEvent): HuntState {
  return produce(state, (draft) => applyHuntEvent(draft, event));
}

/**
 * The same change made in place, for a runtime that owns its state and never shares it: copying
 * the players and competitors of a large hunt on every event would cost O(players) per command.
 * It runs the very code `evolveHunt` runs, so the two cannot disagree.
 */
export function evolveHuntInPlace(state: HuntState, event: HuntEvent): HuntState {
  applyHuntEvent(state as Draft<HuntState>, event);
  updateHuntIndex(state, event);
  return state;
}

function applyHuntEvent(draft: Draft<HuntState>, event: HuntEvent): void {
  draft.updateSeq = Math.max(draft.updateSeq, event.update);
  apply(draft, event);
}

function apply(draft: Draft<HuntState>, event: HuntEvent): void {
  switch (event.type) {
    case 'hunt-spawned':
      draft.definition = event.definition as Draft<typeof event.definition>;
      draft.clues = event.definition.clues.map(({ solve: _solve, ...clue }) => ({ ...clue, hints: [...clue.hints] }));
      return;
    case 'hunt-started':
      draft.status = 'running';
      draft.startedAt = event.at;
      for (const competitor of Object.values(draft.competitors)) unlockOpening(draft, competitor, event.at);
      return;
    case 'hunt-paused':
      draft.status = 'paused';
      draft.pausedAt = event.at;
      return;
    case 'hunt-resumed':
      draft.pausedMs += event.at - (draft.pausedAt ?? event.at);
      draft.status = 'running';
      delete draft.pausedAt;
      return;
    case 'hunt-ended':
      if (draft.status === 'paused') draft.pausedMs += event.at - (draft.pausedAt ?? event.at);
      delete draft.pausedAt;
      draft.status = 'ended';
      draft.endedAt = event.at;
      return;
    case 'player-joined':
      return applyJoin(draft, event);
    case 'player-left':
    case 'player-kicked':
      return applyDeparture(draft, event);
    case 'clue-solved':
      return applySolve(draft, event);
    case 'guess-incorrect': {
      const competitor = competitorOf(draft, event.competitorId);
      const progress = progressOf(competitor, event.clueId);
      progress.wrongGuesses += 1;
      competitor.points -= event.penalty;
      // A wrong location is no proof of where the player is (a typo 970 km off would otherwise
      // lock them out of the right spot for hours): only a solve moves their last known place.
      noteGuess(draft, event.playerId, event.clueId, event.at, undefined);
      return;
    }
    case 'hint-taken': {
      const competitor = competitorOf(draft, event.competitorId);
      progressOf(competitor, event.clueId).hintsTaken.push(event.hintIndex);
      competitor.points -= event.penalty;
      return;
    }
    case 'hint-released':
      (draft.releasedHints[event.clueId] ??= []).push(event.hintIndex);
      return;
    case 'hint-auto-released':
      progressOf(competitorOf(draft, event.competitorId), event.clueId).hintsAutoReleased.push(event.hintIndex);
      return;
    case 'clue-timed-out': {
      const competitor = competitorOf(draft, event.competitorId);
      progressOf(competitor, event.clueId).timedOut = true;
      advance(draft, competitor, event.clueId, event.at);
      return;
    }
    case 'clue-edited': {
      const clue = draft.clues.find((c) => c.id === event.clueId);
      if (!clue) return;
      clue.title = event.title;
      clue.text = event.text;
      clue.hints = event.hints.map((hint) => ({ ...hint }));
      // Hints that no longer exist cannot stay revealed, or a hint added later at that place
      // would show up as already revealed.
      const exists = (i: number) => i < event.hints.length;
      const released = draft.releasedHints[event.clueId];
      if (released) draft.releasedHints[event.clueId] = released.filter(exists);
      for (const competitor of Object.values(draft.competitors)) {
        const progress = competitor.progress[event.clueId];
        if (!progress) continue;
        if (!progress.hintsTaken.every(exists)) progress.hintsTaken = progress.hintsTaken.filter(exists);
        if (!progress.hintsAutoReleased.every(exists)) progress.hintsAutoReleased = progress.hintsAutoReleased.filter(exists);
      }
      return;
    }
    case 'announced': {
      const kept = (draft.announcements ??= []);
      kept.push({ message: event.message, at: event.at });
      if (kept.length > RECENT_ANNOUNCEMENTS) kept.splice(0, kept.length - RECENT_ANNOUNCEMENTS);
      return;
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown hunt event ${(unknown as { type: string }).type}`);
    }
  }
}

function applyJoin(draft: Draft<HuntState>, event: Extract<HuntEvent, { type: 'player-joined' }>): void {
  const existing = draft.players[event.playerId];
  draft.players[event.playerId] = {
    playerId: event.playerId,
    displayName: event.displayName,
    competitorId: event.competitorId,
    active: true,
    joinedAt: existing?.joinedAt ?? event.at,
    lastGuessAt: existing?.lastGuessAt ?? {},
    ...(existing?.lastFix ? { lastFix: existing.lastFix } : {}),
  };
  draft.activePlayers += 1;
  let competitor = draft.competitors[event.competitorId];
  if (!competitor) {
    competitor = {
      competitorId: event.competitorId,
      name: event.team ?? event.displayName,
      kind: event.team === undefined ? 'solo' : 'team',
      // A literal, not a push onto []: see remember().
      members: [event.playerId],
      points: 0,
      progress: {},
      resolvedClues: 0,
    };
    draft.competitors[event.competitorId] = competitor;
  } else {
    competitor.members.push(event.playerId);
  }
  delete competitor.removed;
  if (draft.status === 'running' || draft.status === 'paused') unlockOpening(draft, competitor, event.at);
}

function applyDeparture(
  draft: Draft<HuntState>,
  event: Extract<HuntEvent, { type: 'player-left' | 'player-kicked' }>,
): void {
  const player = draft.players[event.playerId];
  if (!player) return;
  if (player.active) draft.activePlayers -= 1;
  player.active = false;
  const competitor = draft.competitors[player.competitorId];
  if (competitor) {
    competitor.members = competitor.members.filter((id) => id !== event.playerId);
    if (event.type === 'player-kicked' && competitor.kind === 'solo') competitor.removed = true;
  }
  if (event.type === 'player-kicked') draft.banned[event.playerId] = event.reason;
}

function applySolve(draft: Draft<HuntState>, event: Extract<HuntEvent, { type: 'clue-solved' }>): void {
  const competitor = competitorOf(draft, event.competitorId);
  progressOf(competitor, event.clueId).solvedAt = event.at;
  competitor.points += event.points + event.bonus;
  competitor.lastScoredAt = event.at;
  noteGuess(draft, event.playerId, event.clueId, event.at, event.location);
  advance(draft, competitor, event.clueId, event.at);
}

/** Records the opening clues for a competitor: the first in a linear hunt, all in a free one. */
function unlockOpening(draft: Draft<HuntState>, competitor: Draft<Competitor>, at: number): void {
  const clock = huntClock(draft as HuntState, at);
  const opening = draft.definition?.order === 'free' ? draft.clues : draft.clues.slice(0, 1);
  for (const clue of opening) {
    if (!competitor.progress[clue.id]) competitor.progress[clue.id] = freshProgress(clock);
  }
}

/** After a clue is resolved: unlock the next one (linear) and note when the competitor finished. */
function advance(draft: Draft<HuntState>, competitor: Draft<Competitor>, clueId: string, at: number): void {
  if (draft.definition?.order === 'linear') {
    const next = draft.clues[cluePosition(draft.clues as HuntState['clues'], clueId) + 1];
    if (next && !competitor.progress[next.id]) competitor.progress[next.id] = freshProgress(huntClock(draft as HuntState, at));
  }
  // Counted, not checked clue by clue: that check cost O(clues) on every solve. A snapshot taken
  // before the count existed has none, so the first resolve after it counts once.
  const resolved = competitor.resolvedClues === undefined ? countResolved(draft, competitor) : competitor.resolvedClues + 1;
  competitor.resolvedClues = resolved;
  if (resolved >= draft.clues.length && competitor.finishedAt === undefined) competitor.finishedAt = at;
}

function countResolved(draft: Draft<HuntState>, competitor: Draft<Competitor>): number {
  let resolved = 0;
  for (const clue of draft.clues) if (isResolved(competitor.progress[clue.id] as ClueProgress | undefined)) resolved += 1;
  return resolved;
}

function noteGuess(
  draft: Draft<HuntState>,
  playerId: string,
  clueId: string,
  at: number,
  location: { latitude: number; longitude: number } | undefined,
): void {
  const player = draft.players[playerId];
  if (!player) return;
  player.lastGuessAt[clueId] = at;
  if (location) player.lastFix = { latitude: location.latitude, longitude: location.longitude, at };
}

const freshProgress = (unlockedAt: number): Draft<ClueProgress> => ({
  unlockedAt,
  wrongGuesses: 0,
  hintsTaken: [],
  hintsAutoReleased: [],
});

function competitorOf(draft: Draft<HuntState>, competitorId: string): Draft<Competitor> {
  const competitor = draft.competitors[competitorId];
  if (!competitor) throw new Error(`event names unknown competitor ${competitorId}`);
  return competitor;
}

function progressOf(competitor: Draft<Competitor>, clueId: string): Draft<ClueProgress> {
  return (competitor.progress[clueId] ??= freshProgress(0));
}
