import { describe, expect, it } from 'vitest';
import { decideHunt } from '../../../actors/hunt/decide-hunt.js';
import type { HuntCommand } from '../../../actors/hunt/hunt-commands.js';
import { leaderboard } from '../../../actors/hunt/leaderboard.js';
import { linearHunt, s, teamHunt, TOWER } from './definitions.js';
import {
  answer,
  competitorOf,
  end,
  eventOf,
  given,
  join,
  kick,
  leave,
  location,
  outcomeOf,
  pointsOf,
  spawn,
  start,
  submit,
  when,
} from './given.js';

describe('joining and leaving', () => {
  it('a player joins a solo hunt as their own competitor', () => {
    const state = given(spawn(linearHunt()));
    const { event, state: after } = when(state, join('ann', s(1), { displayName: '  Ann  ' }));
    expect(event).toMatchObject({ type: 'player-joined', playerId: 'ann', displayName: 'Ann', competitorId: 'p:ann' });
    expect(event).not.toHaveProperty('team');
    expect(after.activePlayers).toBe(1);
    expect(after.players.ann).toMatchObject({ active: true, displayName: 'Ann', competitorId: 'p:ann', joinedAt: s(1) });
    expect(after.competitors['p:ann']).toMatchObject({ kind: 'solo', name: 'Ann', members: ['ann'], points: 0 });
  });

  it('a player who joins a running hunt gets the first clue unlocked at once', () => {
    const state = given(spawn(linearHunt()), start(s(0)), join('ann', s(30)));
    expect(Object.keys(competitorOf(state, 'ann').progress)).toEqual(['riddle']);
  });

  it('a player who joins a draft hunt sees no clue until it starts', () => {
    const state = given(spawn(linearHunt()), join('ann'));
    expect(competitorOf(state, 'ann').progress).toEqual({});
  });

  it('joining twice is refused with already-joined', () => {
    expect(outcomeOf(given(spawn(linearHunt()), join('ann')), join('ann', s(1)))).toBe('already-joined');
  });

  it('a player leaves: inactive, no longer a member, and the hunt has one player fewer', () => {
    const { event, state } = when(given(spawn(linearHunt()), join('ann'), join('bob')), leave('ann', s(5)));
    expect(event).toMatchObject({ type: 'player-left', playerId: 'ann' });
    expect(state.activePlayers).toBe(1);
    expect(state.players.ann!.active).toBe(false);
    expect(state.competitors['p:ann']!.members).toEqual([]);
  });

  it('leaving without having joined is refused with not-joined', () => {
    expect(outcomeOf(given(spawn(linearHunt())), leave('ann'))).toBe('not-joined');
  });

  it('leaving twice is refused with not-joined', () => {
    expect(outcomeOf(given(spawn(linearHunt()), join('ann'), leave('ann', s(1))), leave('ann', s(2)))).toBe('not-joined');
  });

  it('a player who left and rejoins keeps their points and progress', () => {
    const state = given(
      spawn(linearHunt()),
      join('ann'),
      start(),
      submit('ann', 'riddle', answer('nautilus'), s(10)),
      leave('ann', s(20)),
      join('ann', s(30)),
    );
    expect(state.players.ann).toMatchObject({ active: true, joinedAt: s(0) });
    expect(pointsOf(state, 'ann')).toBe(100);
    const progress = competitorOf(state, 'ann').progress;
    expect(progress.riddle!.solvedAt).toBe(s(10));
    expect(Object.keys(progress).sort()).toEqual(['riddle', 'tower']);
    expect(competitorOf(state, 'ann').members).toEqual(['ann']);
    // The solved clue stays solved, and the player goes on with the next one.
    expect(outcomeOf(state, submit('ann', 'riddle', answer('nautilus'), s(40)))).toBe('clue-already-solved');
    expect(outcomeOf(state, submit('ann', 'tower', location(TOWER), s(40)))).toBe('accepted:clue-solved');
  });

  it('a player who left can no longer guess', () => {
    const state = given(spawn(linearHunt()), join('ann'), start(), leave('ann', s(5)));
    expect(outcomeOf(state, submit('ann', 'riddle', answer('nautilus'), s(10)))).toBe('not-joined');
  });

  it('a player who left stays on the leaderboard with their points', () => {
    const state = given(spawn(linearHunt()), join('ann'), start(), submit('ann', 'riddle', answer('nautilus'), s(10)), leave('ann', s(20)));
    expect(leaderboard(state)).toEqual([expect.objectContaining({ competitorId: 'p:ann', points: 100 })]);
  });

  it('joining after the hunt ended is refused with hunt-ended', () => {
    expect(outcomeOf(given(spawn(linearHunt()), start(), end(s(1))), join('ann', s(2)))).toBe('hunt-ended');
  });

  it('a player may still leave an ended hunt', () => {
    expect(outcomeOf(given(spawn(linearHunt()), join('ann'), start(), end(s(1))), leave('ann', s(2)))).toBe('accepted:player-left');
  });
});

