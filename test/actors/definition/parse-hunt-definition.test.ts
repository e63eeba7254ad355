import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  formatDefinitionErrors,
  normaliseAnswer,
  parseHuntDefinition,
  validateHuntDefinition,
} from '../../../actors/definition/parse-hunt-definition.js';
import type { DefinitionError } from '../../../actors/definition/parse-hunt-definition.js';
import { parseIsoDateTime } from '../../../actors/definition/hunt-definition-schema.js';
import type { HuntDefinition } from '../../../actors/definition/hunt-definition.js';

/** Source from lines, so that a line's position in the list is its line number in the source. */
const lines = (...source: string[]): string => `${source.join('\n')}\n`;

/** The header of a valid hunt, 4 lines: the clue list written after it starts on line 5. */
const HEADER = ['title: Test hunt', 'maxPlayers: 10', 'order: free', 'clues:'] as const;

function errorsOf(source: string): readonly DefinitionError[] {
  const result = parseHuntDefinition(source);
  if (result.ok) throw new Error('expected the definition to be rejected');
  return result.errors;
}

function errorAt(errors: readonly DefinitionError[], path: string): DefinitionError {
  const found = errors.find((error) => error.path === path);
  if (found === undefined) throw new Error(`no error at ${path}; got ${formatDefinitionErrors(errors)}`);
  return found;
}

describe('parseHuntDefinition: valid documents', () => {
  it('parses a full document to the exact definition', () => {
    const source = lines(
      'title: "  Old Town Trail  "',
      'description: Find the five marks.',
      'startsAt: 2026-12-01T10:00:00Z',
      'endsAt: 2026-12-01T13:30:00+01:00',
      'maxPlayers: 200',
      'teams:',
      '  maxTeamSize: 4',
      'order: linear',
      'scoring:',
      '  wrongAnswerPenalty: 5',
      '  maxAttemptsPerClue: 3',
      '  speedBonus: { points: 20, withinSeconds: 300 }',
      'guessing:',
      '  minSecondsBetweenGuesses: 0.5',
      '  maxTravelSpeedKmh: 40',
      'clues:',
      '  - id: fountain',
      '    title: The fountain',
      '    text: Which sea god?',
      '    points: 100',
      '    timeLimitSeconds: 600',
      '    hints:',
      '      - text: Look up.',
      '        penalty: 10',
      '        autoReleaseAfterSeconds: 300',
      '      - text: Roman.',
      '    answer: [" Neptune ", Neptunus]',
      '  - title: The tower',
      '    text: Stand at its foot.',
      '    points: 0',
      '    location: { latitude: 48.8584, longitude: 2.2945, radiusMetres: 30 }',
      '  - title: The gate',
      '    text: Type the code.',
      '    points: 50',
      '    code: "  CAIRN-42 "',
    );
    const expected: HuntDefinition = {
      title: 'Old Town Trail',
      description: 'Find the five marks.',
      startsAt: Date.UTC(2026, 11, 1, 10, 0, 0),
      endsAt: Date.UTC(2026, 11, 1, 12, 30, 0),
      maxPlayers: 200,
      teams: { maxTeamSize: 4 },
      order: 'linear',
      scoring: { wrongAnswerPenalty: 5, maxAttemptsPerClue: 3, speedBonus: { points: 20, withinSeconds: 300 } },
      guessing: { minSecondsBetweenGuesses: 0.5, maxTravelSpeedKmh: 40 },
      clues: [
        {
          id: 'fountain',
          title: 'The fountain',
          text: 'Which sea god?',
          points: 100,
          timeLimitSeconds: 600,
          hints: [
            { text: 'Look up.', penalty: 10, autoReleaseAfterSeconds: 300 },
            { text: 'Roman.', penalty: 0 },
          ],
          solve: { kind: 'answer', accepted: ['Neptune', 'Neptunus'] },
        },
        {
          id: 'clue-2',
          title: 'The tower',
          text: 'Stand at its foot.',
          points: 0,
          hints: [],
          solve: { kind: 'location', latitude: 48.8584, longitude: 2.2945, radiusMetres: 30 },
        },
        {
          id: 'clue-3',
          title: 'The gate',
          text: 'Type the code.',
          points: 50,
          hints: [],
          solve: { kind: 'code', code: 'CAIRN-42' },
        },
      ],
    };
    expect(parseHuntDefinition(source)).toStrictEqual({ ok: true, definition: expected });
  });

  it('fills in every default and leaves absent optional properties out', () => {
    const source = lines(...HEADER, '  - title: Only', '    text: One clue.', '    points: 1', '    answer: yes');
    expect(parseHuntDefinition(source)).toStrictEqual({
      ok: true,
      definition: {
        title: 'Test hunt',
        description: '',
        maxPlayers: 10,
        order: 'free',
        scoring: { wrongAnswerPenalty: 0 },
        guessing: { minSecondsBetweenGuesses: 2, maxTravelSpeedKmh: 150 },
        clues: [{ id: 'clue-1', title: 'Only', text: 'One clue.', points: 1, hints: [], solve: { kind: 'answer', accepted: ['yes'] } }],
      },
    });
  });

  it('accepts JSON', () => {
    const json = JSON.stringify(
      {
        title: 'JSON hunt',
        maxPlayers: 5,
        order: 'linear',
        startsAt: '2026-06-01T08:00:00.250Z',
        clues: [{ id: 'a', title: 'A', text: 'Code?', points: 10, code: 'X1' }],
      },
      null,
      2,
    );
    const result = parseHuntDefinition(json);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.startsAt).toBe(Date.UTC(2026, 5, 1, 8, 0, 0, 250));
    expect(result.definition.clues[0]?.solve).toStrictEqual({ kind: 'code', code: 'X1' });
  });

  it('accepts the Old Town Trail example', () => {
    const result = parseHuntDefinition(readFileSync(new URL('../../../examples/old-town-trail.yaml', import.meta.url), 'utf8'));
    if (!result.ok) throw new Error(formatDefinitionErrors(result.errors, 'old-town-trail.yaml'));
    const { definition } = result;
    expect(definition.order).toBe('linear');
    expect(definition.maxPlayers).toBe(50);
    expect(definition.startsAt).toBeUndefined();
    expect(definition.clues.map((clue) => clue.solve.kind)).toEqual(['answer', 'location', 'answer', 'code']);
    expect(definition.clues[0]?.solve).toStrictEqual({ kind: 'answer', accepted: ['Neptune', 'Neptunus', 'Poseidon'] });
    expect(definition.clues[2]?.solve).toStrictEqual({ kind: 'answer', accepted: ['1642'] });
    expect(definition.scoring).toStrictEqual({ wrongAnswerPenalty: 5, maxAttemptsPerClue: 5, speedBonus: { points: 20, withinSeconds: 300 } });
  });
});

