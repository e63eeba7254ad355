import { describe, expect, it } from 'vitest';
import { distanceMetres } from '../../../actors/geo.js';
import { decideHunt } from '../../../actors/hunt/decide-hunt.js';
import { huntClock, type HuntState } from '../../../actors/hunt/hunt-state.js';
import { playerView } from '../../../actors/hunt/player-view.js';
import {
  freeHunt,
  linearHunt,
  maxAttemptsHunt,
  min,
  north,
  s,
  speedBonusHunt,
  teamHunt,
  timeLimitedHunt,
  TOWER,
  towerClue,
  VAULT_CODE,
} from './definitions.js';
import {
  answer,
  code,
  competitorOf,
  end,
  eventOf,
  given,
  givenAfter,
  join,
  location,
  outcomeOf,
  pause,
  pointsOf,
  requestHint,
  resume,
  spawn,
  start,
  submit,
  tick,
  when,
} from './given.js';

/** Ann in a running hunt started at T0. */
const annIn = (definition = linearHunt()) => given(spawn(definition), join('ann'), start());

describe('answers', () => {
  it('a correct answer solves the clue and scores its points', () => {
    const { event, state } = when(annIn(), submit('ann', 'riddle', answer('Nautilus'), s(10)));
    expect(event).toMatchObject({
      type: 'clue-solved',
      playerId: 'ann',
      competitorId: 'p:ann',
      clueId: 'riddle',
      points: 100,
      bonus: 0,
    });
    expect(event).not.toHaveProperty('location');
    expect(pointsOf(state, 'ann')).toBe(100);
    expect(competitorOf(state, 'ann').progress.riddle!.solvedAt).toBe(s(10));
    expect(competitorOf(state, 'ann').lastScoredAt).toBe(s(10));
  });

  it.each([
    ['upper case', 'NAUTILUS'],
    ['surrounding spaces', '   nautilus  '],
    ['accents', 'Naûtilüs'],
    ['punctuation', 'Nautilus!?'],
    ['inner whitespace runs', 'le \u00a0  nautilus'],
    ['a line break at the end (trimmed like spaces)', 'Nautilus\r\n'],
    ['full-width letters', 'Ｎａｕｔｉｌｕｓ'],
    ['punctuation for spaces', 'LE-NAUTILUS'],
    ['composed accents', 'Le Nautílus.'],
  ])('answers are compared after normalisation: %s (%j) is correct', (_what, text) => {
    expect(eventOf(annIn(), submit('ann', 'riddle', answer(text), s(10)))).toMatchObject({ type: 'clue-solved' });
  });

  it('any of several accepted answers solves the clue', () => {
    expect(outcomeOf(annIn(), submit('ann', 'riddle', answer('Nautilus'), s(10)))).toBe('accepted:clue-solved');
    expect(outcomeOf(annIn(), submit('ann', 'riddle', answer('Le Nautilus'), s(10)))).toBe('accepted:clue-solved');
  });

  it('an answer that only contains an accepted answer is wrong', () => {
    expect(outcomeOf(annIn(), submit('ann', 'riddle', answer('The Nautilus submarine'), s(10)))).toBe('accepted:guess-incorrect');
    expect(outcomeOf(annIn(), submit('ann', 'riddle', answer('Nautilu'), s(10)))).toBe('accepted:guess-incorrect');
  });

  it('spaces between words are not ignored, as the README says: "LeNautilus" is not "Le Nautilus"', () => {
    expect(outcomeOf(annIn(), submit('ann', 'riddle', answer('LeNautilus'), s(10)))).toBe('accepted:guess-incorrect');
    expect(outcomeOf(annIn(), submit('ann', 'riddle', answer('Le-Nautilus!'), s(10)))).toBe('accepted:clue-solved');
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['longer than 500 characters', 'n'.repeat(501)],
    ['the right answer with a NUL inside', 'Nauti\u0000lus'],
    ['the right answer with a tab inside', 'Le\tNautilus'],
    ['the right answer with an escape sequence', 'Nautilus\u001b[2J'],
    ['the right answer with a C1 control (CSI)', 'Nautilus\u009b'],
    ['the right answer after a bell', '\u0007Nautilus'],
  ])('an answer that is %s is refused with invalid-input', (_what, text) => {
    expect(outcomeOf(annIn(), submit('ann', 'riddle', answer(text), s(10)))).toBe('invalid-input');
  });

  it('a guess with a control character is refused before it is judged: no event, and a guess right after has both attempts left', () => {
    const state = annIn(maxAttemptsHunt(2));
    const decision = decideHunt(state, submit('ann', 'riddle', answer('Titan\u0000ic'), s(10)));
    expect(decision).toMatchObject({ kind: 'rejected', rejection: { code: 'invalid-input', message: expect.stringMatching(/control characters/) } });
    // Nothing to store, so the state is the one before: a guess right away is judged, with both attempts left.
    expect(eventOf(state, submit('ann', 'riddle', answer('Titanic'), s(10)))).toMatchObject({ type: 'guess-incorrect', attemptsLeft: 1 });
  });
});

