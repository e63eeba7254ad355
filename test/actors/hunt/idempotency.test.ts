import { describe, expect, it } from 'vitest';
import { decideHunt, repeatHuntCommand } from '../../../actors/hunt/decide-hunt.js';
import { issuerOf } from '../../../actors/hunt/hunt-commands.js';
import { freeHunt, linearHunt, s, VAULT_CODE } from './definitions.js';
import { announce, answer, code, given, givenAfter, join, kick, leave, spawn, start, submit, tick, when, withId } from './given.js';

/*
 * The hunt's part in recognising repeated commands. The runtime finds a command's first outcome
 * in the journal's ledger (test/actors/runtime/command-ledger.test.ts); the hunt says whom a
 * command counts as and how a repeat is answered now.
 */

describe('who a command counts as', () => {
  it('the same command id from a different player is a different command', () => {
    const base = given(spawn(freeHunt()), join('ann'), join('bob'), start());
    const state = givenAfter(base, withId(submit('ann', 'riddle', answer('Nautilus'), s(10)), 'guess-1'));
    const decision = decideHunt(state, withId(submit('bob', 'vault', code(VAULT_CODE), s(10)), 'guess-1'));
    expect(decision).toMatchObject({
      kind: 'accepted',
      duplicate: false,
      event: { type: 'clue-solved', playerId: 'bob', clueId: 'vault' },
    });
  });

  it('the same command id from a designer and a player are different commands', () => {
    const state = given(spawn(linearHunt()), withId(announce('Welcome'), 'c-1'));
    expect(decideHunt(state, withId(join('ann'), 'c-1'))).toMatchObject({ kind: 'accepted', duplicate: false });
  });

  it('a kick counts as its designer, not as the kicked player', () => {
    const command = kick('ann');
    expect(issuerOf(command)).toBe('staff:designer-1');
    expect(issuerOf(join('ann'))).toBe('player:ann');
    expect(issuerOf(tick(s(1)))).toBe('clock');
  });
});

describe('repeats that no longer fit their first outcome', () => {
  it('a command id reused for a different kind of command is refused, not answered with the other event', () => {
    const first = withId(join('ann'), 'ann-1');
    const { event, state } = when(given(spawn(linearHunt())), first);
    const reused = repeatHuntCommand(state, withId(submit('ann', 'riddle', answer('Nautilus'), s(10)), 'ann-1'), event);
    expect(reused).toMatchObject({ kind: 'rejected', rejection: { code: 'command-id-reused' } });
  });

  it('a kicked player repeating the command id of their first join stays out', () => {
    const first = withId(join('ann'), 'ann-join');
    const { event, state } = when(given(spawn(linearHunt())), first);
    const kicked = givenAfter(state, start(), kick('ann'));
    expect(repeatHuntCommand(kicked, first, event)).toMatchObject({ kind: 'rejected', rejection: { code: 'player-banned' } });
  });

  it('any other repeat is answered with its first event, marked duplicate, whatever happened since', () => {
    const first = withId(join('ann'), 'ann-join');
    const { event, state } = when(given(spawn(linearHunt())), first);
    const left = givenAfter(state, leave('ann', s(1)));
    expect(repeatHuntCommand(left, { ...first, at: s(2) }, event)).toEqual({ kind: 'accepted', event, duplicate: true });
  });
});