describe('parseHuntDefinition: errors', () => {
  it('reports a YAML syntax error with its line', () => {
    const errors = errorsOf(lines('title: Test', 'maxPlayers: [10', 'order: free'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ path: '(root)', line: 3 });
  });

  it('rejects a field written twice', () => {
    const errors = errorsOf(lines(...HEADER, '  - title: A', '    title: B', '    text: T', '    points: 1', '    code: C'));
    expect(errors).toEqual([{ path: '(root)', message: 'a field appears twice in the same block', line: 6, column: 5 }]);
  });

  it('reports a missing required field at its parent block', () => {
    const errors = errorsOf(lines(...HEADER, '  - text: No title here.', '    points: 1', '    answer: x'));
    expect(errors).toEqual([{ path: 'clues[0].title', message: 'is required', line: 5, column: 5 }]);
  });

  it('reports a missing top-level field at the start of the document', () => {
    const errors = errorsOf(lines('title: T', 'order: free', 'clues:', '  - { title: A, text: T, points: 1, code: C }'));
    expect(errors).toEqual([{ path: 'maxPlayers', message: 'is required', line: 1, column: 1 }]);
  });

  it('reports a value of the wrong type with its line and column', () => {
    const errors = errorsOf(lines('title: T', 'maxPlayers: many', 'order: free', 'clues:', '  - { title: A, text: T, points: 2.5, code: C }'));
    expect(errors).toEqual([
      { path: 'maxPlayers', message: 'must be a whole number from 1 to 100000', line: 2, column: 13 },
      { path: 'clues[0].points', message: 'must be a whole number from 0 to 100000', line: 5, column: 34 },
    ]);
  });

  it('explains that an unquoted number is not text', () => {
    const errors = errorsOf(lines(...HEADER, '  - title: A', '    text: T', '    points: 1', '    answer: 1969'));
    expect(errorAt(errors, 'clues[0].answer')).toMatchObject({ line: 8, message: expect.stringContaining('put it in quotes') });
  });

  it('reports an enum value with the allowed choices', () => {
    const errors = errorsOf(lines('title: T', 'maxPlayers: 1', 'order: random', 'clues:', '  - { title: A, text: T, points: 1, code: C }'));
    expect(errors).toEqual([{ path: 'order', message: 'must be one of linear, free', line: 3, column: 8 }]);
  });

  it('reports an unknown field at the line of its key, with a suggestion', () => {
    const errors = errorsOf(lines(...HEADER, '  - title: A', '    text: T', '    pionts: 100', '    answer: x'));
    expect(errorAt(errors, 'clues[0].pionts')).toEqual({
      path: 'clues[0].pionts',
      message: "unknown field 'pionts' (did you mean 'points'?)",
      line: 7,
      column: 5,
    });
    // The real field is then missing too.
    expect(errorAt(errors, 'clues[0].points')).toMatchObject({ message: 'is required', line: 5 });
  });

  it('reports an unknown field without a suggestion when nothing is close', () => {
    const errors = errorsOf(lines(...HEADER, '  - title: A', '    text: T', '    points: 1', '    answer: x', 'weather: sunny'));
    expect(errors).toEqual([{ path: 'weather', message: "unknown field 'weather'", line: 9, column: 1 }]);
  });

  it('rejects a clue with two solve methods', () => {
    const errors = errorsOf(lines(...HEADER, '  - title: A', '    text: T', '    points: 1', '    answer: x', '    code: Y'));
    expect(errors).toEqual([{ path: 'clues[0]', message: 'a clue needs exactly one of answer, location or code', line: 5, column: 5 }]);
  });

  it('rejects a clue with no solve method', () => {
    const errors = errorsOf(lines(...HEADER, '  - title: A', '    text: T', '    points: 1', '  - title: B', '    text: T', '    points: 1', '    code: C'));
    expect(errors).toEqual([{ path: 'clues[0]', message: 'a clue needs exactly one of answer, location or code', line: 5, column: 5 }]);
  });

  it('rejects duplicate clue ids, including a clash with a default id', () => {
    const clue = (id: string) => [`  - id: ${id}`, '    title: A', '    text: T', '    points: 1', '    code: C'];
    const errors = errorsOf(lines(...HEADER, ...clue('fountain'), ...clue('fountain')));
    expect(errors).toEqual([{ path: 'clues[1].id', message: "duplicate clue id 'fountain' (also used by clues[0])", line: 10, column: 9 }]);

    const clash = errorsOf(lines(...HEADER, ...clue('clue-2'), '  - { title: B, text: T, points: 1, code: C }'));
    expect(clash).toEqual([{ path: 'clues[1]', message: "duplicate clue id 'clue-2' (also used by clues[0])", line: 10, column: 5 }]);
  });

  it('rejects endsAt before startsAt', () => {
    const errors = errorsOf(lines('startsAt: 2026-12-01T10:00:00Z', 'endsAt: 2026-12-01T10:30:00+01:00', ...HEADER, '  - { title: A, text: T, points: 1, code: C }'));
    expect(errors).toEqual([{ path: 'endsAt', message: 'must be after startsAt', line: 2, column: 9 }]);
  });

  it('rejects a date-time without a time zone, and an impossible date', () => {
    const errors = errorsOf(lines('startsAt: 2026-12-01 10:00', 'endsAt: 2026-02-30T10:00:00Z', ...HEADER, '  - { title: A, text: T, points: 1, code: C }'));
    const message = 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T10:00:00Z';
    expect(errors).toEqual([
      { path: 'startsAt', message, line: 1, column: 11 },
      { path: 'endsAt', message, line: 2, column: 9 },
    ]);
  });

  it('rejects an accepted answer that normalises to nothing', () => {
    const errors = errorsOf(lines(...HEADER, '  - title: A', '    text: T', '    points: 1', '    answer:', '      - Neptune', '      - "?!"'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'clues[0].answer[1]', line: 10, column: 9 });
    expect(errors[0]?.message).toMatch(/^must contain letters or digits/);
  });

  it('reports a non-text list item at its own index', () => {
    const errors = errorsOf(lines(...HEADER, '  - title: A', '    text: T', '    points: 1', '    answer: [ok, 42, []]'));
    expect(errors.map(({ path, line }) => ({ path, line }))).toEqual([
      { path: 'clues[0].answer[1]', line: 8 },
      { path: 'clues[0].answer[2]', line: 8 },
    ]);
  });

  it('reports every error at once, in reading order', () => {
    const errors = errorsOf(
      lines(
        'title: ""',
        'maxPlayers: 0',
        'order: free',
        'guessing: { maxTravelSpeedKmh: 0 }',
        'clues:',
        '  - id: Bad Id',
        '    title: A',
        '    text: T',
        '    points: 1',
        '    hints:',
        '      - { text: Look, penalty: -1 }',
        '    location: { latitude: 91, longitude: 0, radiusMetres: 10 }',
      ),
    );
    expect(errors.map(({ path, line }) => `${line} ${path}`)).toEqual([
      '1 title',
      '2 maxPlayers',
      '4 guessing.maxTravelSpeedKmh',
      '6 clues[0].id',
      '11 clues[0].hints[0].penalty',
      '12 clues[0].location.latitude',
    ]);
  });

  it('rejects a document that is not a mapping', () => {
    expect(errorsOf('')).toEqual([{ path: '(root)', message: expect.stringMatching(/^must be a mapping of fields/) }]);
    expect(errorsOf('- a\n- b\n')).toEqual([{ path: '(root)', message: expect.stringMatching(/^must be a mapping of fields/), line: 1, column: 1 }]);
  });
});