describe('locations', () => {
  const state = annIn(freeHunt());

  it('a location 20 m from the spot (radius 50 m) solves the clue and records where', () => {
    const near = north(TOWER, 20);
    expect(distanceMetres(TOWER, near)).toBeCloseTo(20, 3);
    const event = eventOf(state, submit('ann', 'tower', location(near), s(10)));
    expect(event).toMatchObject({ type: 'clue-solved', clueId: 'tower', points: 200, location: near });
  });

  it('a location 500 m from the spot is a wrong guess, with the location recorded in the event but not taken as where the player is', () => {
    const far = north(TOWER, 500);
    expect(distanceMetres(TOWER, far)).toBeCloseTo(500, 3);
    const { event, state: after } = when(state, submit('ann', 'tower', location(far), s(10)));
    expect(event).toMatchObject({ type: 'guess-incorrect', clueId: 'tower', penalty: 5, location: far });
    expect(after.players.ann!.lastFix).toBeUndefined();
  });

  it('a solve is taken as where the player is', () => {
    const { state: after } = when(state, submit('ann', 'tower', location(TOWER), s(10)));
    expect(after.players.ann!.lastFix).toEqual({ ...TOWER, at: s(10) });
  });

  it.each([
    ['latitude above 90', { latitude: 90.5, longitude: 2 }],
    ['longitude below -180', { latitude: 48, longitude: -180.5 }],
    ['latitude not a number', { latitude: Number.NaN, longitude: 2 }],
    ['longitude infinite', { latitude: 48, longitude: Number.POSITIVE_INFINITY }],
  ])('a location with %s is refused with invalid-input', (_what, point) => {
    expect(outcomeOf(state, submit('ann', 'tower', location(point), s(10)))).toBe('invalid-input');
  });

  // A second location clue, anywhere: what matters is where the player last solved one.
  const twoSpots = annIn(freeHunt({ clues: [...freeHunt().clues, { ...towerClue, id: 'gate', title: 'The gate' }] }));

  it('a location 100 km from where the player solved a clue 1 minute before is impossible-travel, with the wait in ms and in words', () => {
    const faraway = north(TOWER, 100_000);
    expect(distanceMetres(TOWER, faraway) / 1000).toBeCloseTo(100, 3);
    const solved = givenAfter(twoSpots, submit('ann', 'tower', location(TOWER), min(1)));
    const decision = decideHunt(solved, submit('ann', 'gate', location(faraway), min(2)));
    // 100 km less the 50 m of GPS jitter at 150 km/h: 39.98 min after the solve, 38.98 from now.
    const expected = Math.ceil(((100_000 - 50) / 1000 / 150) * 3_600_000) - 60_000;
    expect(decision).toMatchObject({ kind: 'rejected', rejection: { code: 'impossible-travel', message: expect.stringMatching(/judged in 39 min$/) } });
    const waitMs = decision.kind === 'rejected' ? decision.rejection.retryAfterMs : undefined;
    expect(Math.abs(waitMs! - expected)).toBeLessThan(10);
  });

  it('the same guess is judged once the wait has passed', () => {
    const solved = givenAfter(twoSpots, submit('ann', 'tower', location(TOWER), min(1)));
    expect(outcomeOf(solved, submit('ann', 'gate', location(north(TOWER, 100_000)), min(41)))).toBe('accepted:guess-incorrect');
  });

  it('a typo 970 km off does not lock the player out of the right spot', () => {
    const typo = north(TOWER, 970_000);
    const afterTypo = givenAfter(state, submit('ann', 'tower', location(typo), s(10)));
    expect(eventOf(afterTypo, submit('ann', 'tower', location(TOWER), s(30)))).toMatchObject({ type: 'clue-solved', clueId: 'tower' });
  });

  it('small moves within GPS jitter are never impossible travel, even a second apart', () => {
    const afterFirst = givenAfter(state, submit('ann', 'tower', location(north(TOWER, 500)), s(10)));
    expect(outcomeOf(afterFirst, submit('ann', 'tower', location(north(TOWER, 530)), s(12)))).toBe('accepted:guess-incorrect');
  });
});

