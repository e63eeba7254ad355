import { describe, expect, it } from 'vitest';
import type { HintDefinition } from '../../../actors/definition/hunt-definition.js';
import { playerView } from '../../../actors/hunt/player-view.js';
import { RECENT_ANNOUNCEMENTS } from '../../../actors/hunt/hunt-state.js';
import { nextTimerAt } from '../../../actors/hunt/timers.js';
import { autoHintHunt, freeHunt, linearHunt, s, teamHunt, timeLimitedHunt } from './definitions.js';
import {
  announce,
  answer,
  competitorOf,
  editClue,
  end,
  eventOf,
  given,
  givenAfter,
  join,
  outcomeOf,
  pointsOf,
  releaseHint,
  requestHint,
  spawn,
  start,
  submit,
  tick,
  when,
} from './given.js';

/** The riddle's hints as `playerId` sees them. */
function riddleHints(state: Parameters<typeof playerView>[0], playerId: string) {
  const clue = playerView(state, playerId)!.clues.find((c) => c.id === 'riddle');
  if (!clue) throw new Error(`${playerId} does not see the riddle`);
  return clue.hints;
}

describe('requesting a hint', () => {
  const state = given(spawn(linearHunt()), join('ann'), join('bob'), start());

  it('a hint request reveals the hint to the competitor and costs its penalty', () => {
    const { event, state: after } = when(state, requestHint('ann', 'riddle', 0, s(10)));
    expect(event).toMatchObject({ type: 'hint-taken', playerId: 'ann', competitorId: 'p:ann', clueId: 'riddle', hintIndex: 0, penalty: 10 });
    expect(pointsOf(after, 'ann')).toBe(-10);
    expect(competitorOf(after, 'ann').progress.riddle!.hintsTaken).toEqual([0]);
    expect(riddleHints(after, 'ann')).toEqual([
      { index: 0, penalty: 10, revealed: true, text: 'Think of Jules Verne.' },
      { index: 1, penalty: 20, revealed: false },
    ]);
  });

  it('a second request for the same hint is refused with hint-already-revealed and costs nothing', () => {
    const after = givenAfter(state, requestHint('ann', 'riddle', 0, s(10)));
    expect(outcomeOf(after, requestHint('ann', 'riddle', 0, s(20)))).toBe('hint-already-revealed');
    expect(pointsOf(after, 'ann')).toBe(-10);
  });

  it("a hint taken by one player is not revealed to another solo player, and costs them nothing", () => {
    const after = givenAfter(state, requestHint('ann', 'riddle', 0, s(10)));
    expect(riddleHints(after, 'bob')[0]).toEqual({ index: 0, penalty: 10, revealed: false });
    expect(pointsOf(after, 'bob')).toBe(0);
  });

  it('each hint has its own penalty', () => {
    const after = givenAfter(state, requestHint('ann', 'riddle', 1, s(10)), requestHint('ann', 'riddle', 0, s(11)));
    expect(pointsOf(after, 'ann')).toBe(-30);
  });

  it('a hint taken by a team member is revealed to the whole team, and a teammate cannot pay for it again', () => {
    const teams = given(
      spawn(teamHunt(2)),
      join('ann', undefined, { team: 'Owls' }),
      join('bob', undefined, { team: 'Owls' }),
      start(),
      requestHint('ann', 'riddle', 0, s(10)),
    );
    expect(riddleHints(teams, 'bob')[0]).toMatchObject({ revealed: true, text: 'Think of Jules Verne.' });
    expect(outcomeOf(teams, requestHint('bob', 'riddle', 0, s(20)))).toBe('hint-already-revealed');
    expect(pointsOf(teams, 'bob')).toBe(-10);
  });

  it.each([
    ['past the end of the list', 2],
    ['negative', -1],
    ['not a whole number', 0.5],
  ])('a hint index %s is refused with unknown-hint', (_what, hintIndex) => {
    expect(outcomeOf(state, requestHint('ann', 'riddle', hintIndex, s(10)))).toBe('unknown-hint');
  });

  it('a hint for a clue that does not exist is refused with unknown-clue', () => {
    expect(outcomeOf(state, requestHint('ann', 'nope', 0, s(10)))).toBe('unknown-clue');
  });

  it('a hint for a locked clue is refused with clue-locked', () => {
    expect(outcomeOf(state, requestHint('ann', 'tower', 0, s(10)))).toBe('clue-locked');
  });

  it('a hint for a solved clue is refused with clue-already-solved', () => {
    const after = givenAfter(state, submit('ann', 'riddle', answer('Nautilus'), s(10)));
    expect(outcomeOf(after, requestHint('ann', 'riddle', 0, s(20)))).toBe('clue-already-solved');
  });

  it('a hint request once the time limit ran out, before the tick, is refused with clue-timed-out', () => {
    // Like a guess (see guessing.test.ts): a clue whose time is up is timed out whether or not a tick recorded it yet.
    const timed = given(spawn(timeLimitedHunt(60)), join('ann'), start());
    expect(outcomeOf(timed, requestHint('ann', 'riddle', 0, s(59)))).toBe('accepted:hint-taken');
    expect(outcomeOf(timed, submit('ann', 'riddle', answer('Nautilus'), s(70)))).toBe('clue-timed-out');
    expect(outcomeOf(timed, requestHint('ann', 'riddle', 0, s(70)))).toBe('clue-timed-out');
  });

  it('a hint request by someone not in the hunt is refused with not-joined', () => {
    expect(outcomeOf(state, requestHint('zed', 'riddle', 0, s(10)))).toBe('not-joined');
  });

  it('a hint request before the start or after the end is refused', () => {
    expect(outcomeOf(given(spawn(linearHunt()), join('ann')), requestHint('ann', 'riddle', 0))).toBe('hunt-not-running');
    expect(outcomeOf(givenAfter(state, end(s(5))), requestHint('ann', 'riddle', 0, s(10)))).toBe('hunt-ended');
  });
});