describe('validateHuntDefinition', () => {
  const valid = {
    title: 'Admin hunt',
    maxPlayers: 3,
    order: 'free',
    teams: { maxTeamSize: 2 },
    clues: [{ id: 'x', title: 'X', text: 'Where?', points: 5, location: { latitude: -33.86, longitude: 151.21, radiusMetres: 50 } }],
  };

  it('validates an already-parsed object', () => {
    const result = validateHuntDefinition(valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.definition.teams).toStrictEqual({ maxTeamSize: 2 });
    expect(result.definition.clues[0]?.solve).toStrictEqual({ kind: 'location', latitude: -33.86, longitude: 151.21, radiusMetres: 50 });
  });

  it('reports errors by path, without line numbers', () => {
    const result = validateHuntDefinition({ ...valid, teams: { maxTeamSize: 1, size: 3 } });
    expect(result).toEqual({
      ok: false,
      errors: [
        { path: 'teams.maxTeamSize', message: 'must be a whole number from 2 to 100' },
        { path: 'teams.size', message: "unknown field 'size'" },
      ],
    });
  });

  it('rejects a value that is not an object', () => {
    expect(validateHuntDefinition(null)).toEqual({ ok: false, errors: [{ path: '(root)', message: expect.stringMatching(/^must be a mapping/) }] });
  });
});