describe('display names', () => {
  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['longer than 40 characters', 'x'.repeat(41)],
    ['with a control character', 'Ann\u0007'],
    ['with a newline inside', 'Ann\nBob'],
  ])('a display name %s is refused with invalid-input', (_what, displayName) => {
    expect(outcomeOf(given(spawn(linearHunt())), join('ann', undefined, { displayName }))).toBe('invalid-input');
  });

  it('a display name of exactly 40 characters (after trimming) is accepted', () => {
    const displayName = `  ${'x'.repeat(40)}  `;
    expect(eventOf(given(spawn(linearHunt())), join('ann', undefined, { displayName }))).toMatchObject({ displayName: 'x'.repeat(40) });
  });
});

describe('capacity', () => {
  const small = linearHunt({ maxPlayers: 2 });

  it('a join beyond maxPlayers is refused with hunt-full', () => {
    const state = given(spawn(small), join('ann'), join('bob'));
    expect(state.activePlayers).toBe(2);
    expect(outcomeOf(state, join('cy'))).toBe('hunt-full');
  });

  it('a leave frees a slot for someone else', () => {
    const state = given(spawn(small), join('ann'), join('bob'), leave('ann', s(1)));
    expect(outcomeOf(state, join('cy', s(2)))).toBe('accepted:player-joined');
  });

  it('a player who left cannot rejoin a hunt that filled up meanwhile', () => {
    const state = given(spawn(small), join('ann'), join('bob'), leave('ann', s(1)), join('cy', s(2)));
    expect(outcomeOf(state, join('ann', s(3)))).toBe('hunt-full');
  });

  it('a kick frees a slot too', () => {
    const state = given(spawn(small), join('ann'), join('bob'), kick('ann', s(1)));
    expect(state.activePlayers).toBe(1);
    expect(outcomeOf(state, join('cy', s(2)))).toBe('accepted:player-joined');
  });
});

describe('teams', () => {
  it('a team hunt needs a team name: without one the join is refused with team-required', () => {
    expect(outcomeOf(given(spawn(teamHunt())), join('ann'))).toBe('team-required');
  });

  it('a team name in a solo hunt is refused with teams-disabled', () => {
    expect(outcomeOf(given(spawn(linearHunt())), join('ann', undefined, { team: 'Owls' }))).toBe('teams-disabled');
  });

  it.each([
    ['empty', ''],
    ['only punctuation', '!!!'],
    ['longer than 40 characters', 'o'.repeat(41)],
  ])('a team name %s is refused with invalid-input', (_what, team) => {
    expect(outcomeOf(given(spawn(teamHunt())), join('ann', undefined, { team }))).toBe('invalid-input');
  });

  it('a team name that is not text (a malformed command) is refused with invalid-input, not thrown', () => {
    const malformed = { ...join('ann'), team: 42 } as unknown as HuntCommand;
    expect(() => decideHunt(given(spawn(teamHunt())), malformed)).not.toThrow();
    expect(outcomeOf(given(spawn(teamHunt())), malformed)).toBe('invalid-input');
  });

  it('a display name that is not text (a malformed command) is refused with invalid-input', () => {
    const malformed = { ...join('ann'), displayName: null } as unknown as HuntCommand;
    expect(outcomeOf(given(spawn(linearHunt())), malformed)).toBe('invalid-input');
  });

  it('the first player names the team; the team is the competitor', () => {
    const { event, state } = when(given(spawn(teamHunt())), join('ann', undefined, { team: ' Night Owls ' }));
    expect(event).toMatchObject({ type: 'player-joined', competitorId: 't:night owls', team: 'Night Owls' });
    expect(state.competitors['t:night owls']).toMatchObject({ kind: 'team', name: 'Night Owls', members: ['ann'] });
  });

  it('team names that differ only by case, accents, punctuation or spacing are the same team', () => {
    const state = given(spawn(teamHunt(4)), join('ann', undefined, { team: 'Les Hiboux' }));
    for (const [player, team] of [
      ['bob', 'les hiboux'],
      ['cy', 'LES  HIBOUX!'],
      ['dee', 'Lés-Hïboux'],
    ] as const) {
      const event = eventOf(state, join(player, undefined, { team }));
      expect(event).toMatchObject({ competitorId: 't:les hiboux', team: 'Les Hiboux' });
    }
    const full = given(
      spawn(teamHunt(4)),
      join('ann', undefined, { team: 'Les Hiboux' }),
      join('bob', undefined, { team: 'les hiboux' }),
      join('cy', undefined, { team: 'LES  HIBOUX!' }),
    );
    expect(Object.keys(full.competitors)).toEqual(['t:les hiboux']);
    expect(full.competitors['t:les hiboux']!.members).toEqual(['ann', 'bob', 'cy']);
  });

  it('a join to a team at maxTeamSize is refused with team-full', () => {
    const state = given(spawn(teamHunt(2)), join('ann', undefined, { team: 'Owls' }), join('bob', undefined, { team: 'owls' }));
    expect(outcomeOf(state, join('cy', undefined, { team: 'OWLS' }))).toBe('team-full');
    expect(outcomeOf(state, join('cy', undefined, { team: 'Larks' }))).toBe('accepted:player-joined');
  });

  it('a member who leaves frees a place in the team', () => {
    const state = given(
      spawn(teamHunt(2)),
      join('ann', undefined, { team: 'Owls' }),
      join('bob', undefined, { team: 'Owls' }),
      leave('bob', s(1)),
    );
    expect(state.competitors['t:owls']!.members).toEqual(['ann']);
    expect(outcomeOf(state, join('cy', s(2), { team: 'Owls' }))).toBe('accepted:player-joined');
  });

  it('team members share points and progress', () => {
    const state = given(
      spawn(teamHunt(2)),
      join('ann', undefined, { team: 'Owls' }),
      join('bob', undefined, { team: 'Owls' }),
      start(),
      submit('ann', 'riddle', answer('nautilus'), s(10)),
    );
    expect(pointsOf(state, 'ann')).toBe(100);
    expect(pointsOf(state, 'bob')).toBe(100);
    expect(Object.keys(competitorOf(state, 'bob').progress).sort()).toEqual(['riddle', 'tower']);
  });
});