describe('releasing a hint to everyone', () => {
  const state = given(spawn(freeHunt()), join('ann'), join('bob'), start());

  it('a released hint is visible in every player view, and costs nobody anything', () => {
    const { event, state: after } = when(state, releaseHint('riddle', 1, s(10)));
    expect(event).toMatchObject({ type: 'hint-released', clueId: 'riddle', hintIndex: 1, issuer: 'staff:designer-1' });
    for (const player of ['ann', 'bob']) {
      expect(riddleHints(after, player)[1]).toEqual({ index: 1, penalty: 20, revealed: true, text: 'Twenty thousand leagues.' });
      expect(riddleHints(after, player)[0]).toEqual({ index: 0, penalty: 10, revealed: false });
      expect(pointsOf(after, player)).toBe(0);
    }
  });

  it('a released hint is visible to a player who joins later', () => {
    const after = givenAfter(state, releaseHint('riddle', 1, s(10)), join('cy', s(20)));
    expect(riddleHints(after, 'cy')[1]).toMatchObject({ revealed: true, text: 'Twenty thousand leagues.' });
  });

  it('a released hint can no longer be paid for', () => {
    const after = givenAfter(state, releaseHint('riddle', 1, s(10)));
    expect(outcomeOf(after, requestHint('ann', 'riddle', 1, s(20)))).toBe('hint-already-revealed');
    expect(pointsOf(after, 'ann')).toBe(0);
  });

  it('releasing a hint twice is refused with hint-already-revealed', () => {
    const after = givenAfter(state, releaseHint('riddle', 1, s(10)));
    expect(outcomeOf(after, releaseHint('riddle', 1, s(20)))).toBe('hint-already-revealed');
  });

  it('releasing a hint that does not exist is refused with unknown-hint or unknown-clue', () => {
    expect(outcomeOf(state, releaseHint('riddle', 5, s(10)))).toBe('unknown-hint');
    expect(outcomeOf(state, releaseHint('vault', 0, s(10)))).toBe('unknown-hint');
    expect(outcomeOf(state, releaseHint('nope', 0, s(10)))).toBe('unknown-clue');
  });

  it('releasing a hint after the end is refused with hunt-ended', () => {
    expect(outcomeOf(givenAfter(state, end(s(5))), releaseHint('riddle', 0, s(10)))).toBe('hunt-ended');
  });

  it('a hint released to everyone is not released again by its timer', () => {
    const timed = given(spawn(autoHintHunt(60)), join('ann'), start(), releaseHint('riddle', 1, s(10)));
    expect(nextTimerAt(timed)).toBeUndefined();
    expect(outcomeOf(timed, tick(s(60)))).toBe('nothing-due');
  });
});

