import type { HuntEventBody } from './hunt-events.js';
import { huntClock, isResolved, type ClueProgress, type HuntState, type LiveClue } from './hunt-state.js';

/**
 * What time alone changes in a hunt: the start and end times, clue time limits and hints that
 * release themselves. Clue timers run on the hunt clock, so a pause stops them.
 */

interface ClueTimer {
  /** Hunt-clock time it falls due. */
  readonly dueAt: number;
  readonly body: HuntEventBody;
}

/**
 * The earliest timer due at wall time `at`, as the event it causes; undefined when none is. A late
 * tick (after a restart, say) thus still applies clue time-outs that fell due before the end.
 */
export function firstDueTimer(state: HuntState, at: number): HuntEventBody | undefined {
  const definition = state.definition;
  if (!definition || state.status === 'ended') return undefined;
  const endDue = definition.endsAt !== undefined && definition.endsAt <= at;
  if (state.status === 'draft') {
    if (endDue) return { type: 'hunt-ended', reason: 'end-time' };
    return definition.startsAt !== undefined && definition.startsAt <= at
      ? { type: 'hunt-started', automatic: true }
      : undefined;
  }
  let first: ClueTimer | undefined;
  if (state.status === 'running') {
    const now = huntClock(state, at);
    for (const timer of clueTimers(state)) {
      if (timer.dueAt <= now && (!first || timer.dueAt < first.dueAt)) first = timer;
    }
  }
  if (endDue && (!first || definition.endsAt! <= first.dueAt + state.pausedMs)) return { type: 'hunt-ended', reason: 'end-time' };
  return first?.body;
}

/** Whether a clue's time limit has run out at wall time `at` (a tick may not have recorded it yet). */
export function timeIsUp(state: HuntState, clue: LiveClue, unlockedAt: number, at: number): boolean {
  return clue.timeLimitSeconds !== undefined && huntClock(state, at) - unlockedAt >= clue.timeLimitSeconds * 1000;
}

/** Wall time at which the next timer falls due if nothing else happens; undefined when none will. */
export function nextTimerAt(state: HuntState): number | undefined {
  const definition = state.definition;
  if (!definition || state.status === 'ended') return undefined;
  const candidates: number[] = [];
  if (definition.endsAt !== undefined) candidates.push(definition.endsAt);
  if (state.status === 'draft' && definition.startsAt !== undefined) candidates.push(definition.startsAt);
  if (state.status === 'running') {
    for (const timer of clueTimers(state)) candidates.push(timer.dueAt + state.pausedMs);
  }
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

function* clueTimers(state: HuntState): Generator<ClueTimer> {
  const released = state.releasedHints;
  for (const competitor of Object.values(state.competitors)) {
    if (competitor.removed) continue;
    for (const clue of state.clues) {
      const progress = competitor.progress[clue.id];
      if (!progress || isResolved(progress)) continue;
      yield* timersOfClue(competitor.competitorId, clue, progress, released[clue.id] ?? []);
    }
  }
}

function* timersOfClue(
  competitorId: string,
  clue: LiveClue,
  progress: ClueProgress,
  releasedToAll: readonly number[],
): Generator<ClueTimer> {
  if (clue.timeLimitSeconds !== undefined) {
    yield {
      dueAt: progress.unlockedAt + clue.timeLimitSeconds * 1000,
      body: { type: 'clue-timed-out', competitorId, clueId: clue.id },
    };
  }
  for (const [hintIndex, hint] of clue.hints.entries()) {
    if (hint.autoReleaseAfterSeconds === undefined) continue;
    if (progress.hintsTaken.includes(hintIndex) || progress.hintsAutoReleased.includes(hintIndex)) continue;
    if (releasedToAll.includes(hintIndex)) continue;
    yield {
      dueAt: progress.unlockedAt + hint.autoReleaseAfterSeconds * 1000,
      body: { type: 'hint-auto-released', competitorId, clueId: clue.id, hintIndex },
    };
  }
}
