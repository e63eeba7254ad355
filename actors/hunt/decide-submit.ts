import type { SolveMethod } from '../definition/hunt-definition.js';
import { normaliseAnswer } from '../definition/parse-hunt-definition.js';
import { accept, type Rejection } from '../decision.js';
import { distanceMetres, type GeoPoint } from '../geo.js';
import type { Guess, HuntCommand } from './hunt-commands.js';
import type { HuntDecision } from './decide-hunt.js';
import { HuntRejectionCode as Code } from './hunt-rejections.js';
import { huntClock, type HuntState, type PlayerRecord } from './hunt-state.js';
import { changesLeaders } from './scoring.js';
import { checkText } from './text-limits.js';
import { cluePosition } from './clue-position.js';
import { stamp } from './stamp.js';
import { timeIsUp } from './timers.js';

type Submit = Extract<HuntCommand, { type: 'submit' }>;

/** GPS fixes wander: this much apparent movement is never counted as travel. */
const GPS_JITTER_METRES = 50;
const MAX_GUESS_LENGTH = 500;

export function decideSubmit(state: HuntState, command: Submit): HuntDecision {
  const refusal = checkSubmit(state, command);
  if (refusal) return { kind: 'rejected', rejection: refusal };

  const definition = state.definition!;
  const player = state.players[command.playerId]!;
  const competitor = state.competitors[player.competitorId]!;
  const position = cluePosition(state.clues, command.clueId);
  const clue = state.clues[position]!;
  const solve = definition.clues[position]!.solve;
  const progress = competitor.progress[clue.id]!;
  const location = command.guess.kind === 'location' ? pointOf(command.guess) : undefined;

  if (isCorrect(solve, command.guess)) {
    const bonus = definition.scoring.speedBonus;
    const elapsed = huntClock(state, command.at) - progress.unlockedAt;
    const earned = clue.points + (bonus && elapsed <= bonus.withinSeconds * 1000 ? bonus.points : 0);
    return accept(
      stamp(state, command, {
        type: 'clue-solved',
        playerId: player.playerId,
        competitorId: competitor.competitorId,
        clueId: clue.id,
        points: clue.points,
        bonus: earned - clue.points,
        ...(location ? { location } : {}),
        // A solve also counts in the solved column, so it changes a leader's entry even at 0 points.
        leaders: changesLeaders(state, competitor, { points: competitor.points + earned, lastScoredAt: command.at }),
      }),
    );
  }
  const max = definition.scoring.maxAttemptsPerClue;
  const penalty = definition.scoring.wrongAnswerPenalty;
  return accept(
    stamp(state, command, {
      type: 'guess-incorrect',
      playerId: player.playerId,
      competitorId: competitor.competitorId,
      clueId: clue.id,
      penalty,
      attemptsLeft: max === undefined ? null : Math.max(0, max - progress.wrongGuesses - 1),
      ...(location ? { location } : {}),
      leaders: penalty !== 0 && changesLeaders(state, competitor, { points: competitor.points - penalty }),
    }),
  );
}