describe('automatic hints', () => {
  const state = given(spawn(autoHintHunt(120)), join('ann'), start());

  it('a tick at the release time reveals the hint to the competitor, for free', () => {
    expect(outcomeOf(state, tick(s(119)))).toBe('nothing-due');
    const { event, state: after } = when(state, tick(s(120)));
    expect(event).toMatchObject({ type: 'hint-auto-released', competitorId: 'p:ann', clueId: 'riddle', hintIndex: 1, issuer: 'clock' });
    expect(riddleHints(after, 'ann')[1]).toEqual({ index: 1, penalty: 20, revealed: true, text: 'Twenty thousand leagues.' });
    expect(pointsOf(after, 'ann')).toBe(0);
    expect(outcomeOf(after, requestHint('ann', 'riddle', 1, s(130)))).toBe('hint-already-revealed');
    expect(outcomeOf(after, tick(s(600)))).toBe('nothing-due');
  });

  it('the release time counts from when the clue unlocked for that competitor', () => {
    const late = givenAfter(state, join('bob', s(100)), tick(s(120)));
    expect(outcomeOf(late, tick(s(219)))).toBe('nothing-due');
    expect(eventOf(late, tick(s(220)))).toMatchObject({ type: 'hint-auto-released', competitorId: 'p:bob' });
  });

  it('a hint already paid for is not released again', () => {
    const paid = givenAfter(state, requestHint('ann', 'riddle', 1, s(10)));
    expect(pointsOf(paid, 'ann')).toBe(-20);
    expect(outcomeOf(paid, tick(s(120)))).toBe('nothing-due');
  });

  it('a hint of a solved clue is not released', () => {
    const solved = givenAfter(state, submit('ann', 'riddle', answer('Nautilus'), s(10)));
    expect(outcomeOf(solved, tick(s(120)))).toBe('nothing-due');
  });
});

describe('editing a clue live', () => {
  const state = given(spawn(linearHunt()), join('ann'), start());

  it('an edit changes what players see at once', () => {
    const { event, state: after } = when(state, editClue('riddle', { title: ' A new riddle ', text: 'What did Nemo command?' }, s(10)));
    expect(event).toMatchObject({ type: 'clue-edited', clueId: 'riddle', title: 'A new riddle', text: 'What did Nemo command?' });
    expect(playerView(after, 'ann')!.clues[0]).toMatchObject({ id: 'riddle', title: 'A new riddle', text: 'What did Nemo command?' });
  });

  it('an edit keeps what it does not name', () => {
    const { event, state: after } = when(state, editClue('riddle', { text: 'New text.' }, s(10)));
    expect(event).toMatchObject({ title: 'The riddle', text: 'New text.', hints: linearHunt().clues[0]!.hints });
    expect(after.clues[0]).toMatchObject({ title: 'The riddle', points: 100 });
  });

  it('an edit does not change how the clue is solved', () => {
    const after = givenAfter(state, editClue('riddle', { text: 'Name the boat.' }, s(10)));
    expect(outcomeOf(after, submit('ann', 'riddle', answer('Nautilus'), s(20)))).toBe('accepted:clue-solved');
  });

  it('edited hints replace the old ones, with their penalties', () => {
    const hints: HintDefinition[] = [{ text: 'A submarine.', penalty: 3 }];
    const after = givenAfter(state, editClue('riddle', { hints }, s(10)), requestHint('ann', 'riddle', 0, s(20)));
    expect(riddleHints(after, 'ann')).toEqual([{ index: 0, penalty: 3, revealed: true, text: 'A submarine.' }]);
    expect(pointsOf(after, 'ann')).toBe(-3);
  });

  it('an edit shortening the hint list drops released indices that no longer exist', () => {
    const released = givenAfter(state, releaseHint('riddle', 0, s(5)), releaseHint('riddle', 1, s(6)));
    expect(released.releasedHints.riddle).toEqual([0, 1]);
    const shortened = givenAfter(released, editClue('riddle', { hints: [{ text: 'Only hint.', penalty: 1 }] }, s(10)));
    expect(shortened.releasedHints.riddle).toEqual([0]);
    expect(riddleHints(shortened, 'ann')).toEqual([{ index: 0, penalty: 1, revealed: true, text: 'Only hint.' }]);
    // A hint added again at the dropped index is a new hint: not released.
    const lengthened = givenAfter(
      shortened,
      editClue('riddle', { hints: [{ text: 'Only hint.', penalty: 1 }, { text: 'A brand new hint.', penalty: 2 }] }, s(20)),
    );
    expect(riddleHints(lengthened, 'ann')[1]).toEqual({ index: 1, penalty: 2, revealed: false });
  });

  it('an edit adding a timed hint starts releasing it on the clue clock', () => {
    const after = givenAfter(state, editClue('riddle', { hints: [{ text: 'Timed.', penalty: 0, autoReleaseAfterSeconds: 30 }] }, s(10)));
    expect(nextTimerAt(after)).toBe(s(30));
    expect(eventOf(after, tick(s(30)))).toMatchObject({ type: 'hint-auto-released', hintIndex: 0 });
  });

  it('a clue can be edited before the hunt starts', () => {
    const draft = given(spawn(linearHunt()), editClue('vault', { title: 'The safe' }));
    expect(draft.clues[2]!.title).toBe('The safe');
  });

  it.each<[string, { title?: string; text?: string; hints?: readonly HintDefinition[] }]>([
    ['nothing to change', {}],
    ['an empty title', { title: '  ' }],
    ['a title over 120 characters', { title: 't'.repeat(121) }],
    ['an empty text', { text: '' }],
    ['a text over 4000 characters', { text: 't'.repeat(4001) }],
    ['a hint with empty text', { hints: [{ text: ' ', penalty: 0 }] }],
    ['a hint with a negative penalty', { hints: [{ text: 'Hint', penalty: -1 }] }],
    ['a hint with a fractional penalty', { hints: [{ text: 'Hint', penalty: 1.5 }] }],
    ['a hint released after 0 seconds', { hints: [{ text: 'Hint', penalty: 0, autoReleaseAfterSeconds: 0 }] }],
    ['more than 10 hints', { hints: Array.from({ length: 11 }, (_, i) => ({ text: `Hint ${i}`, penalty: 0 })) }],
  ])('an edit with %s is refused with invalid-input', (_what, edit) => {
    expect(outcomeOf(state, editClue('riddle', edit, s(10)))).toBe('invalid-input');
  });

  it('an edit of a clue that does not exist is refused with unknown-clue', () => {
    expect(outcomeOf(state, editClue('nope', { text: 'x' }, s(10)))).toBe('unknown-clue');
  });

  it('an edit after the end is refused with hunt-ended', () => {
    expect(outcomeOf(givenAfter(state, end(s(5))), editClue('riddle', { text: 'x' }, s(10)))).toBe('hunt-ended');
  });
});