describe('codes', () => {
  it('the code solves its clue, compared like answers', () => {
    const state = annIn(freeHunt());
    expect(eventOf(state, submit('ann', 'vault', code(VAULT_CODE), s(10)))).toMatchObject({ type: 'clue-solved', points: 300 });
    expect(outcomeOf(state, submit('ann', 'vault', code('qx 7731'), s(10)))).toBe('accepted:clue-solved');
  });

  it('a wrong code is a wrong guess', () => {
    expect(outcomeOf(annIn(freeHunt()), submit('ann', 'vault', code('QX-7732'), s(10)))).toBe('accepted:guess-incorrect');
  });

  it('an empty code is refused with invalid-input', () => {
    expect(outcomeOf(annIn(freeHunt()), submit('ann', 'vault', code(' '), s(10)))).toBe('invalid-input');
  });

  it('the right code with a control character inside is refused with invalid-input', () => {
    expect(outcomeOf(annIn(freeHunt()), submit('ann', 'vault', code(`${VAULT_CODE}\u0000`), s(10)))).toBe('invalid-input');
  });
});

describe('guess kinds', () => {
  const state = annIn(freeHunt());

  it.each([
    ['a location for an answer clue', 'riddle', location(TOWER)],
    ['a code for an answer clue', 'riddle', code('Nautilus')],
    ['an answer for a location clue', 'tower', answer('Eiffel tower')],
    ['an answer for a code clue', 'vault', answer(VAULT_CODE)],
  ])('%s is refused with wrong-guess-kind', (_what, clueId, guess) => {
    expect(outcomeOf(state, submit('ann', clueId, guess, s(10)))).toBe('wrong-guess-kind');
  });

  it('a guess of the wrong kind stores nothing: no penalty, no attempt, and the right kind of guess right after is judged', () => {
    const decision = decideHunt(state, submit('ann', 'riddle', code('Nautilus'), s(10)));
    expect(decision.kind).toBe('rejected');
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(10)))).toBe('accepted:clue-solved');
  });
});

