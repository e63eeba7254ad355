import { describe, expect, it } from 'vitest';
import { decideHunt } from '../../../actors/hunt/decide-hunt.js';
import { issuerOf } from '../../../actors/hunt/hunt-commands.js';
import { RECENT_COMMANDS } from '../../../actors/hunt/hunt-state.js';
import { freeHunt, linearHunt, s, VAULT_CODE } from './definitions.js';
import {
  announce,
  answer,
  applyDecision,
  code,
  eventOf,
  given,
  givenAfter,
  join,
  kick,
  leave,
  outcomeOf,
  pointsOf,
  spawn,
  start,
  submit,
  tick,
  when,
  withId,
} from './given.js';

describe('repeated command ids', () => {
  it('a repeated correct submit returns the original event marked duplicate, and adds no points', () => {
    const base = given(spawn(linearHunt()), join('ann'), start());
    const solve = withId(submit('ann', 'riddle', answer('Nautilus'), s(10)), 'ann-solve-1');
    const { event, state } = when(base, solve);
    expect(pointsOf(state, 'ann')).toBe(100);

    const repeat = decideHunt(state, { ...solve, at: s(30) });
    expect(repeat).toEqual({ kind: 'accepted', event, duplicate: true });
    const after = applyDecision(state, repeat);
    expect(after).toBe(state);
    expect(pointsOf(after, 'ann')).toBe(100);
  });

  it('a repeat is answered with the original event even after the hunt moved on', () => {
    const base = given(spawn(linearHunt()), join('ann'), join('bob'), start());
    const solve = withId(submit('ann', 'riddle', answer('Nautilus'), s(10)), 'ann-solve-1');
    const { event, state } = when(base, solve);
    const later = givenAfter(state, submit('bob', 'riddle', answer('Titanic'), s(20)), announce('Hurry up', s(30)));
    const repeat = decideHunt(later, solve);
    expect(repeat).toEqual({ kind: 'accepted', event, duplicate: true });
    if (repeat.kind === 'accepted') expect(repeat.event.update).toBe(event.update);
  });

  it('a repeated wrong guess costs the penalty once, and is not refused as too fast', () => {
    const base = given(spawn(linearHunt()), join('ann'), start());
    const guess = withId(submit('ann', 'riddle', answer('Titanic'), s(10)), 'ann-guess-1');
    const { event, state } = when(base, guess);
    const repeat = decideHunt(state, guess);
    expect(repeat).toEqual({ kind: 'accepted', event, duplicate: true });
    expect(pointsOf(applyDecision(state, repeat), 'ann')).toBe(-5);
  });

  it('a repeated join does not consume capacity', () => {
    const first = withId(join('ann'), 'ann-join');
    const state = given(spawn(linearHunt({ maxPlayers: 2 })), first);
    const repeat = decideHunt(state, first);
    expect(repeat).toMatchObject({ kind: 'accepted', duplicate: true, event: { type: 'player-joined', playerId: 'ann' } });
    const after = applyDecision(state, repeat);
    expect(after.activePlayers).toBe(1);
    expect(outcomeOf(after, join('bob'))).toBe('accepted:player-joined');
  });

  it('a repeated join after leaving is answered with the original join, not a second join', () => {
    const first = withId(join('ann'), 'ann-join');
    const state = given(spawn(linearHunt()), first, leave('ann', s(1)));
    const repeat = decideHunt(state, { ...first, at: s(2) });
    expect(repeat).toMatchObject({ kind: 'accepted', duplicate: true, event: { type: 'player-joined', at: first.at } });
    expect(applyDecision(state, repeat).players.ann!.active).toBe(false);
  });

  it('a repeated spawn is answered with the original hunt-spawned, not hunt-exists', () => {
    const first = withId(spawn(linearHunt()), 'spawn-1');
    const state = given(first);
    expect(decideHunt(state, first)).toMatchObject({ kind: 'accepted', duplicate: true, event: { type: 'hunt-spawned', update: 1 } });
    expect(outcomeOf(state, spawn(linearHunt()))).toBe('hunt-exists');
  });

  it('a repeated kick is answered with the original kick', () => {
    const first = withId(kick('ann', s(1)), 'kick-ann');
    const state = given(spawn(linearHunt()), join('ann'), first);
    expect(decideHunt(state, first)).toMatchObject({ kind: 'accepted', duplicate: true, event: { type: 'player-kicked', playerId: 'ann' } });
  });

  it('a rejected command id is not remembered: sent again later, it is judged anew', () => {
    const attempt = withId(join('cy', s(1)), 'cy-join');
    const full = given(spawn(linearHunt({ maxPlayers: 1 })), join('ann'));
    expect(outcomeOf(full, attempt)).toBe('hunt-full');
    const freed = givenAfter(full, leave('ann', s(2)));
    expect(decideHunt(freed, attempt)).toMatchObject({ kind: 'accepted', duplicate: false, event: { type: 'player-joined' } });
  });
});

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

  it('ticks are never duplicates: the clock is not remembered', () => {
    const definition = linearHunt({ startsAt: s(10), endsAt: s(20) });
    const state = given(spawn(definition), withId(tick(s(10)), 'tick'));
    expect(state.status).toBe('running');
    expect(state.recent.clock).toBeUndefined();
    expect(decideHunt(state, withId(tick(s(20)), 'tick'))).toMatchObject({
      kind: 'accepted',
      duplicate: false,
      event: { type: 'hunt-ended', reason: 'end-time' },
    });
  });
});

