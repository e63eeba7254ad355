import { describe, expect, it } from 'vitest';
import type { HuntDefinition } from '../../../actors/definition/hunt-definition.js';
import { normaliseAnswer } from '../../../actors/definition/parse-hunt-definition.js';
import { huntSummary } from '../../../actors/hunt/hunt-summary.js';
import { initialHuntState, type HuntState } from '../../../actors/hunt/hunt-state.js';
import { compareCompetitors, leaderboard } from '../../../actors/hunt/leaderboard.js';
import { LEADERBOARD_TOP } from '../../../actors/hunt/leaderboard-slice.js';
import { playerView } from '../../../actors/hunt/player-view.js';
import {
  autoHintHunt,
  freeHunt,
  linearHunt,
  maxAttemptsHunt,
  s,
  SOLUTION_NUMBERS,
  SOLUTION_STRINGS,
  teamHunt,
  timeLimitedHunt,
  TOWER,
  VAULT_CODE,
  withClue,
} from './definitions.js';
import {
  answer,
  code,
  editClue,
  end,
  given,
  givenAfter,
  join,
  kick,
  leave,
  location,
  pause,
  releaseHint,
  requestHint,
  resume,
  spawn,
  start,
  submit,
  tick,
  tickUntilIdle,
} from './given.js';

/** Every solution of `definition`, as strings that must not appear in what a player sees. */
function solutionsOf(definition: HuntDefinition): string[] {
  const found: string[] = [];
  for (const clue of definition.clues) {
    const solve = clue.solve;
    if (solve.kind === 'answer') for (const a of solve.accepted) found.push(a, normaliseAnswer(a));
    if (solve.kind === 'code') found.push(solve.code, normaliseAnswer(solve.code));
    if (solve.kind === 'location') found.push(String(solve.latitude), String(solve.longitude));
  }
  return found;
}

/** The solutions of `definition` that appear in the JSON of `value` (case-insensitive). */
function leakedSolutions(value: unknown, definition: HuntDefinition): string[] {
  const json = JSON.stringify(value).toLowerCase();
  return solutionsOf(definition).filter((solution) => json.includes(solution.toLowerCase()));
}

describe('the leak check itself', () => {
  it('knows every solution string and number of the standard hunt', () => {
    const found = solutionsOf(linearHunt());
    for (const solution of SOLUTION_STRINGS) expect(found).toContain(solution);
    for (const number of SOLUTION_NUMBERS) expect(found).toContain(String(number));
  });

  it('finds a solution planted in a view', () => {
    expect(leakedSolutions({ text: `the answer is ${VAULT_CODE}` }, linearHunt())).toEqual([VAULT_CODE]);
    expect(leakedSolutions({ at: TOWER.latitude }, linearHunt())).toEqual([String(TOWER.latitude)]);
  });
});