describe('wrong guesses', () => {
  it('a wrong guess costs the penalty and, without a limit, leaves attemptsLeft null', () => {
    const { event, state } = when(annIn(), submit('ann', 'riddle', answer('Titanic'), s(10)));
    expect(event).toMatchObject({ type: 'guess-incorrect', clueId: 'riddle', penalty: 5, attemptsLeft: null });
    expect(pointsOf(state, 'ann')).toBe(-5);
    expect(competitorOf(state, 'ann').progress.riddle!.wrongGuesses).toBe(1);
    expect(competitorOf(state, 'ann').lastScoredAt).toBeUndefined();
  });

  it('with maxAttemptsPerClue, each wrong guess says how many are left', () => {
    const state = annIn(maxAttemptsHunt(3));
    const first = when(state, submit('ann', 'riddle', answer('Titanic'), s(10)));
    expect(first.event).toMatchObject({ attemptsLeft: 2 });
    const second = when(first.state, submit('ann', 'riddle', answer('Kursk'), s(20)));
    expect(second.event).toMatchObject({ attemptsLeft: 1 });
    const third = when(second.state, submit('ann', 'riddle', answer('Bismarck'), s(30)));
    expect(third.event).toMatchObject({ attemptsLeft: 0 });
    expect(pointsOf(third.state, 'ann')).toBe(-15);
  });

  it('once the attempts are used up, further guesses are refused with attempts-exhausted, even correct ones', () => {
    const state = given(
      spawn(maxAttemptsHunt(2)),
      join('ann'),
      start(),
      submit('ann', 'riddle', answer('Titanic'), s(10)),
      submit('ann', 'riddle', answer('Kursk'), s(20)),
    );
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Bismarck'), s(30)))).toBe('attempts-exhausted');
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(30)))).toBe('attempts-exhausted');
    expect(pointsOf(state, 'ann')).toBe(-10);
  });

  it('attempts are counted per clue', () => {
    const state = given(
      spawn(maxAttemptsHunt(1, freeHunt())),
      join('ann'),
      start(),
      submit('ann', 'riddle', answer('Titanic'), s(10)),
    );
    expect(outcomeOf(state, submit('ann', 'vault', code('0000'), s(10)))).toBe('accepted:guess-incorrect');
  });

  it('a penalty of 0 costs nothing', () => {
    const state = given(spawn(linearHunt({ scoring: { wrongAnswerPenalty: 0 } })), join('ann'), start());
    const { event, state: after } = when(state, submit('ann', 'riddle', answer('Titanic'), s(10)));
    expect(event).toMatchObject({ penalty: 0 });
    expect(pointsOf(after, 'ann')).toBe(0);
  });
});

describe('guess rate', () => {
  const state = given(spawn(freeHunt()), join('ann'), join('bob'), start(), submit('ann', 'riddle', answer('Titanic'), s(10)));

  it('a second guess on the same clue within minSecondsBetweenGuesses is refused with too-fast', () => {
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Kursk'), s(11)))).toBe('too-fast');
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(11.999)))).toBe('too-fast');
  });

  it('too-fast says in retryAfterMs how long until the same guess is judged (2 s after the last guess)', () => {
    const rejectionAt = (at: number) => {
      const decision = decideHunt(state, submit('ann', 'riddle', answer('Nautilus'), at));
      return decision.kind === 'rejected' ? decision.rejection : undefined;
    };
    expect(rejectionAt(s(10))).toMatchObject({ code: 'too-fast', retryAfterMs: 2000 });
    expect(rejectionAt(s(11))).toMatchObject({ code: 'too-fast', retryAfterMs: 1000 });
    expect(rejectionAt(s(11.999))).toMatchObject({ code: 'too-fast', retryAfterMs: 1 });
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(11) + 1000))).toBe('accepted:clue-solved');
  });

  it('no other rejection carries retryAfterMs: they are final', () => {
    const decision = decideHunt(state, submit('ann', 'riddle', answer('Nauti\u0000lus'), s(11)));
    expect(decision).toMatchObject({ kind: 'rejected', rejection: { code: 'invalid-input' } });
    expect(decision.kind === 'rejected' ? decision.rejection : undefined).not.toHaveProperty('retryAfterMs');
  });

  it('a guess once minSecondsBetweenGuesses have passed is judged', () => {
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(12)))).toBe('accepted:clue-solved');
  });

  it('the wait is per clue: a guess on another clue right away is judged', () => {
    expect(outcomeOf(state, submit('ann', 'vault', code(VAULT_CODE), s(10)))).toBe('accepted:clue-solved');
  });

  it('the wait is per player: another player may guess the same clue right away', () => {
    expect(outcomeOf(state, submit('bob', 'riddle', answer('Nautilus'), s(10)))).toBe('accepted:clue-solved');
  });
});

