import { describe, expect, it } from 'vitest';
import type { ClueView } from '../../protocol/views.js';
import type { PlayerView } from '../../protocol/views.js';
import { renderClue, renderView, time } from '../../src/cli/render.js';

const clue = (overrides: Partial<ClueView>): ClueView => ({
  id: 'fountain',
  title: 'The fountain',
  text: 'Who stands in the middle?',
  points: 100,
  solveWith: 'answer',
  status: 'open',
  wrongGuesses: 0,
  attemptsLeft: 5,
  hints: [],
  ...overrides,
});

describe('renderClue', () => {
  it('counts the attempts left on an open clue', () => {
    expect(renderClue(clue({ wrongGuesses: 1, attemptsLeft: 4 }))).toContain('4 attempts left');
  });

  it('says nothing of attempts once the clue is solved or timed out', () => {
    expect(renderClue(clue({ status: 'solved' }))).not.toContain('attempts left');
    expect(renderClue(clue({ status: 'timed-out', attemptsLeft: 3 }))).not.toContain('attempts left');
  });
});

describe('time', () => {
  it('shows a time with its zone, in the zone of the terminal', () => {
    // The test runner's zone is whatever the machine has: the shape and the zone's name are what count.
    expect(time(Date.UTC(2026, 4, 1, 10, 27, 30))).toMatch(/^2026-05-01 \d\d:27:30 \S+$/);
    expect(time(undefined)).toBe('-');
  });
});

describe('renderView', () => {
  const view = (announcements: PlayerView['announcements']): PlayerView => ({
    title: 'Old Town',
    description: '',
    status: 'running',
    order: 'free',
    totalClues: 1,
    you: { playerId: 'ada', displayName: 'Ada', competitorId: 'p:ada', points: 0 },
    clues: [clue({})],
    leaderboard: { top: [], total: 1 },
    announcements,
    updateSeq: 3,
  });

  it('shows the announcements a returning player missed, with their times', () => {
    const text = renderView(view([{ message: 'Free coffee at the fountain', at: Date.UTC(2026, 4, 1, 10, 0, 0) }]));
    expect(text).toMatch(/announcements:\n {2}2026-05-01 \d\d:00:00 \S+ {2}Free coffee at the fountain/);
  });

  it('says nothing of announcements when there were none', () => {
    expect(renderView(view([]))).not.toContain('announcements:');
  });
});