describe('playerView', () => {
  it('is undefined for a player who never joined, and before the hunt is spawned', () => {
    expect(playerView(initialHuntState, 'ann')).toBeUndefined();
    expect(playerView(given(spawn(linearHunt()), join('ann')), 'bob')).toBeUndefined();
  });

  it('shows the hunt, the player and their competitor', () => {
    const view = playerView(given(spawn(linearHunt()), join('ann', undefined, { displayName: 'Ann' })), 'ann')!;
    expect(view).toMatchObject({
      title: 'Paris by night',
      description: 'Three clues across the city.',
      status: 'draft',
      order: 'linear',
      totalClues: 3,
      you: { playerId: 'ann', displayName: 'Ann', competitorId: 'p:ann', points: 0 },
      updateSeq: 2,
    });
    expect(view.you).not.toHaveProperty('team');
  });

  it('names the team of a team player', () => {
    const view = playerView(given(spawn(teamHunt()), join('ann', undefined, { team: 'Owls' })), 'ann')!;
    expect(view.you).toMatchObject({ competitorId: 't:owls', team: 'Owls' });
  });

  it('shows no clue before the start', () => {
    expect(playerView(given(spawn(linearHunt()), join('ann')), 'ann')!.clues).toEqual([]);
  });

  it('shows only unlocked clues: in a linear hunt, the first one at the start', () => {
    const view = playerView(given(spawn(linearHunt()), join('ann'), start()), 'ann')!;
    expect(view.clues).toEqual([
      {
        id: 'riddle',
        title: 'The riddle',
        text: 'I sail under the sea with Captain Nemo. What am I?',
        points: 100,
        solveWith: 'answer',
        status: 'open',
        wrongGuesses: 0,
        attemptsLeft: null,
        hints: [
          { index: 0, penalty: 10, revealed: false },
          { index: 1, penalty: 20, revealed: false },
        ],
      },
    ]);
  });

  it('says how each clue is solved, without the solution', () => {
    const view = playerView(given(spawn(freeHunt()), join('ann'), start()), 'ann')!;
    expect(view.clues.map((clue) => [clue.id, clue.solveWith])).toEqual([
      ['riddle', 'answer'],
      ['tower', 'location'],
      ['vault', 'code'],
    ]);
  });

  it('shows hint text only once the hint is revealed', () => {
    const state = given(spawn(linearHunt()), join('ann'), start());
    const before = JSON.stringify(playerView(state, 'ann'));
    expect(before).not.toContain('Jules Verne');
    expect(before).not.toContain('Twenty thousand');
    const after = givenAfter(state, requestHint('ann', 'riddle', 1, s(10)));
    const hints = playerView(after, 'ann')!.clues[0]!.hints;
    expect(hints[0]).not.toHaveProperty('text');
    expect(hints[1]).toEqual({ index: 1, penalty: 20, revealed: true, text: 'Twenty thousand leagues.' });
  });

  it('counts wrong guesses and the attempts left', () => {
    const state = given(spawn(maxAttemptsHunt(3)), join('ann'), start(), submit('ann', 'riddle', answer('Titanic'), s(10)));
    expect(playerView(state, 'ann')!.clues[0]).toMatchObject({ wrongGuesses: 1, attemptsLeft: 2 });
  });

  it('gives the wall-time deadline of a time-limited clue, later by the time paused', () => {
    const state = given(spawn(timeLimitedHunt(60)), join('ann'), start());
    expect(playerView(state, 'ann')!.clues[0]!.deadlineAt).toBe(s(60));
    const resumed = givenAfter(state, pause(s(10)), resume(s(40)));
    expect(playerView(resumed, 'ann')!.clues[0]!.deadlineAt).toBe(s(90));
    expect(playerView(given(spawn(linearHunt()), join('ann'), start()), 'ann')!.clues[0]).not.toHaveProperty('deadlineAt');
  });

  it('shows the start and end times of a scheduled hunt', () => {
    const view = playerView(given(spawn(linearHunt({ startsAt: s(60), endsAt: s(3600) })), join('ann')), 'ann')!;
    expect(view).toMatchObject({ startsAt: s(60), endsAt: s(3600) });
  });

  describe('never contains a solution', () => {
    const scenarios: [string, HuntDefinition, () => HuntState][] = [
      ['a draft hunt', linearHunt(), () => given(spawn(linearHunt()), join('ann'))],
      [
        'a linear hunt solved to the end, with wrong guesses and hints',
        linearHunt(),
        () =>
          given(
            spawn(linearHunt()),
            join('ann'),
            start(),
            requestHint('ann', 'riddle', 0, s(1)),
            submit('ann', 'riddle', answer('Titanic'), s(2)),
            submit('ann', 'riddle', answer('le nautilus'), s(5)),
            submit('ann', 'tower', location({ latitude: 48.86, longitude: 2.29 }), s(10)),
            submit('ann', 'tower', location(TOWER), s(20)),
            submit('ann', 'vault', code('qx 7731'), s(30)),
            end(s(40)),
          ),
      ],
      [
        'a free hunt with every hint released',
        freeHunt(),
        () => given(spawn(freeHunt()), join('ann'), start(), releaseHint('riddle', 0, s(1)), releaseHint('riddle', 1, s(2)), releaseHint('tower', 0, s(3))),
      ],
      [
        'a team hunt where a teammate solved clues',
        teamHunt(2),
        () =>
          given(
            spawn(teamHunt(2)),
            join('ann', undefined, { team: 'Owls' }),
            join('bob', undefined, { team: 'Owls' }),
            start(),
            submit('bob', 'riddle', answer('Nautilus'), s(5)),
            submit('bob', 'tower', location(TOWER), s(10)),
          ),
      ],
      [
        'a hunt whose clues timed out and whose hints released themselves',
        autoHintHunt(10, timeLimitedHunt(20)),
        () =>
          tickUntilIdle(
            given(spawn(autoHintHunt(10, timeLimitedHunt(20))), join('ann'), start(), submit('ann', 'riddle', answer('Nemo'), s(1))),
            s(30),
          ).state,
      ],
      [
        'a hunt with a kicked player and a player who left',
        freeHunt(),
        () =>
          given(
            spawn(freeHunt()),
            join('ann'),
            join('bob'),
            join('cy'),
            start(),
            submit('bob', 'vault', code(VAULT_CODE), s(3)),
            kick('bob', s(4)),
            submit('cy', 'riddle', answer('Nautilus'), s(5)),
            leave('cy', s(6)),
          ),
      ],
    ];

    it.each(scenarios)('in %s', (_what, definition, build) => {
      const state = build();
      for (const playerId of Object.keys(state.players)) {
        const view = playerView(state, playerId);
        expect(view).toBeDefined();
        expect(leakedSolutions(view, definition)).toEqual([]);
      }
      expect(leakedSolutions(huntSummary(state), definition)).toEqual([]);
    });
  });
});

