import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  initialPlayerState,
  type PlayerCommand,
  type PlayerEvent,
  type PlayerState,
} from '../../../actors/player/player-model.js';
import { decidePlayer, evolvePlayer } from '../../../actors/player/player-rules.js';

const T0 = Date.UTC(2026, 5, 1, 10, 0, 0);
const freshId = (): string => `player-cmd-${randomUUID()}`;

const rename = (displayName: string, at = T0): PlayerCommand => ({ type: 'rename', commandId: freshId(), at, displayName });
const record = (huntId: string, competitorId: string, team?: string, at = T0): PlayerCommand => ({
  type: 'record-membership',
  commandId: freshId(),
  at,
  huntId,
  competitorId,
  ...(team !== undefined ? { team } : {}),
});
const clear = (huntId: string, reason: 'left' | 'kicked' = 'left', at = T0): PlayerCommand => ({
  type: 'clear-membership',
  commandId: freshId(),
  at,
  huntId,
  reason,
});

/** The event `command` produces; fails the test when it is rejected or a duplicate. */
function eventOf(state: PlayerState, command: PlayerCommand): PlayerEvent {
  const decision = decidePlayer(state, command);
  if (decision.kind === 'rejected') throw new Error(`${command.type} rejected: ${decision.rejection.code}`);
  if (decision.duplicate) throw new Error(`${command.type} was a duplicate`);
  return decision.event;
}

/** The state after `commands`, each of which must be accepted (duplicates store nothing). */
function given(...commands: PlayerCommand[]): PlayerState {
  let state = initialPlayerState;
  for (const command of commands) {
    const decision = decidePlayer(state, command);
    if (decision.kind === 'rejected') throw new Error(`given ${command.type} rejected: ${decision.rejection.code}`);
    if (!decision.duplicate) state = evolvePlayer(state, decision.event);
  }
  return state;
}

const outcomeOf = (state: PlayerState, command: PlayerCommand): string => {
  const decision = decidePlayer(state, command);
  return decision.kind === 'rejected' ? decision.rejection.code : `accepted:${decision.event.type}`;
};

describe('rename', () => {
  it('a valid name is stored, trimmed', () => {
    const command = rename('  Ann Smith  ', T0 + 5);
    const event = eventOf(initialPlayerState, command);
    expect(event).toEqual({ type: 'player-renamed', commandId: command.commandId, at: T0 + 5, displayName: 'Ann Smith' });
    expect(evolvePlayer(initialPlayerState, event).displayName).toBe('Ann Smith');
  });

  it('a later rename replaces the name', () => {
    expect(given(rename('Ann'), rename('Annie')).displayName).toBe('Annie');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['longer than 40 characters', 'a'.repeat(41)],
    ['with a control character', 'Ann\u0000'],
  ])('a name that is %s is refused with invalid-input', (_what, displayName) => {
    expect(outcomeOf(initialPlayerState, rename(displayName))).toBe('invalid-input');
  });

  it('a refused rename leaves the old name', () => {
    const state = given(rename('Ann'));
    expect(outcomeOf(state, rename(''))).toBe('invalid-input');
    expect(state.displayName).toBe('Ann');
  });
});

describe('memberships', () => {
  it('recording a membership stores the hunt, competitor, team and since when', () => {
    const command = record('hunt-1', 't:owls', 'Owls', T0 + 10);
    const event = eventOf(initialPlayerState, command);
    expect(event).toEqual({
      type: 'membership-recorded',
      commandId: command.commandId,
      at: T0 + 10,
      huntId: 'hunt-1',
      competitorId: 't:owls',
      team: 'Owls',
    });
    expect(evolvePlayer(initialPlayerState, event).memberships).toEqual({
      'hunt-1': { huntId: 'hunt-1', competitorId: 't:owls', team: 'Owls', since: T0 + 10 },
    });
  });

  it('a solo membership has no team', () => {
    const state = given(record('hunt-1', 'p:ann'));
    expect(state.memberships['hunt-1']).toEqual({ huntId: 'hunt-1', competitorId: 'p:ann', since: T0 });
    expect(state.memberships['hunt-1']).not.toHaveProperty('team');
  });

  it('memberships of several hunts are kept side by side', () => {
    const state = given(record('hunt-1', 'p:ann'), record('hunt-2', 't:owls', 'Owls'));
    expect(Object.keys(state.memberships).sort()).toEqual(['hunt-1', 'hunt-2']);
  });

  it('clearing a membership removes only that hunt', () => {
    const state = given(record('hunt-1', 'p:ann'), record('hunt-2', 'p:ann'));
    const command = clear('hunt-1', 'kicked', T0 + 20);
    const event = eventOf(state, command);
    expect(event).toEqual({ type: 'membership-cleared', commandId: command.commandId, at: T0 + 20, huntId: 'hunt-1', reason: 'kicked' });
    expect(Object.keys(evolvePlayer(state, event).memberships)).toEqual(['hunt-2']);
  });

  it('clearing a membership of a hunt not joined is refused with not-a-member', () => {
    expect(outcomeOf(initialPlayerState, clear('hunt-1'))).toBe('not-a-member');
    expect(outcomeOf(given(record('hunt-2', 'p:ann')), clear('hunt-1'))).toBe('not-a-member');
  });

  it('clearing a membership twice is refused with not-a-member the second time', () => {
    expect(outcomeOf(given(record('hunt-1', 'p:ann'), clear('hunt-1')), clear('hunt-1'))).toBe('not-a-member');
  });

  it('a player can be recorded again in a hunt they left', () => {
    const state = given(record('hunt-1', 'p:ann', undefined, T0), clear('hunt-1'), record('hunt-1', 'p:ann', undefined, T0 + 99));
    expect(state.memberships['hunt-1']).toMatchObject({ since: T0 + 99 });
  });
});

describe('a membership recorded before the hunt decides the join', () => {
  it('is completed by the hunt with the competitor, and a second intent adds nothing', () => {
    let state = initialPlayerState;
    const intent = decidePlayer(state, { type: 'record-membership', commandId: 'j1:intent', at: 1, huntId: 'h1' });
    expect(intent.kind).toBe('accepted');
    if (intent.kind === 'accepted') state = evolvePlayer(state, intent.event);
    expect(state.memberships['h1']).toEqual({ huntId: 'h1', since: 1 });

    const again = decidePlayer(state, { type: 'record-membership', commandId: 'j2:intent', at: 2, huntId: 'h1' });
    expect(again).toMatchObject({ kind: 'rejected', rejection: { code: 'already-a-member' } });

    const confirmed = decidePlayer(state, { type: 'record-membership', commandId: 'h1#3', at: 3, huntId: 'h1', competitorId: 'p:ann' });
    expect(confirmed.kind).toBe('accepted');
    if (confirmed.kind === 'accepted') state = evolvePlayer(state, confirmed.event);
    expect(state.memberships['h1']).toEqual({ huntId: 'h1', competitorId: 'p:ann', since: 1 });
  });
});
