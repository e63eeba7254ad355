import type { ClueView, HintView, PlayerView } from '../../protocol/views.js';
import type { HuntState } from './hunt-state.js';
import { leaderboardSlice } from './leaderboard-slice.js';

/**
 * What one player may see of a hunt (the wire types of protocol/views.ts), built only from what is
 * theirs to see: unlocked clues, revealed hints. Answers, codes and solution locations are never
 * read here.
 */
export type { ClueView, HintView, PlayerView };

/**
 * What a competitor sees of the clue at `index`: undefined while it is locked for them. Hint
 * texts appear only once revealed (released, paid for, or released by their timer).
 */
export function clueView(state: HuntState, competitorId: string, index: number): ClueView | undefined {
  const definition = state.definition;
  const clue = state.clues[index];
  const progress = clue && state.competitors[competitorId]?.progress[clue.id];
  if (!definition || !clue || !progress) return undefined;
  const maxAttempts = definition.scoring.maxAttemptsPerClue;
  const released = state.releasedHints[clue.id] ?? [];
  const hints = clue.hints.map((hint, i): HintView => {
    const revealed = released.includes(i) || progress.hintsTaken.includes(i) || progress.hintsAutoReleased.includes(i);
    return revealed ? { index: i, penalty: hint.penalty, revealed, text: hint.text } : { index: i, penalty: hint.penalty, revealed };
  });
  return {
    id: clue.id,
    title: clue.title,
    text: clue.text,
    points: clue.points,
    solveWith: definition.clues[index]!.solve.kind,
    status: progress.solvedAt !== undefined ? 'solved' : progress.timedOut ? 'timed-out' : 'open',
    wrongGuesses: progress.wrongGuesses,
    attemptsLeft: maxAttempts === undefined ? null : Math.max(0, maxAttempts - progress.wrongGuesses),
    ...(clue.timeLimitSeconds !== undefined
      ? { deadlineAt: progress.unlockedAt + clue.timeLimitSeconds * 1000 + state.pausedMs }
      : {}),
    hints,
  };
}

/** The view of `playerId`, or undefined when they never joined. */
export function playerView(state: HuntState, playerId: string): PlayerView | undefined {
  const definition = state.definition;
  const player = state.players[playerId];
  const competitor = player && state.competitors[player.competitorId];
  if (!definition || !player || !competitor) return undefined;
  const clues: ClueView[] = [];
  for (const index of state.clues.keys()) {
    const view = clueView(state, competitor.competitorId, index);
    if (view) clues.push(view);
  }

  return {
    title: definition.title,
    description: definition.description,
    status: state.status,
    order: definition.order,
    ...(definition.startsAt !== undefined ? { startsAt: definition.startsAt } : {}),
    ...(definition.endsAt !== undefined ? { endsAt: definition.endsAt } : {}),
    totalClues: state.clues.length,
    you: {
      playerId,
      displayName: player.displayName,
      competitorId: competitor.competitorId,
      ...(competitor.kind === 'team' ? { team: competitor.name } : {}),
      points: competitor.points,
    },
    clues,
    leaderboard: leaderboardSlice(state, competitor.competitorId),
    announcements: (state.announcements ?? []).map(({ message, at }) => ({ message, at })),
    updateSeq: state.updateSeq,
  };
}