describe('leaderboard', () => {
  /**
   * A free hunt where the vault must be solved within 60 s. At 60 s:
   *   vic 400 points, unfinished;
   *   wes 300, finished at 60 s (the vault timed out), last scored at 6 s;
   *   xia 300, finished at 60 s, last scored at 50 s;
   *   yan 300, unfinished, last scored at 30 s;
   *   zoe 0.
   */
  const definition = withClue(freeHunt(), 'vault', { timeLimitSeconds: 60 });
  const state = tickUntilIdle(
    given(
      spawn(definition),
      ...['zoe', 'yan', 'xia', 'wes', 'vic'].map((id) => join(id, undefined, { displayName: id.toUpperCase() })),
      start(),
      submit('vic', 'riddle', answer('Nautilus'), s(7)),
      submit('vic', 'vault', code(VAULT_CODE), s(8)),
      submit('wes', 'riddle', answer('Nautilus'), s(5)),
      submit('wes', 'tower', location(TOWER), s(6)),
      submit('yan', 'vault', code(VAULT_CODE), s(30)),
      submit('xia', 'riddle', answer('Nautilus'), s(40)),
      submit('xia', 'tower', location(TOWER), s(50)),
    ),
    s(60),
  ).state;

  it('the scenario is what it says', () => {
    const c = state.competitors;
    expect([c['p:vic'], c['p:wes'], c['p:xia'], c['p:yan'], c['p:zoe']].map((x) => [x!.points, x!.finishedAt, x!.lastScoredAt])).toEqual([
      [400, undefined, s(8)],
      [300, s(60), s(6)],
      [300, s(60), s(50)],
      [300, undefined, s(30)],
      [0, undefined, undefined],
    ]);
  });

  it('orders by points, then earliest finish, then earliest last score', () => {
    const board = leaderboard(state);
    expect(board.map((entry) => [entry.rank, entry.competitorId, entry.points])).toEqual([
      [1, 'p:vic', 400],
      [2, 'p:wes', 300],
      [3, 'p:xia', 300],
      [4, 'p:yan', 300],
      [5, 'p:zoe', 0],
    ]);
    expect(board[1]).toEqual({ rank: 2, competitorId: 'p:wes', name: 'WES', kind: 'solo', points: 300, solved: 2, finishedAt: s(60) });
    expect(board[0]).not.toHaveProperty('finishedAt');
  });

  it('among equal points, a finished competitor ranks before an unfinished one that scored earlier', () => {
    const xia = state.competitors['p:xia']!;
    const yan = state.competitors['p:yan']!;
    expect(xia.points).toBe(yan.points);
    expect(xia.lastScoredAt!).toBeGreaterThan(yan.lastScoredAt!);
    expect(compareCompetitors(xia, yan)).toBeLessThan(0);
    expect(leaderboard(state).findIndex((e) => e.competitorId === 'p:xia')).toBeLessThan(
      leaderboard(state).findIndex((e) => e.competitorId === 'p:yan'),
    );
  });

  it('among equal points and finish, the earlier last score ranks first', () => {
    const wes = state.competitors['p:wes']!;
    const xia = state.competitors['p:xia']!;
    expect(wes.points).toBe(xia.points);
    expect(wes.finishedAt).toBe(xia.finishedAt);
    expect(compareCompetitors(wes, xia)).toBeLessThan(0);
    expect(compareCompetitors(xia, wes)).toBeGreaterThan(0);
  });

  it('with everything else equal, the order falls back on the name, so it is total', () => {
    const tied = given(spawn(linearHunt()), join('b', undefined, { displayName: 'Bea' }), join('a', undefined, { displayName: 'Cal' }));
    expect(leaderboard(tied).map((entry) => entry.name)).toEqual(['Bea', 'Cal']);
  });

  it('leaves out a kicked solo player', () => {
    const kicked = givenAfter(state, kick('vic', s(70)));
    expect(leaderboard(kicked).map((entry) => [entry.rank, entry.competitorId])).toEqual([
      [1, 'p:wes'],
      [2, 'p:xia'],
      [3, 'p:yan'],
      [4, 'p:zoe'],
    ]);
  });

  it('every player view shows the top of the leaderboard, the player\'s own entry and the total', () => {
    for (const id of ['vic', 'wes', 'xia', 'yan', 'zoe']) {
      const slice = playerView(state, id)!.leaderboard;
      expect(slice.top).toEqual(leaderboard(state));
      expect(slice.you).toEqual(leaderboard(state).find((entry) => entry.competitorId === `p:${id}`));
      expect(slice.total).toBe(5);
    }
  });

  it(`a player outside the top ${LEADERBOARD_TOP} still sees their own entry`, () => {
    const ids = Array.from({ length: LEADERBOARD_TOP + 2 }, (_, i) => `q${String(i).padStart(2, '0')}`);
    const crowd = given(
      spawn(freeHunt({ maxPlayers: 20 })),
      ...ids.map((id) => join(id)),
      start(),
      ...ids.slice(0, LEADERBOARD_TOP + 1).map((id, i) => submit(id, 'riddle', answer('Nautilus'), s(i + 1))),
    );
    const last = ids[ids.length - 1]!;
    const slice = playerView(crowd, last)!.leaderboard;
    expect(slice.top).toHaveLength(LEADERBOARD_TOP);
    expect(slice.top.map((entry) => entry.competitorId)).not.toContain(`p:${last}`);
    expect(slice.you).toMatchObject({ competitorId: `p:${last}`, rank: LEADERBOARD_TOP + 2, points: 0 });
    expect(slice.total).toBe(LEADERBOARD_TOP + 2);
  });
});

