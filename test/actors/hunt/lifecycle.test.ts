import { describe, expect, it } from 'vitest';
import { decideHunt } from '../../../actors/hunt/decide-hunt.js';
import { huntClock, initialHuntState } from '../../../actors/hunt/hunt-state.js';
import { firstDueTimer, nextTimerAt } from '../../../actors/hunt/timers.js';
import { autoHintHunt, linearHunt, min, riddleClue, s, scheduledHunt, T0, timeLimitedHunt } from './definitions.js';
import {
  answer,
  announce,
  end,
  eventOf,
  given,
  givenAfter,
  join,
  kick,
  leave,
  outcomeOf,
  pause,
  requestHint,
  resume,
  run,
  spawn,
  start,
  submit,
  tick,
  when,
} from './given.js';

describe('spawning', () => {
  it('spawning a hunt stores the definition as update 1', () => {
    const definition = linearHunt();
    const event = eventOf(initialHuntState, spawn(definition, T0));
    expect(event).toMatchObject({ type: 'hunt-spawned', definition, update: 1, at: T0, issuer: 'staff:designer-1' });
    const state = given(spawn(definition));
    expect(state.status).toBe('draft');
    expect(state.clues.map((clue) => clue.id)).toEqual(['riddle', 'tower', 'vault']);
  });

  it('the live clues carry no solution', () => {
    const state = given(spawn(linearHunt()));
    for (const clue of state.clues) expect(clue).not.toHaveProperty('solve');
  });

  it('spawning the same hunt twice is refused with hunt-exists', () => {
    const state = given(spawn(linearHunt()));
    expect(outcomeOf(state, spawn(linearHunt()))).toBe('hunt-exists');
  });

  it.each([
    ['start', start()],
    ['pause', pause()],
    ['resume', resume()],
    ['end', end()],
    ['tick', tick(s(1))],
    ['join', join('ann')],
    ['leave', leave('ann')],
    ['kick', kick('ann')],
    ['submit', submit('ann', 'riddle', answer('nautilus'))],
    ['request-hint', requestHint('ann', 'riddle', 0)],
    ['announce', announce('hello')],
  ])('%s before the hunt is spawned is refused with hunt-not-found', (_name, command) => {
    expect(outcomeOf(initialHuntState, command)).toBe('hunt-not-found');
  });
});

describe('start, pause, resume, end', () => {
  it('a draft hunt starts by hand, not automatically', () => {
    const event = eventOf(given(spawn(linearHunt())), start(s(5)));
    expect(event).toMatchObject({ type: 'hunt-started', automatic: false, at: s(5) });
    const state = given(spawn(linearHunt()), start(s(5)));
    expect(state.status).toBe('running');
    expect(state.startedAt).toBe(s(5));
  });

  it('starting a running hunt is refused with hunt-already-started', () => {
    expect(outcomeOf(given(spawn(linearHunt()), start()), start(s(1)))).toBe('hunt-already-started');
  });

  it('starting a paused hunt is refused with hunt-already-started', () => {
    expect(outcomeOf(given(spawn(linearHunt()), start(), pause(s(1))), start(s(2)))).toBe('hunt-already-started');
  });

  it('a running hunt pauses and resumes', () => {
    const paused = given(spawn(linearHunt()), start(), pause(s(10)));
    expect(paused.status).toBe('paused');
    expect(paused.pausedAt).toBe(s(10));
    const resumed = givenAfter(paused, resume(s(70)));
    expect(resumed.status).toBe('running');
    expect(resumed.pausedAt).toBeUndefined();
    expect(resumed.pausedMs).toBe(60_000);
  });

  it('pausing a draft hunt is refused with hunt-not-running', () => {
    expect(outcomeOf(given(spawn(linearHunt())), pause())).toBe('hunt-not-running');
  });

  it('pausing a paused hunt is refused with hunt-not-running', () => {
    expect(outcomeOf(given(spawn(linearHunt()), start(), pause(s(1))), pause(s(2)))).toBe('hunt-not-running');
  });

  it('resuming a hunt that is not paused is refused with hunt-not-paused', () => {
    expect(outcomeOf(given(spawn(linearHunt())), resume())).toBe('hunt-not-paused');
    expect(outcomeOf(given(spawn(linearHunt()), start()), resume(s(1)))).toBe('hunt-not-paused');
  });

  it('a designer can end a draft, running or paused hunt', () => {
    for (const state of [
      given(spawn(linearHunt())),
      given(spawn(linearHunt()), start()),
      given(spawn(linearHunt()), start(), pause(s(1))),
    ]) {
      expect(eventOf(state, end(s(2)))).toMatchObject({ type: 'hunt-ended', reason: 'designer' });
      expect(givenAfter(state, end(s(2)))).toMatchObject({ status: 'ended', endedAt: s(2) });
    }
  });

  it('ending a paused hunt counts the pause as paused time', () => {
    const state = given(spawn(linearHunt()), start(), pause(s(10)), end(s(40)));
    expect(state.pausedMs).toBe(30_000);
    expect(state.pausedAt).toBeUndefined();
  });

  it.each([
    ['start', start(s(9))],
    ['pause', pause(s(9))],
    ['resume', resume(s(9))],
    ['end', end(s(9))],
  ])('%s after the hunt ended is refused with hunt-ended', (_name, command) => {
    expect(outcomeOf(given(spawn(linearHunt()), start(), end(s(5))), command)).toBe('hunt-ended');
  });

  it('starting unlocks the first clue for every competitor who joined before', () => {
    const state = given(spawn(linearHunt()), join('ann'), join('bob'), start(s(30)));
    for (const id of ['p:ann', 'p:bob']) {
      expect(Object.keys(state.competitors[id]!.progress)).toEqual(['riddle']);
      expect(state.competitors[id]!.progress.riddle!.unlockedAt).toBe(s(30));
    }
  });
});

