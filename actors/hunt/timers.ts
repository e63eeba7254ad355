import type { HuntEventBody } from './hunt-events.js';
import { huntIndexOf } from './hunt-index.js';
import { huntClock, type HuntState, type LiveClue } from './hunt-state.js';
import type { ClueTimer } from './timer-index.js';

/**
 * What time alone changes in a hunt: the start and end times, clue time limits and hints that
 * release themselves. Clue timers run on the hunt clock, so a pause stops them. The clue timers
 * come from the hunt's timer index (hunt-index.ts), so asking costs O(log n), not a walk over
 * every competitor and clue.
 */

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
    const earliest = huntIndexOf(state).timers.earliest();
    if (earliest && earliest.dueAt <= huntClock(state, at)) first = earliest;
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
  let next = definition.endsAt;
  const earlier = (at: number | undefined) => {
    if (at !== undefined && (next === undefined || at < next)) next = at;
  };
  if (state.status === 'draft') earlier(definition.startsAt);
  if (state.status === 'running') {
    const earliest = huntIndexOf(state).timers.earliest();
    if (earliest) earlier(earliest.dueAt + state.pausedMs);
  }
  return next;
}