/** Why the guess cannot be judged at all, or undefined when it can. */
function checkSubmit(state: HuntState, command: Submit): Rejection<Code> | undefined {
  const definition = state.definition!;
  if (state.status === 'ended') return { code: Code.huntEnded, message: 'the hunt has ended' };
  if (state.status !== 'running') return { code: Code.huntNotRunning, message: `the hunt is ${state.status}` };
  const player = state.players[command.playerId];
  if (!player?.active) return { code: Code.notJoined, message: 'you are not in this hunt' };
  const position = cluePosition(state.clues, command.clueId);
  const clue = state.clues[position];
  const solve = definition.clues[position]?.solve;
  if (!clue || !solve) return { code: Code.unknownClue, message: `there is no clue ${command.clueId}` };
  const progress = state.competitors[player.competitorId]?.progress[clue.id];
  if (!progress) return { code: Code.clueLocked, message: 'this clue is not unlocked yet' };
  if (progress.solvedAt !== undefined) return { code: Code.clueAlreadySolved, message: 'this clue is already solved' };
  if (progress.timedOut || timeIsUp(state, clue, progress.unlockedAt, command.at)) return { code: Code.clueTimedOut, message: 'the time for this clue is up' };
  const max = definition.scoring.maxAttemptsPerClue;
  if (max !== undefined && progress.wrongGuesses >= max) {
    return { code: Code.attemptsExhausted, message: `no attempts left on this clue (${max} allowed)` };
  }
  const inputProblem = checkGuess(command.guess, solve);
  if (inputProblem) return inputProblem;
  const lastGuess = player.lastGuessAt[clue.id];
  const minGap = definition.guessing.minSecondsBetweenGuesses * 1000;
  if (lastGuess !== undefined && command.at - lastGuess < minGap) {
    // The same guess is judged once the gap has passed: say when, so that a client can retry it.
    const retryAfterMs = minGap - (command.at - lastGuess);
    return { code: Code.tooFast, message: `wait ${Math.ceil(retryAfterMs / 1000)} s before guessing again`, retryAfterMs };
  }
  if (command.guess.kind === 'location') {
    const waitMs = travelWaitMs(player, pointOf(command.guess), command.at, definition.guessing.maxTravelSpeedKmh);
    // Time alone lifts it, like too-fast: say when the same guess would be judged.
    if (waitMs > 0) {
      return {
        code: Code.impossibleTravel,
        message: `that location is too far from the last place you solved a clue to have travelled there at ${definition.guessing.maxTravelSpeedKmh} km/h: it can be judged in ${describeWait(waitMs)}`,
        retryAfterMs: waitMs,
      };
    }
  }
  return undefined;
}

function checkGuess(guess: Guess, solve: SolveMethod): Rejection<Code> | undefined {
  if (guess.kind !== solve.kind) {
    return { code: Code.wrongGuessKind, message: `this clue is solved with ${solveNoun[solve.kind]}` };
  }
  if (guess.kind === 'location') {
    const valid =
      Number.isFinite(guess.latitude) && Math.abs(guess.latitude) <= 90 &&
      Number.isFinite(guess.longitude) && Math.abs(guess.longitude) <= 180;
    return valid ? undefined : { code: Code.invalidInput, message: 'latitude must be within ±90 and longitude within ±180' };
  }
  // The same rules as every other text a person types (blank, length, control characters).
  const [text, what] = guess.kind === 'answer' ? [guess.text, 'an answer'] : [guess.code, 'a code'];
  const problem = checkText(text, what, MAX_GUESS_LENGTH);
  return problem === undefined ? undefined : { code: Code.invalidInput, message: problem };
}

const solveNoun = { answer: 'an answer', location: 'a location', code: 'a code' } as const;

/** Whether `guess` solves a clue solved by `solve` (answers and codes compared normalised). */
export function isCorrect(solve: SolveMethod, guess: Guess): boolean {
  switch (solve.kind) {
    case 'answer':
      return guess.kind === 'answer' && solve.accepted.some((a) => normaliseAnswer(a) === normaliseAnswer(guess.text));
    case 'code':
      return guess.kind === 'code' && normaliseAnswer(solve.code) === normaliseAnswer(guess.code);
    case 'location':
      return guess.kind === 'location' && distanceMetres(solve, guess) <= solve.radiusMetres;
  }
}

/**
 * How long until travelling from the player's last known place (where they last solved a
 * location clue) to `point` is possible at `maxKmh`; 0 when it already is.
 */
function travelWaitMs(player: PlayerRecord, point: GeoPoint, at: number, maxKmh: number): number {
  const last = player.lastFix;
  if (!last) return 0;
  const metres = Math.max(0, distanceMetres(last, point) - GPS_JITTER_METRES);
  if (metres === 0) return 0;
  const neededMs = Math.ceil((metres / 1000 / maxKmh) * 3_600_000);
  return Math.max(0, last.at + neededMs - at);
}

/** A wait in words a player can act on: "6 h 28 min", "12 min", "40 s". */
function describeWait(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (ms < 60_000) return `${Math.ceil(ms / 1000)} s`;
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const pointOf = (guess: { latitude: number; longitude: number }): GeoPoint => ({
  latitude: guess.latitude,
  longitude: guess.longitude,
});