describe('kicks', () => {
  it('a kicked player is banned: rejoining is refused with player-banned', () => {
    const { event, state } = when(given(spawn(linearHunt()), join('ann')), kick('ann', s(1), ' spoilers '));
    expect(event).toMatchObject({ type: 'player-kicked', playerId: 'ann', reason: 'spoilers', issuer: 'staff:designer-1' });
    expect(state.banned).toEqual({ ann: 'spoilers' });
    expect(state.players.ann!.active).toBe(false);
    expect(state.activePlayers).toBe(0);
    expect(outcomeOf(state, join('ann', s(2)))).toBe('player-banned');
  });

  it('a kicked solo player leaves the leaderboard', () => {
    const state = given(
      spawn(linearHunt()),
      join('ann'),
      join('bob'),
      start(),
      submit('ann', 'riddle', answer('nautilus'), s(10)),
      kick('ann', s(20)),
    );
    expect(state.competitors['p:ann']!.removed).toBe(true);
    expect(leaderboard(state).map((entry) => entry.competitorId)).toEqual(['p:bob']);
  });

  it('a kicked team member leaves the team, but the team stays on the leaderboard', () => {
    const state = given(
      spawn(teamHunt(2)),
      join('ann', undefined, { team: 'Owls' }),
      join('bob', undefined, { team: 'Owls' }),
      start(),
      submit('ann', 'riddle', answer('nautilus'), s(10)),
      kick('ann', s(20)),
    );
    expect(state.competitors['t:owls']!.members).toEqual(['bob']);
    expect(leaderboard(state)).toEqual([expect.objectContaining({ competitorId: 't:owls', points: 100 })]);
    expect(outcomeOf(state, join('ann', s(30), { team: 'Owls' }))).toBe('player-banned');
  });

  it('a player who left can still be kicked, which bans them', () => {
    const state = given(spawn(linearHunt()), join('ann'), leave('ann', s(1)), kick('ann', s(2)));
    expect(state.activePlayers).toBe(0);
    expect(outcomeOf(state, join('ann', s(3)))).toBe('player-banned');
  });

  it('kicking a player who never joined is refused with not-joined', () => {
    expect(outcomeOf(given(spawn(linearHunt())), kick('ann'))).toBe('not-joined');
  });

  it('kicking a player twice is refused with not-joined', () => {
    expect(outcomeOf(given(spawn(linearHunt()), join('ann'), kick('ann', s(1))), kick('ann', s(2)))).toBe('not-joined');
  });

  it('a kick without a reason is refused with invalid-input', () => {
    expect(outcomeOf(given(spawn(linearHunt()), join('ann')), kick('ann', s(1), '  '))).toBe('invalid-input');
  });

  it('a kicked player can no longer guess', () => {
    const state = given(spawn(linearHunt()), join('ann'), start(), kick('ann', s(1)));
    expect(outcomeOf(state, submit('ann', 'riddle', answer('nautilus'), s(10)))).toBe('not-joined');
  });
});