describe('unlocking', () => {
  it('in a linear hunt, a clue not yet reached is refused with clue-locked', () => {
    const state = annIn();
    expect(outcomeOf(state, submit('ann', 'tower', location(TOWER), s(10)))).toBe('clue-locked');
    expect(outcomeOf(state, submit('ann', 'vault', code(VAULT_CODE), s(10)))).toBe('clue-locked');
  });

  it('a clue that does not exist is refused with unknown-clue', () => {
    expect(outcomeOf(annIn(), submit('ann', 'no-such-clue', answer('x'), s(10)))).toBe('unknown-clue');
  });

  it('in a linear hunt, solving a clue unlocks the next one, on the hunt clock', () => {
    const state = given(spawn(linearHunt()), join('ann'), start(), pause(s(5)), resume(s(65)));
    const after = givenAfter(state, submit('ann', 'riddle', answer('Nautilus'), s(70)));
    const progress = competitorOf(after, 'ann').progress;
    expect(Object.keys(progress).sort()).toEqual(['riddle', 'tower']);
    expect(progress.tower!.unlockedAt).toBe(huntClock(after, s(70)));
    expect(progress.tower!.unlockedAt).toBe(s(10));
    expect(outcomeOf(after, submit('ann', 'tower', location(TOWER), s(80)))).toBe('accepted:clue-solved');
  });

  it('in a linear hunt, the view shows the solved clues and the next one only', () => {
    const state = given(spawn(linearHunt()), join('ann'), start(), submit('ann', 'riddle', answer('Nautilus'), s(10)));
    expect(playerView(state, 'ann')!.clues.map((clue) => [clue.id, clue.status])).toEqual([
      ['riddle', 'solved'],
      ['tower', 'open'],
    ]);
  });

  it('in a free hunt, every clue is unlocked from the start and shown', () => {
    const state = annIn(freeHunt());
    expect(playerView(state, 'ann')!.clues.map((clue) => clue.id)).toEqual(['riddle', 'tower', 'vault']);
    expect(outcomeOf(state, submit('ann', 'vault', code(VAULT_CODE), s(10)))).toBe('accepted:clue-solved');
  });

  it('solving a clue twice is refused with clue-already-solved', () => {
    const state = givenAfter(annIn(), submit('ann', 'riddle', answer('Nautilus'), s(10)));
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(20)))).toBe('clue-already-solved');
  });
});

describe('hunt status', () => {
  it('guessing before the hunt starts is refused with hunt-not-running', () => {
    expect(outcomeOf(given(spawn(linearHunt()), join('ann')), submit('ann', 'riddle', answer('Nautilus')))).toBe('hunt-not-running');
  });

  it('guessing while the hunt is paused is refused with hunt-not-running', () => {
    const state = given(spawn(linearHunt()), join('ann'), start(), pause(s(5)));
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(10)))).toBe('hunt-not-running');
  });

  it('guessing after the hunt ended is refused with hunt-ended', () => {
    const state = given(spawn(linearHunt()), join('ann'), start(), end(s(5)));
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(10)))).toBe('hunt-ended');
  });

  it('guessing without having joined is refused with not-joined', () => {
    expect(outcomeOf(annIn(), submit('bob', 'riddle', answer('Nautilus'), s(10)))).toBe('not-joined');
  });
});

