import { describe, expect, it } from 'vitest';
import type { ClueView } from '../../protocol/views.js';
import { renderClue } from '../../src/cli/render.js';

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