describe('huntSummary', () => {
  it('is undefined before the hunt is spawned', () => {
    expect(huntSummary(initialHuntState)).toBeUndefined();
  });

  it('sums up a hunt: status, players, clue titles, times, leaderboard and update number', () => {
    const state = given(
      spawn(linearHunt({ maxPlayers: 5 })),
      join('ann'),
      join('bob'),
      join('cy'),
      start(s(1)),
      leave('cy', s(2)),
      submit('ann', 'riddle', answer('Nautilus'), s(3)),
      end(s(4)),
    );
    expect(huntSummary(state)).toEqual({
      title: 'Paris by night',
      status: 'ended',
      order: 'linear',
      players: 2,
      maxPlayers: 5,
      clues: [
        { id: 'riddle', title: 'The riddle' },
        { id: 'tower', title: 'The iron lady' },
        { id: 'vault', title: 'The vault' },
      ],
      startedAt: s(1),
      endedAt: s(4),
      leaderboard: leaderboard(state),
      updateSeq: 8,
    });
  });

  it('has no start or end time before the hunt starts', () => {
    const summary = huntSummary(given(spawn(linearHunt())))!;
    expect(summary).not.toHaveProperty('startedAt');
    expect(summary).not.toHaveProperty('endedAt');
    expect(summary.status).toBe('draft');
  });

  it('shows edited clue titles', () => {
    const state = given(spawn(linearHunt()), editClue('vault', { title: 'The safe' }));
    expect(huntSummary(state)!.clues[2]).toEqual({ id: 'vault', title: 'The safe' });
  });

  it('a tick of the auto-start shows in the summary', () => {
    const state = given(spawn(linearHunt({ startsAt: s(10) })), tick(s(10)));
    expect(huntSummary(state)).toMatchObject({ status: 'running', startedAt: s(10) });
  });
});