describe('speed bonus', () => {
  const state = annIn(speedBonusHunt(50, 60));

  it('a clue solved inside the window earns the bonus', () => {
    const { event, state: after } = when(state, submit('ann', 'riddle', answer('Nautilus'), s(30)));
    expect(event).toMatchObject({ type: 'clue-solved', points: 100, bonus: 50 });
    expect(pointsOf(after, 'ann')).toBe(150);
  });

  it('a clue solved exactly at the end of the window still earns the bonus', () => {
    expect(eventOf(state, submit('ann', 'riddle', answer('Nautilus'), s(60)))).toMatchObject({ bonus: 50 });
  });

  it('a clue solved after the window earns no bonus', () => {
    const { event, state: after } = when(state, submit('ann', 'riddle', answer('Nautilus'), s(61)));
    expect(event).toMatchObject({ points: 100, bonus: 0 });
    expect(pointsOf(after, 'ann')).toBe(100);
  });

  it('the window of the next clue counts from when it unlocked', () => {
    const after = givenAfter(state, submit('ann', 'riddle', answer('Nautilus'), s(100)));
    expect(eventOf(after, submit('ann', 'tower', location(TOWER), s(150)))).toMatchObject({ bonus: 50 });
    expect(eventOf(after, submit('ann', 'tower', location(TOWER), s(161)))).toMatchObject({ bonus: 0 });
  });

  it('time paused does not count against the window', () => {
    const paused = givenAfter(state, pause(s(30)), resume(s(600)));
    expect(eventOf(paused, submit('ann', 'riddle', answer('Nautilus'), s(620)))).toMatchObject({ bonus: 50 });
  });
});

describe('time limits', () => {
  const state = annIn(timeLimitedHunt(60));

  it('a guess inside the time limit is judged', () => {
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(59)))).toBe('accepted:clue-solved');
  });

  it('a guess once the time limit ran out is refused with clue-timed-out, even before a tick', () => {
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(60)))).toBe('clue-timed-out');
    expect(outcomeOf(state, submit('ann', 'riddle', answer('Nautilus'), s(90)))).toBe('clue-timed-out');
  });

  it('a tick at the time limit stores clue-timed-out and unlocks the next clue', () => {
    const { event, state: after } = when(state, tick(s(60)));
    expect(event).toMatchObject({ type: 'clue-timed-out', competitorId: 'p:ann', clueId: 'riddle', issuer: 'clock' });
    const progress = competitorOf(after, 'ann').progress;
    expect(progress.riddle).toMatchObject({ timedOut: true });
    expect(progress.riddle!.solvedAt).toBeUndefined();
    expect(progress.tower).toBeDefined();
    expect(pointsOf(after, 'ann')).toBe(0);
    expect(outcomeOf(after, submit('ann', 'riddle', answer('Nautilus'), s(61)))).toBe('clue-timed-out');
    expect(outcomeOf(after, submit('ann', 'tower', location(TOWER), s(61)))).toBe('accepted:clue-solved');
    expect(playerView(after, 'ann')!.clues.map((clue) => [clue.id, clue.status])).toEqual([
      ['riddle', 'timed-out'],
      ['tower', 'open'],
    ]);
  });

  it('a hint on a timed-out clue is refused with clue-timed-out', () => {
    const after = givenAfter(state, tick(s(60)));
    expect(outcomeOf(after, requestHint('ann', 'riddle', 0, s(61)))).toBe('clue-timed-out');
  });

  it('each competitor times out on their own clock', () => {
    const both = givenAfter(state, join('bob', s(30)));
    const { state: afterAnn, event } = when(both, tick(s(60)));
    expect(event).toMatchObject({ competitorId: 'p:ann' });
    expect(outcomeOf(afterAnn, tick(s(89)))).toBe('nothing-due');
    expect(eventOf(afterAnn, tick(s(90)))).toMatchObject({ type: 'clue-timed-out', competitorId: 'p:bob' });
  });

  it('a solved clue never times out', () => {
    const solved = givenAfter(state, submit('ann', 'riddle', answer('Nautilus'), s(30)));
    expect(outcomeOf(solved, tick(s(600)))).toBe('nothing-due');
  });
});

