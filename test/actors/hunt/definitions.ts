import type { ClueDefinition, HuntDefinition } from '../../../actors/definition/hunt-definition.js';

/**
 * Hunt definitions for the rules tests, built as plain data (not through the parser). The solution
 * strings and coordinates are chosen so that they appear nowhere else in a definition: a view that
 * contains one of them has leaked a solution.
 */

/** 2026-06-01 10:00:00 UTC: the tests' "now". */
export const T0 = Date.UTC(2026, 5, 1, 10, 0, 0);

/** Wall time `seconds` after T0. */
export const s = (seconds: number): number => T0 + seconds * 1000;

/** Wall time `minutes` after T0. */
export const min = (minutes: number): number => T0 + minutes * 60_000;

/** The spot of the location clue: the Eiffel Tower. */
export const TOWER = { latitude: 48.858373, longitude: 2.294481 } as const;

/** Metres per degree of latitude on the haversine sphere used by actors/geo.ts. */
const METRES_PER_DEGREE_LATITUDE = (6_371_008.8 * Math.PI) / 180;

/** The point `metres` north of `point`. */
export function north(point: { latitude: number; longitude: number }, metres: number) {
  return { latitude: point.latitude + metres / METRES_PER_DEGREE_LATITUDE, longitude: point.longitude };
}

export const RIDDLE_ANSWERS = ['Nautilus', 'Le Nautilus'] as const;
export const VAULT_CODE = 'QX-7731';

export const riddleClue: ClueDefinition = {
  id: 'riddle',
  title: 'The riddle',
  text: 'I sail under the sea with Captain Nemo. What am I?',
  points: 100,
  hints: [
    { text: 'Think of Jules Verne.', penalty: 10 },
    { text: 'Twenty thousand leagues.', penalty: 20 },
  ],
  solve: { kind: 'answer', accepted: [...RIDDLE_ANSWERS] },
};

export const towerClue: ClueDefinition = {
  id: 'tower',
  title: 'The iron lady',
  text: 'Go to the iron lady of the Champ de Mars.',
  points: 200,
  hints: [{ text: 'It was built for a world fair.', penalty: 15 }],
  solve: { kind: 'location', ...TOWER, radiusMetres: 50 },
};

export const vaultClue: ClueDefinition = {
  id: 'vault',
  title: 'The vault',
  text: 'Read the code painted on the vault door.',
  points: 300,
  hints: [],
  solve: { kind: 'code', code: VAULT_CODE },
};

/** Every solution string and number in the standard clues, for leak checks. */
export const SOLUTION_STRINGS: readonly string[] = [...RIDDLE_ANSWERS, VAULT_CODE];
export const SOLUTION_NUMBERS: readonly number[] = [TOWER.latitude, TOWER.longitude];

/** A linear 3-clue hunt: riddle (answer), tower (location), vault (code). */
export function linearHunt(overrides: Partial<HuntDefinition> = {}): HuntDefinition {
  return {
    title: 'Paris by night',
    description: 'Three clues across the city.',
    maxPlayers: 10,
    order: 'linear',
    scoring: { wrongAnswerPenalty: 5 },
    guessing: { minSecondsBetweenGuesses: 2, maxTravelSpeedKmh: 150 },
    clues: [riddleClue, towerClue, vaultClue],
    ...overrides,
  };
}

/** The same three clues, to be solved in any order. */
export function freeHunt(overrides: Partial<HuntDefinition> = {}): HuntDefinition {
  return linearHunt({ title: 'Paris at will', order: 'free', ...overrides });
}

/** The linear hunt played in teams of at most `maxTeamSize`. */
export function teamHunt(maxTeamSize = 2, overrides: Partial<HuntDefinition> = {}): HuntDefinition {
  return linearHunt({ title: 'Paris in teams', teams: { maxTeamSize }, ...overrides });
}

/** `definition` with the clue `clueId` changed by `patch`. */
export function withClue(definition: HuntDefinition, clueId: string, patch: Partial<ClueDefinition>): HuntDefinition {
  if (!definition.clues.some((clue) => clue.id === clueId)) throw new Error(`no clue ${clueId}`);
  return {
    ...definition,
    clues: definition.clues.map((clue) => (clue.id === clueId ? { ...clue, ...patch } : clue)),
  };
}

/** The riddle (first clue) has a time limit of `seconds`. */
export const timeLimitedHunt = (seconds = 60, base: HuntDefinition = linearHunt()): HuntDefinition =>
  withClue(base, 'riddle', { timeLimitSeconds: seconds });

/** The riddle's hints: a paid one on request, and a free one released after `seconds`. */
export const autoHintHunt = (seconds = 120, base: HuntDefinition = linearHunt()): HuntDefinition =>
  withClue(base, 'riddle', {
    hints: [
      { text: 'Think of Jules Verne.', penalty: 10 },
      { text: 'Twenty thousand leagues.', penalty: 20, autoReleaseAfterSeconds: seconds },
    ],
  });

/** A bonus of `points` for a clue solved within `withinSeconds` of unlocking it. */
export const speedBonusHunt = (points = 50, withinSeconds = 60, base: HuntDefinition = linearHunt()): HuntDefinition => ({
  ...base,
  scoring: { ...base.scoring, speedBonus: { points, withinSeconds } },
});

/** At most `max` wrong guesses per clue. */
export const maxAttemptsHunt = (max = 2, base: HuntDefinition = linearHunt()): HuntDefinition => ({
  ...base,
  scoring: { ...base.scoring, maxAttemptsPerClue: max },
});

/** Starts by itself at `startsAt` and ends by itself at `endsAt`. */
export const scheduledHunt = (startsAt: number, endsAt: number, base: HuntDefinition = linearHunt()): HuntDefinition => ({
  ...base,
  startsAt,
  endsAt,
});