describe('update numbers', () => {
  it('every stored event takes the next update number, one more than the last', () => {
    const { events, state } = run(
      initialHuntState,
      spawn(linearHunt()),
      join('ann'),
      join('bob'),
      start(s(1)),
      submit('ann', 'riddle', answer('wrong'), s(2)),
      submit('ann', 'riddle', answer('nautilus'), s(5)),
      pause(s(6)),
      resume(s(7)),
      leave('bob', s(8)),
      announce('half time', s(9)),
      end(s(10)),
    );
    expect(events.map((event) => event.update)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(state.updateSeq).toBe(11);
  });

  it('a rejected command takes no update number', () => {
    const state = given(spawn(linearHunt()), start());
    expect(outcomeOf(state, resume(s(1)))).toBe('hunt-not-paused');
    expect(eventOf(state, pause(s(2))).update).toBe(3);
  });

  it('ticks take update numbers like any other event', () => {
    const state = given(spawn(scheduledHunt(min(5), min(60))));
    expect(eventOf(state, tick(min(5))).update).toBe(2);
  });
});

describe('automatic start and end', () => {
  const definition = scheduledHunt(min(5), min(60));

  it('a tick before the start time finds nothing due', () => {
    expect(outcomeOf(given(spawn(definition)), tick(min(4)))).toBe('nothing-due');
  });

  it('a tick at the start time starts the hunt automatically', () => {
    const state = given(spawn(definition), join('ann'));
    const { event, state: after } = when(state, tick(min(5)));
    expect(event).toMatchObject({ type: 'hunt-started', automatic: true, issuer: 'clock', at: min(5) });
    expect(after.status).toBe('running');
    expect(after.competitors['p:ann']!.progress.riddle).toBeDefined();
  });

  it('a tick late after the start time still starts the hunt, at the tick time', () => {
    const { event, state } = when(given(spawn(definition)), tick(min(7)));
    expect(event).toMatchObject({ type: 'hunt-started', automatic: true });
    expect(state.startedAt).toBe(min(7));
  });

  it('a hunt started by hand before its start time is not started again by a tick', () => {
    const state = given(spawn(definition), start(min(1)));
    expect(outcomeOf(state, tick(min(5)))).toBe('nothing-due');
  });

  it('a tick at the end time ends a running hunt with reason end-time', () => {
    const state = given(spawn(definition), tick(min(5)));
    expect(outcomeOf(state, tick(min(59)))).toBe('nothing-due');
    const { event, state: after } = when(state, tick(min(60)));
    expect(event).toMatchObject({ type: 'hunt-ended', reason: 'end-time', issuer: 'clock' });
    expect(after.status).toBe('ended');
    expect(after.endedAt).toBe(min(60));
  });

  it('a tick at the end time ends a paused hunt', () => {
    const state = given(spawn(definition), tick(min(5)), pause(min(30)));
    expect(eventOf(state, tick(min(60)))).toMatchObject({ type: 'hunt-ended', reason: 'end-time' });
  });

  it('a hunt that never started ends at its end time without starting', () => {
    const state = given(spawn(definition));
    expect(eventOf(state, tick(min(61)))).toMatchObject({ type: 'hunt-ended', reason: 'end-time' });
  });

  it('a late tick handles a clue time-out that fell due before the end time first, then ends the hunt', () => {
    // The last clue of ann's hunt times out at 60 s; the hunt ends at 100 s; the first tick after
    // that comes at 120 s (say, after a restart). Ticks store the earliest due thing first, so ann
    // has finished (by the time-out) before the hunt ends, which ranks her on the leaderboard.
    const oneClue = timeLimitedHunt(60, linearHunt({ clues: [riddleClue], endsAt: s(100) }));
    const state = given(spawn(oneClue), join('ann'), start());
    const first = when(state, tick(s(120)));
    expect(first.event).toMatchObject({ type: 'clue-timed-out', competitorId: 'p:ann', clueId: 'riddle' });
    expect(first.state.competitors['p:ann']!.finishedAt).toBeDefined();
    expect(eventOf(first.state, tick(s(120)))).toMatchObject({ type: 'hunt-ended', reason: 'end-time' });
  });

  it('after it ended, ticks find nothing due', () => {
    const state = given(spawn(definition), tick(min(5)), tick(min(60)));
    expect(outcomeOf(state, tick(min(90)))).toBe('nothing-due');
  });

  it('a tick with nothing due is refused with nothing-due', () => {
    expect(outcomeOf(given(spawn(linearHunt()), join('ann'), start()), tick(min(600)))).toBe('nothing-due');
    expect(outcomeOf(given(spawn(linearHunt())), tick(min(600)))).toBe('nothing-due');
  });
});

describe('nextTimerAt', () => {
  it('is undefined before the hunt is spawned and for a hunt with no timers', () => {
    expect(nextTimerAt(initialHuntState)).toBeUndefined();
    expect(nextTimerAt(given(spawn(linearHunt()), join('ann'), start()))).toBeUndefined();
  });

  it('is the start time of a draft hunt with a start time', () => {
    expect(nextTimerAt(given(spawn(linearHunt({ startsAt: min(5) }))))).toBe(min(5));
  });

  it('is the earlier of start and end time of a draft hunt', () => {
    expect(nextTimerAt(given(spawn(scheduledHunt(min(5), min(60)))))).toBe(min(5));
  });

  it('is the end time once the hunt runs', () => {
    expect(nextTimerAt(given(spawn(scheduledHunt(min(5), min(60))), tick(min(5))))).toBe(min(60));
  });

  it('is the wall time the time limit of an unlocked clue runs out', () => {
    const state = given(spawn(timeLimitedHunt(60)), join('ann'), start(s(10)));
    expect(nextTimerAt(state)).toBe(s(70));
  });

  it('is the wall time an automatic hint is released', () => {
    const state = given(spawn(autoHintHunt(120)), join('ann'), start(s(10)));
    expect(nextTimerAt(state)).toBe(s(130));
  });

  it('is the earliest of the end time, clue limits and automatic hints', () => {
    const definition = { ...autoHintHunt(120, timeLimitedHunt(90)), endsAt: s(100) };
    const state = given(spawn(definition), join('ann'), start());
    expect(nextTimerAt(state)).toBe(s(90));
    const solved = givenAfter(state, submit('ann', 'riddle', answer('nautilus'), s(20)));
    expect(nextTimerAt(solved)).toBe(s(100));
  });

  it('moves later by the time the hunt spent paused', () => {
    const state = given(spawn(timeLimitedHunt(60)), join('ann'), start(), pause(s(30)), resume(s(630)));
    expect(nextTimerAt(state)).toBe(s(660));
  });

  it('has no clue timers while paused, only the end time', () => {
    const paused = given(spawn(timeLimitedHunt(60)), join('ann'), start(), pause(s(30)));
    expect(nextTimerAt(paused)).toBeUndefined();
    const pausedWithEnd = given(spawn({ ...timeLimitedHunt(60), endsAt: min(60) }), join('ann'), start(), pause(s(30)));
    expect(nextTimerAt(pausedWithEnd)).toBe(min(60));
  });

  it('is undefined once the hunt ended', () => {
    expect(nextTimerAt(given(spawn(timeLimitedHunt(60)), join('ann'), start(), end(s(5))))).toBeUndefined();
  });

  it('a tick at nextTimerAt always finds something due', () => {
    const state = given(spawn(autoHintHunt(120, timeLimitedHunt(90))), join('ann'), start(), pause(s(30)), resume(s(45)));
    const at = nextTimerAt(state)!;
    expect(firstDueTimer(state, at - 1)).toBeUndefined();
    expect(firstDueTimer(state, at)).toBeDefined();
  });
});

describe('the hunt clock and pauses', () => {
  it('the hunt clock stands still while paused', () => {
    const paused = given(spawn(linearHunt()), start(), pause(s(30)));
    expect(huntClock(paused, s(30))).toBe(s(30));
    expect(huntClock(paused, s(600))).toBe(s(30));
    const resumed = givenAfter(paused, resume(s(600)));
    expect(huntClock(resumed, s(610))).toBe(s(40));
  });

  it('a pause stops clue timers: a 60 s clue paused 10 minutes in the middle times out after 60 s of running time', () => {
    const state = given(spawn(timeLimitedHunt(60)), join('ann'), start(), pause(s(30)));
    // Paused: nothing happens, even long after 60 s of wall time.
    expect(outcomeOf(state, tick(s(60)))).toBe('nothing-due');
    expect(outcomeOf(state, tick(s(630)))).toBe('nothing-due');
    const resumed = givenAfter(state, resume(s(630)));
    // 60 s of wall time, 10 minutes and 30 s of wall time: the clue has run 30 s.
    expect(outcomeOf(resumed, tick(s(630)))).toBe('nothing-due');
    expect(outcomeOf(resumed, tick(s(659)))).toBe('nothing-due');
    expect(outcomeOf(resumed, submit('ann', 'riddle', answer('wrong'), s(659)))).toBe('accepted:guess-incorrect');
    // 60 s of running time.
    expect(eventOf(resumed, tick(s(660)))).toMatchObject({ type: 'clue-timed-out', competitorId: 'p:ann', clueId: 'riddle' });
    expect(outcomeOf(resumed, submit('ann', 'riddle', answer('nautilus'), s(660)))).toBe('clue-timed-out');
  });

  it('a pause delays automatic hints by the time paused', () => {
    const state = given(spawn(autoHintHunt(120)), join('ann'), start(), pause(s(60)), resume(s(360)));
    expect(outcomeOf(state, tick(s(419)))).toBe('nothing-due');
    expect(eventOf(state, tick(s(420)))).toMatchObject({ type: 'hint-auto-released', clueId: 'riddle', hintIndex: 1 });
  });

  it('a clue unlocked after a pause gets its full time limit', () => {
    const definition = { ...linearHunt(), clues: [riddleClue, { ...linearHunt().clues[1]!, timeLimitSeconds: 60 }] };
    const state = given(
      spawn(definition),
      join('ann'),
      start(),
      pause(s(10)),
      resume(s(310)),
      submit('ann', 'riddle', answer('nautilus'), s(320)),
    );
    expect(state.competitors['p:ann']!.progress.tower!.unlockedAt).toBe(huntClock(state, s(320)));
    expect(outcomeOf(state, tick(s(379)))).toBe('nothing-due');
    expect(eventOf(state, tick(s(380)))).toMatchObject({ type: 'clue-timed-out', clueId: 'tower' });
  });

  it('ticks while the hunt is paused find nothing due (without an end time)', () => {
    const state = given(spawn(autoHintHunt(10, timeLimitedHunt(20))), join('ann'), start(), pause(s(1)));
    expect(decideHunt(state, tick(s(3600)))).toMatchObject({ kind: 'rejected', rejection: { code: 'nothing-due' } });
  });
});
