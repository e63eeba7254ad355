import { describe, expect, it } from 'vitest';
import { huntChanges } from '../../../actors/hunt/hunt-changes.js';
import { freeHunt, s, VAULT_CODE } from './definitions.js';
import { answer, code, given, join, spawn, start, submit, when } from './given.js';

/** Twelve players; the first eleven solve the riddle, so the twelfth is outside the top ten. */
function crowded() {
  const players = Array.from({ length: 12 }, (_, i) => `p${String(i).padStart(2, '0')}`);
  const solves = players.slice(0, 11).map((p, i) => submit(p, 'riddle', answer('Nautilus'), s(10 + i)));
  return given(spawn(freeHunt({ maxPlayers: 50, scoring: { wrongAnswerPenalty: 5 } })), ...players.map((p) => join(p)), start(), ...solves);
}

describe('leaderboard pushes', () => {
  it('a wrong guess by a player outside the top ten changes nothing everyone sees: no leaderboard, only their own score', () => {
    const { state, event } = when(crowded(), submit('p11', 'riddle', answer('wrong'), s(60)));
    expect(event).toMatchObject({ type: 'guess-incorrect', leaders: false });
    const changes = huntChanges(state, event);
    expect(changes.all.some((c) => c.kind === 'leaderboard')).toBe(false);
    expect(changes.byCompetitor.get('p:p11')).toContainEqual({ kind: 'score', points: -5, rank: 12 });
  });

  it('a leader losing points sends everyone the new leaders', () => {
    const { state, event } = when(crowded(), submit('p00', 'tower', { kind: 'location', latitude: 0, longitude: 0 }, s(60)));
    expect(event).toMatchObject({ type: 'guess-incorrect', leaders: true });
    expect(huntChanges(state, event).all.some((c) => c.kind === 'leaderboard')).toBe(true);
  });

  it('a player climbing into the top ten sends everyone the new leaders', () => {
    const { state, event } = when(crowded(), submit('p11', 'vault', code(VAULT_CODE), s(60)));
    expect(event).toMatchObject({ type: 'clue-solved', leaders: true });
    const board = huntChanges(state, event).all.find((c) => c.kind === 'leaderboard');
    expect(board?.kind === 'leaderboard' && board.leaderboard.top.map((e) => e.competitorId)).toContain('p:p11');
  });

  it('a solve that ties the leaders but ranks behind them, because it came later, stays outside the top ten', () => {
    const { event } = when(crowded(), submit('p11', 'riddle', answer('Nautilus'), s(60)));
    expect(event).toMatchObject({ type: 'clue-solved', leaders: false });
  });

  it('a player who joins among the leaders is on everyone\'s board at once, before scoring', () => {
    const { state, event } = when(given(spawn(freeHunt({ maxPlayers: 50 })), join('ann'), start()), join('bob', s(20)));
    const board = huntChanges(state, event).all.find((c) => c.kind === 'leaderboard');
    expect(board?.kind === 'leaderboard' && board.leaderboard.top.map((e) => e.competitorId)).toEqual(['p:ann', 'p:bob']);
  });

  it('a player who joins below the top ten sends nobody a board', () => {
    const { state, event } = when(crowded(), join('late', s(70)));
    expect(huntChanges(state, event).all.some((c) => c.kind === 'leaderboard')).toBe(false);
  });
});