describe('announcements', () => {
  const state = given(spawn(linearHunt()), join('ann'), start());

  it('an announcement is stored, trimmed, and changes nothing but the update number and the announcements kept', () => {
    const { event, state: after } = when(state, announce('  Free coffee at the start!  ', s(10)));
    expect(event).toMatchObject({ type: 'announced', message: 'Free coffee at the start!', update: state.updateSeq + 1 });
    expect(after.updateSeq).toBe(state.updateSeq + 1);
    expect(after.announcements).toEqual([{ message: 'Free coffee at the start!', at: s(10) }]);
    const { updateSeq: _seqBefore, announcements: _keptBefore, ...restBefore } = state;
    const { updateSeq: _seqAfter, announcements: _keptAfter, ...restAfter } = after;
    expect(restAfter).toEqual(restBefore);
  });

  it(`a view carries the last ${RECENT_ANNOUNCEMENTS} announcements, oldest first, for a player who was away or joins later`, () => {
    let later = state;
    for (let i = 1; i <= RECENT_ANNOUNCEMENTS + 2; i++) later = givenAfter(later, announce(`Note ${i}`, s(10 + i)));
    const joined = givenAfter(later, join('bob', s(100)));
    const notes = playerView(joined, 'bob')!.announcements.map((a) => a.message);
    expect(notes).toEqual(Array.from({ length: RECENT_ANNOUNCEMENTS }, (_, i) => `Note ${i + 3}`));
    expect(playerView(joined, 'ann')!.announcements).toEqual(playerView(joined, 'bob')!.announcements);
  });

  it.each([
    ['empty', ''],
    ['blank', ' \n '],
    ['longer than 500 characters', 'a'.repeat(501)],
    ['with a control character', 'bell \u0007'],
  ])('an announcement that is %s is refused with invalid-input', (_what, message) => {
    expect(outcomeOf(state, announce(message, s(10)))).toBe('invalid-input');
  });
});
