import { randomUUID } from 'node:crypto';
import type { HintDefinition, HuntDefinition } from '../../../actors/definition/hunt-definition.js';
import { decideHunt, type HuntDecision } from '../../../actors/hunt/decide-hunt.js';
import { evolveHunt } from '../../../actors/hunt/evolve-hunt.js';
import type { Guess, HuntCommand } from '../../../actors/hunt/hunt-commands.js';
import type { HuntEvent } from '../../../actors/hunt/hunt-events.js';
import type { HuntRejectionCode } from '../../../actors/hunt/hunt-rejections.js';
import { initialHuntState, type HuntState } from '../../../actors/hunt/hunt-state.js';
import { T0 } from './definitions.js';

/**
 * "Given these commands, when this command, then this event or rejection": builders for commands
 * as plain data, and folds through decideHunt + evolveHunt.
 */

export const DESIGNER = 'designer-1';

/** A command id never used before (client-chosen ids are opaque to the rules). */
export const freshId = (): string => `cmd-${randomUUID()}`;

const designer = { issuer: DESIGNER } as const;

export const spawn = (definition: HuntDefinition, at = T0): HuntCommand => ({ type: 'spawn', commandId: freshId(), at, ...designer, definition });
export const start = (at = T0): HuntCommand => ({ type: 'start', commandId: freshId(), at, ...designer });
export const pause = (at = T0): HuntCommand => ({ type: 'pause', commandId: freshId(), at, ...designer });
export const resume = (at = T0): HuntCommand => ({ type: 'resume', commandId: freshId(), at, ...designer });
export const end = (at = T0): HuntCommand => ({ type: 'end', commandId: freshId(), at, ...designer });
export const tick = (at: number): HuntCommand => ({ type: 'tick', commandId: `tick-${at}`, at });

export const join = (playerId: string, at = T0, options: { displayName?: string; team?: string } = {}): HuntCommand => ({
  type: 'join',
  commandId: freshId(),
  at,
  playerId,
  displayName: options.displayName ?? `Player ${playerId}`,
  ...(options.team !== undefined ? { team: options.team } : {}),
});
export const leave = (playerId: string, at = T0): HuntCommand => ({ type: 'leave', commandId: freshId(), at, playerId });
export const kick = (playerId: string, at = T0, reason = 'shared the answers'): HuntCommand => ({
  type: 'kick',
  commandId: freshId(),
  at,
  ...designer,
  playerId,
  reason,
});

export const answer = (text: string): Guess => ({ kind: 'answer', text });
export const code = (value: string): Guess => ({ kind: 'code', code: value });
export const location = (point: { latitude: number; longitude: number }): Guess => ({
  kind: 'location',
  latitude: point.latitude,
  longitude: point.longitude,
});

export const submit = (playerId: string, clueId: string, guess: Guess, at = T0): HuntCommand => ({
  type: 'submit',
  commandId: freshId(),
  at,
  playerId,
  clueId,
  guess,
});
export const requestHint = (playerId: string, clueId: string, hintIndex: number, at = T0): HuntCommand => ({
  type: 'request-hint',
  commandId: freshId(),
  at,
  playerId,
  clueId,
  hintIndex,
});
export const releaseHint = (clueId: string, hintIndex: number, at = T0): HuntCommand => ({
  type: 'release-hint',
  commandId: freshId(),
  at,
  ...designer,
  clueId,
  hintIndex,
});
export const editClue = (
  clueId: string,
  edit: { title?: string; text?: string; hints?: readonly HintDefinition[] },
  at = T0,
): HuntCommand => ({ type: 'edit-clue', commandId: freshId(), at, ...designer, clueId, ...edit });
export const announce = (message: string, at = T0): HuntCommand => ({ type: 'announce', commandId: freshId(), at, ...designer, message });

/** `command` sent again under the id `commandId`. */
export const withId = (command: HuntCommand, commandId: string): HuntCommand => ({ ...command, commandId });

/** Applies a decision the way the entity runtime does: a duplicate stores nothing new. */
export function applyDecision(state: HuntState, decision: HuntDecision): HuntState {
  return decision.kind === 'accepted' && !decision.duplicate ? evolveHunt(state, decision.event) : state;
}

export interface History {
  readonly state: HuntState;
  /** The events stored, in order (duplicates are not stored). */
  readonly events: readonly HuntEvent[];
}

/** Folds `commands` from `state`; a rejected command fails the test, naming the command and the rejection. */
export function run(state: HuntState, ...commands: HuntCommand[]): History {
  const events: HuntEvent[] = [];
  for (const command of commands) {
    const decision = decideHunt(state, command);
    if (decision.kind === 'rejected') {
      throw new Error(
        `given command ${command.type} (${command.commandId}) was rejected: ${decision.rejection.code}: ${decision.rejection.message}`,
      );
    }
    if (!decision.duplicate) events.push(decision.event);
    state = applyDecision(state, decision);
  }
  return { state, events };
}

/** The state after `commands`, each of which must be accepted. */
export const given = (...commands: HuntCommand[]): HuntState => run(initialHuntState, ...commands).state;

/** The state after `commands` applied to `state`, each of which must be accepted. */
export const givenAfter = (state: HuntState, ...commands: HuntCommand[]): HuntState => run(state, ...commands).state;

/** The event `command` produces in `state`; fails the test when it is rejected or a duplicate. */
export function eventOf(state: HuntState, command: HuntCommand): HuntEvent {
  const decision = decideHunt(state, command);
  if (decision.kind === 'rejected') {
    throw new Error(`expected ${command.type} to be accepted, got ${decision.rejection.code}: ${decision.rejection.message}`);
  }
  if (decision.duplicate) throw new Error(`expected ${command.type} to be new, got a duplicate`);
  return decision.event;
}

/** The rejection code of `command` in `state`, or `accepted:<event type>` when it was accepted. */
export function outcomeOf(state: HuntState, command: HuntCommand): HuntRejectionCode | `accepted:${HuntEvent['type']}` {
  const decision = decideHunt(state, command);
  return decision.kind === 'rejected' ? decision.rejection.code : `accepted:${decision.event.type}`;
}

/** The state after `command`, which must be accepted, and the event it stored. */
export function when(state: HuntState, command: HuntCommand): { state: HuntState; event: HuntEvent } {
  const event = eventOf(state, command);
  return { state: evolveHunt(state, event), event };
}

/** Ticks at `at` until nothing more is due, returning the state and the events the ticks stored. */
export function tickUntilIdle(state: HuntState, at: number): History {
  const events: HuntEvent[] = [];
  for (let i = 0; i < 1000; i++) {
    const decision = decideHunt(state, tick(at));
    if (decision.kind === 'rejected') {
      if (decision.rejection.code !== 'nothing-due') throw new Error(`tick rejected: ${decision.rejection.code}`);
      return { state, events };
    }
    events.push(decision.event);
    state = evolveHunt(state, decision.event);
  }
  throw new Error('ticks never ran out of due timers');
}

/** Points of `playerId`'s competitor. */
export function pointsOf(state: HuntState, playerId: string): number {
  const player = state.players[playerId];
  if (!player) throw new Error(`no player ${playerId}`);
  const competitor = state.competitors[player.competitorId];
  if (!competitor) throw new Error(`no competitor ${player.competitorId}`);
  return competitor.points;
}

/** The competitor of `playerId`. */
export function competitorOf(state: HuntState, playerId: string) {
  const player = state.players[playerId];
  const competitor = player && state.competitors[player.competitorId];
  if (!competitor) throw new Error(`no competitor for ${playerId}`);
  return competitor;
}