describe('formatDefinitionErrors', () => {
  const errors: DefinitionError[] = [
    { path: 'clues[2].points', message: 'must be a whole number of at least 0', line: 12, column: 7 },
    { path: '(root)', message: 'must be a mapping of fields' },
  ];

  it('prints one line per error with file, line and column when known', () => {
    expect(formatDefinitionErrors(errors, 'hunt.yaml')).toBe(
      'hunt.yaml:12:7 clues[2].points: must be a whole number of at least 0\nhunt.yaml (root): must be a mapping of fields',
    );
  });

  it('leaves out the file name when not given', () => {
    expect(formatDefinitionErrors(errors)).toBe('12:7 clues[2].points: must be a whole number of at least 0\n(root): must be a mapping of fields');
  });

  it('formats what the parser reports', () => {
    const source = lines(...HEADER, '  - title: A', '    text: T', '    points: -3', '    code: C');
    expect(formatDefinitionErrors(errorsOf(source), 'hunt.yaml')).toBe('hunt.yaml:7:13 clues[0].points: must be a whole number from 0 to 100000');
  });
});

describe('normaliseAnswer', () => {
  it.each([
    ['  Café—Nöel! ', 'cafe noel'],
    ['NEPTUNE', 'neptune'],
    ['Neptune.', 'neptune'],
    ['Crème  Brûlée', 'creme brulee'],
    ["l'Été", 'l ete'],
    ['CAIRN-42', 'cairn 42'],
    ['a\t\n b', 'a b'],
    ['ﬁsh £5', 'fish 5'],
    ['?!…', ''],
    ['', ''],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseAnswer(input)).toBe(expected);
  });

  it('is idempotent', () => {
    const tricky = fc.constantFrom('É', 'ß', 'İ', '㎒', 'ﬁ', 'Ⅻ', '—', '!', ' ', '\t', '\u0301', '\u00a0', '½', '①', 'ǅ');
    const character = fc.oneof(tricky, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    fc.assert(
      fc.property(fc.string({ unit: character, maxLength: 30 }), (text) => {
        const once = normaliseAnswer(text);
        expect(normaliseAnswer(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseIsoDateTime', () => {
  it('reads the zone offset', () => {
    expect(parseIsoDateTime('2026-12-01T11:00:00+01:00')).toBe(Date.UTC(2026, 11, 1, 10));
    expect(parseIsoDateTime('2026-12-01T08:30-01:30')).toBe(Date.UTC(2026, 11, 1, 10));
    expect(parseIsoDateTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
  });

  it.each(['2026-12-01T10:00:00', '2026-12-01', '2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-12-01T24:00:00Z', 'tomorrow'])('rejects %j', (text) => {
    expect(parseIsoDateTime(text)).toBeUndefined();
  });
});