describe('the window of remembered commands', () => {
  it(`an id stays recognised while fewer than ${RECENT_COMMANDS} newer commands came from that issuer`, () => {
    const first = withId(announce('First', s(0)), 'announce-0');
    let state = given(spawn(linearHunt()), first);
    // The spawn and `first` are two of the designer's remembered commands; add RECENT_COMMANDS - 1 more.
    for (let i = 1; i < RECENT_COMMANDS; i++) state = givenAfter(state, withId(announce(`Note ${i}`, s(i)), `announce-${i}`));
    expect(state.recent['staff:designer-1']).toHaveLength(RECENT_COMMANDS);
    expect(decideHunt(state, first)).toMatchObject({ kind: 'accepted', duplicate: true, event: { message: 'First' } });
  });

  it(`after ${RECENT_COMMANDS} newer commands from that issuer, an old id is treated as new`, () => {
    const first = withId(announce('First', s(0)), 'announce-0');
    let state = given(spawn(linearHunt()), first);
    for (let i = 1; i <= RECENT_COMMANDS; i++) state = givenAfter(state, withId(announce(`Note ${i}`, s(i)), `announce-${i}`));
    const decision = decideHunt(state, { ...first, at: s(100) });
    expect(decision).toMatchObject({ kind: 'accepted', duplicate: false, event: { message: 'First', update: state.updateSeq + 1 } });
  });

  it("other issuers' commands do not push an issuer's ids out of the window", () => {
    const annJoin = withId(join('ann'), 'ann-join');
    let state = given(spawn(linearHunt()), annJoin);
    for (let i = 0; i < 3 * RECENT_COMMANDS; i++) state = givenAfter(state, announce(`Note ${i}`, s(i)));
    expect(decideHunt(state, annJoin)).toMatchObject({ kind: 'accepted', duplicate: true });
  });

  it('a player with many guesses forgets only their oldest ids', () => {
    const base = given(spawn(freeHunt()), join('ann'), start());
    const firstGuess = withId(submit('ann', 'riddle', answer('wrong 0'), s(10)), 'ann-guess-0');
    let state = givenAfter(base, firstGuess);
    const secondGuess = withId(submit('ann', 'riddle', answer('wrong 1'), s(20)), 'ann-guess-1');
    state = givenAfter(state, secondGuess);
    // ann's remembered commands: join, guess-0, guess-1, then RECENT_COMMANDS - 1 more push out join and guess-0.
    for (let i = 2; i <= RECENT_COMMANDS; i++) {
      state = givenAfter(state, withId(submit('ann', 'riddle', answer(`wrong ${i}`), s(10 + 10 * i)), `ann-guess-${i}`));
    }
    expect(decideHunt(state, { ...firstGuess, at: s(1000) })).toMatchObject({ kind: 'accepted', duplicate: false });
    expect(decideHunt(state, secondGuess)).toMatchObject({ kind: 'accepted', duplicate: true });
    expect(eventOf(state, { ...firstGuess, at: s(1000) })).toMatchObject({ type: 'guess-incorrect' });
  });
});

describe('repeated command ids that no longer fit', () => {
  it('a command id reused for a different kind of command is refused, not answered with the other event', () => {
    const state = given(spawn(linearHunt()), withId(join('ann'), 'ann-1'), start());
    const reused = decideHunt(state, withId(submit('ann', 'riddle', answer('Nautilus'), s(10)), 'ann-1'));
    expect(reused).toMatchObject({ kind: 'rejected', rejection: { code: 'command-id-reused' } });
  });

  it('a kicked player repeating the command id of their first join stays out', () => {
    const first = withId(join('ann'), 'ann-join');
    const state = given(spawn(linearHunt()), first, start(), kick('ann'));
    expect(decideHunt(state, first)).toMatchObject({ kind: 'rejected', rejection: { code: 'player-banned' } });
  });
});
