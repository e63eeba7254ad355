import type { SolveMethod } from '../definition/hunt-definition.js';
import type { HuntState, HuntStatus } from './hunt-state.js';
import { leaderboardSlice, type LeaderboardSlice } from './leaderboard-slice.js';

/**
 * What one player may see of a hunt. Built only from what is theirs to see: unlocked clues,
 * revealed hints. Answers, codes and locations of clues are never read here.
 */
export interface PlayerView {
  readonly title: string;
  readonly description: string;
  readonly status: HuntStatus;
  readonly order: 'linear' | 'free';
  readonly startsAt?: number;
  readonly endsAt?: number;
  readonly totalClues: number;
  readonly you: {
    readonly playerId: string;
    readonly displayName: string;
    readonly competitorId: string;
    readonly team?: string;
    readonly points: number;
  };
  readonly clues: readonly ClueView[];
  readonly leaderboard: LeaderboardSlice;
  /** The last update number folded into this view: resume from here. */
  readonly updateSeq: number;
}

export interface ClueView {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly points: number;
  /** How to solve it: which kind of guess to send. */
  readonly solveWith: SolveMethod['kind'];
  readonly status: 'open' | 'solved' | 'timed-out';
  readonly wrongGuesses: number;
  /** Wrong guesses left; null when unlimited. */
  readonly attemptsLeft: number | null;
  /** Wall time the clue's time limit runs out if the hunt is not paused again. */
  readonly deadlineAt?: number;
  readonly hints: readonly HintView[];
}

export interface HintView {
  readonly index: number;
  readonly penalty: number;
  readonly revealed: boolean;
  /** Present only once the hint is revealed to this player. */
  readonly text?: string;
}

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
    updateSeq: state.updateSeq,
  };
}