describe('teams', () => {
  const state = given(
    spawn(teamHunt(3)),
    join('ann', undefined, { team: 'Owls' }),
    join('bob', undefined, { team: 'Owls' }),
    join('cy', undefined, { team: 'Larks' }),
    start(),
  );

  it('the first correct answer by any member solves the clue for the team', () => {
    const { event, state: after } = when(state, submit('bob', 'riddle', answer('Nautilus'), s(10)));
    expect(event).toMatchObject({ type: 'clue-solved', playerId: 'bob', competitorId: 't:owls' });
    expect(pointsOf(after, 'ann')).toBe(100);
    expect(outcomeOf(after, submit('ann', 'riddle', answer('Nautilus'), s(20)))).toBe('clue-already-solved');
    expect(outcomeOf(after, submit('ann', 'tower', location(TOWER), s(20)))).toBe('accepted:clue-solved');
  });

  it('a team solving a clue does not solve it for another team', () => {
    const after = givenAfter(state, submit('bob', 'riddle', answer('Nautilus'), s(10)));
    expect(outcomeOf(after, submit('cy', 'riddle', answer('Nautilus'), s(11)))).toBe('accepted:clue-solved');
    expect(pointsOf(after, 'cy')).toBe(0);
  });

  it("a member's wrong guesses count against the team's attempts", () => {
    const limited = given(
      spawn(maxAttemptsHunt(2, teamHunt(3))),
      join('ann', undefined, { team: 'Owls' }),
      join('bob', undefined, { team: 'Owls' }),
      start(),
      submit('ann', 'riddle', answer('Titanic'), s(10)),
      submit('bob', 'riddle', answer('Kursk'), s(10)),
    );
    expect(outcomeOf(limited, submit('bob', 'riddle', answer('Nautilus'), s(20)))).toBe('attempts-exhausted');
    expect(pointsOf(limited, 'ann')).toBe(-10);
  });
});

describe('finishing', () => {
  it('solving every clue sets finishedAt', () => {
    const state = given(
      spawn(linearHunt()),
      join('ann'),
      start(),
      submit('ann', 'riddle', answer('Nautilus'), s(10)),
      submit('ann', 'tower', location(TOWER), s(20)),
    );
    expect(competitorOf(state, 'ann').finishedAt).toBeUndefined();
    const after = givenAfter(state, submit('ann', 'vault', code(VAULT_CODE), s(30)));
    expect(competitorOf(after, 'ann').finishedAt).toBe(s(30));
    expect(pointsOf(after, 'ann')).toBe(600);
  });

  it('a hunt finished with a timed-out clue is finished too', () => {
    const definition = timeLimitedHunt(60, linearHunt({ clues: linearHunt().clues.slice(0, 1) }));
    const state = given(spawn(definition), join('ann'), start(), tick(s(60)));
    expect(competitorOf(state, 'ann').finishedAt).toBe(s(60));
  });

  /** A free hunt in which ann solved the last two clues first: the riddle is all that is left. */
  const annBeforeTheRiddle = () =>
    given(spawn(freeHunt()), join('ann'), start(), submit('ann', 'vault', code(VAULT_CODE), s(10)), submit('ann', 'tower', location(TOWER), s(20)));

  it('a state restored from a snapshot without the count of resolved clues still finishes on the last one', () => {
    const state = annBeforeTheRiddle();
    const restored: HuntState = JSON.parse(JSON.stringify(state));
    delete (restored.competitors['p:ann'] as { resolvedClues?: number }).resolvedClues;
    const after = givenAfter(restored, submit('ann', 'riddle', answer('Nautilus'), s(30)));
    expect(competitorOf(after, 'ann').finishedAt).toBe(s(30));
    expect(competitorOf(after, 'ann').resolvedClues).toBe(3);
  });

  it('in a free hunt, the order of solving does not matter for finishing', () => {
    const state = givenAfter(annBeforeTheRiddle(), submit('ann', 'riddle', answer('Nautilus'), s(30)));
    expect(competitorOf(state, 'ann').finishedAt).toBe(s(30));
  });
});
