import type { HintDefinition } from '../definition/hunt-definition.js';
import { accept, reject } from '../decision.js';
import type { HuntCommand } from './hunt-commands.js';
import type { HuntDecision } from './decide-hunt.js';
import { HuntRejectionCode as Code } from './hunt-rejections.js';
import type { HuntState } from './hunt-state.js';
import { changesLeaders } from './scoring.js';
import { timeIsUp } from './timers.js';
import { cluePosition } from './clue-position.js';
import { stamp } from './stamp.js';
import { checkText } from './text-limits.js';

type Of<T extends HuntCommand['type']> = Extract<HuntCommand, { type: T }>;

const MAX_HINTS = 10;

export function decideHintRequest(state: HuntState, command: Of<'request-hint'>): HuntDecision {
  if (state.status === 'ended') return reject(Code.huntEnded, 'the hunt has ended');
  if (state.status !== 'running') return reject(Code.huntNotRunning, `the hunt is ${state.status}`);
  const player = state.players[command.playerId];
  if (!player?.active) return reject(Code.notJoined, 'you are not in this hunt');
  const clue = state.clues[cluePosition(state.clues, command.clueId)];
  if (!clue) return reject(Code.unknownClue, `there is no clue ${command.clueId}`);
  const competitor = state.competitors[player.competitorId];
  const progress = competitor?.progress[clue.id];
  if (!competitor || !progress) return reject(Code.clueLocked, 'this clue is not unlocked yet');
  if (progress.solvedAt !== undefined) return reject(Code.clueAlreadySolved, 'this clue is already solved');
  if (progress.timedOut || timeIsUp(state, clue, progress.unlockedAt, command.at)) {
    return reject(Code.clueTimedOut, 'the time for this clue is up');
  }
  const hint = clue.hints[command.hintIndex];
  if (!Number.isInteger(command.hintIndex) || !hint) return reject(Code.unknownHint, `clue ${clue.id} has no hint ${command.hintIndex}`);
  const visible =
    progress.hintsTaken.includes(command.hintIndex) ||
    progress.hintsAutoReleased.includes(command.hintIndex) ||
    (state.releasedHints[clue.id] ?? []).includes(command.hintIndex);
  if (visible) return reject(Code.hintAlreadyRevealed, 'you can already see this hint');
  return accept(
    stamp(state, command, {
      type: 'hint-taken',
      playerId: player.playerId,
      competitorId: player.competitorId,
      clueId: clue.id,
      hintIndex: command.hintIndex,
      penalty: hint.penalty,
      leaders: hint.penalty !== 0 && changesLeaders(state, competitor, { points: competitor.points - hint.penalty }),
    }),
  );
}

export function decideHintRelease(state: HuntState, command: Of<'release-hint'>): HuntDecision {
  if (state.status === 'ended') return reject(Code.huntEnded, 'the hunt has ended');
  const clue = state.clues[cluePosition(state.clues, command.clueId)];
  if (!clue) return reject(Code.unknownClue, `there is no clue ${command.clueId}`);
  if (!Number.isInteger(command.hintIndex) || !clue.hints[command.hintIndex]) {
    return reject(Code.unknownHint, `clue ${clue.id} has no hint ${command.hintIndex}`);
  }
  if ((state.releasedHints[clue.id] ?? []).includes(command.hintIndex)) {
    return reject(Code.hintAlreadyRevealed, 'this hint is already released to everyone');
  }
  return accept(stamp(state, command, { type: 'hint-released', clueId: clue.id, hintIndex: command.hintIndex }));
}

export function decideEditClue(state: HuntState, command: Of<'edit-clue'>): HuntDecision {
  if (state.status === 'ended') return reject(Code.huntEnded, 'the hunt has ended');
  const clue = state.clues[cluePosition(state.clues, command.clueId)];
  if (!clue) return reject(Code.unknownClue, `there is no clue ${command.clueId}`);
  if (command.title === undefined && command.text === undefined && command.hints === undefined) {
    return reject(Code.invalidInput, 'an edit needs a new title, text or hints');
  }
  const problem =
    (command.title !== undefined ? checkText(command.title, 'title', 120) : undefined) ??
    (command.text !== undefined ? checkText(command.text, 'text', 4000) : undefined) ??
    (command.hints !== undefined ? checkHints(command.hints) : undefined);
  if (problem) return reject(Code.invalidInput, problem);
  return accept(
    stamp(state, command, {
      type: 'clue-edited',
      clueId: clue.id,
      title: command.title?.trim() ?? clue.title,
      text: command.text?.trim() ?? clue.text,
      hints: command.hints ?? clue.hints,
    }),
  );
}

export function decideAnnounce(state: HuntState, command: Of<'announce'>): HuntDecision {
  const problem = checkText(command.message, 'announcement', 500);
  if (problem) return reject(Code.invalidInput, problem);
  return accept(stamp(state, command, { type: 'announced', message: command.message.trim() }));
}

function checkHints(hints: readonly HintDefinition[]): string | undefined {
  if (!Array.isArray(hints) || hints.length > MAX_HINTS) return `hints must be a list of at most ${MAX_HINTS}`;
  for (const [index, hint] of hints.entries()) {
    const textProblem = checkText(hint.text, `hint ${index} text`, 1000);
    if (textProblem) return textProblem;
    if (!Number.isInteger(hint.penalty) || hint.penalty < 0) return `hint ${index} penalty must be a whole number of at least 0`;
    const auto = hint.autoReleaseAfterSeconds;
    if (auto !== undefined && (!Number.isInteger(auto) || auto < 1)) {
      return `hint ${index} autoReleaseAfterSeconds must be a whole number of at least 1`;
    }
  }
  return undefined;
}
