import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Hunt files for end-to-end tests: small, fast (no minimum time between guesses) and explicit. */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLE_HUNT_FILE = path.join(ROOT, 'examples/old-town-trail.yaml');
export const exampleHunt = (): string => fs.readFileSync(EXAMPLE_HUNT_FILE, 'utf8');

export interface HintSpec {
  readonly text: string;
  readonly penalty?: number;
  readonly autoReleaseAfterSeconds?: number;
}

export interface ClueSpec {
  readonly id: string;
  readonly title?: string;
  readonly text?: string;
  readonly points?: number;
  readonly timeLimitSeconds?: number;
  readonly hints?: readonly HintSpec[];
  readonly answer?: string | readonly string[];
  readonly location?: { readonly latitude: number; readonly longitude: number; readonly radiusMetres: number };
  readonly code?: string;
}

export interface HuntSpec {
  readonly title?: string;
  readonly description?: string;
  readonly maxPlayers?: number;
  readonly order?: 'linear' | 'free';
  readonly teams?: { readonly maxTeamSize: number };
  readonly scoring?: {
    readonly wrongAnswerPenalty?: number;
    readonly maxAttemptsPerClue?: number;
    readonly speedBonus?: { readonly points: number; readonly withinSeconds: number };
  };
  readonly guessing?: { readonly minSecondsBetweenGuesses?: number; readonly maxTravelSpeedKmh?: number };
  /** ISO date-time of a scheduled start. */
  readonly startsAt?: string;
  readonly clues: readonly ClueSpec[];
}

/** The hunt file text (JSON, which the server reads as YAML) for `spec`, with test-friendly defaults. */
export function huntFile(spec: HuntSpec): string {
  return JSON.stringify(
    {
      title: spec.title ?? 'E2E hunt',
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      maxPlayers: spec.maxPlayers ?? 50,
      order: spec.order ?? 'linear',
      ...(spec.teams ? { teams: spec.teams } : {}),
      ...(spec.scoring ? { scoring: spec.scoring } : {}),
      ...(spec.startsAt !== undefined ? { startsAt: spec.startsAt } : {}),
      guessing: { minSecondsBetweenGuesses: 0, ...spec.guessing },
      clues: spec.clues.map((clue) => ({
        id: clue.id,
        title: clue.title ?? `Clue ${clue.id}`,
        text: clue.text ?? `Find ${clue.id}.`,
        points: clue.points ?? 100,
        ...(clue.timeLimitSeconds !== undefined ? { timeLimitSeconds: clue.timeLimitSeconds } : {}),
        ...(clue.hints ? { hints: clue.hints } : {}),
        ...(clue.answer !== undefined ? { answer: clue.answer } : {}),
        ...(clue.location !== undefined ? { location: clue.location } : {}),
        ...(clue.code !== undefined ? { code: clue.code } : {}),
      })),
    },
    null,
    2,
  );
}

/**
 * A four-clue linear hunt with one clue of each kind (answer, location, code, answer), hints with
 * penalties, a wrong-answer penalty and a speed bonus.
 */
export const FOUR_CLUES = {
  answers: { c1: 'granite', c4: 'lantern' },
  location: { latitude: 51.5007, longitude: -0.1246, radiusMetres: 50 },
  /** A correct location guess for c2 (10 m north of the solution). */
  here: { kind: 'location', latitude: 51.50079, longitude: -0.1246 },
  code: 'OWL-77',
  /**
   * 56 m north of the solution (outside its 50 m radius: wrong), but within the GPS jitter the rules
   * allow of `here`, so guessing one right after the other is never "impossible travel".
   */
  wrongLocation: { kind: 'location', latitude: 51.5012, longitude: -0.1246 },
} as const;

export function fourClueHunt(overrides: Partial<HuntSpec> = {}): string {
  return huntFile({
    title: 'Four clues',
    scoring: { wrongAnswerPenalty: 5, maxAttemptsPerClue: 10, speedBonus: { points: 20, withinSeconds: 600 } },
    guessing: { minSecondsBetweenGuesses: 0, maxTravelSpeedKmh: 10_000_000 },
    clues: [
      {
        id: 'c1',
        title: 'The stone',
        text: 'What is the old bridge built of?',
        points: 100,
        hints: [
          { text: 'It is grey and hard.', penalty: 10 },
          { text: 'Quarried in Cornwall.', penalty: 25 },
        ],
        answer: [FOUR_CLUES.answers.c1, 'granit'],
      },
      { id: 'c2', title: 'The tower', text: 'Stand below the big clock.', points: 150, location: FOUR_CLUES.location },
      { id: 'c3', title: 'The plaque', text: 'Type the code on the plaque.', points: 120, code: FOUR_CLUES.code },
      { id: 'c4', title: 'The light', text: 'What hangs by the door?', points: 80, answer: FOUR_CLUES.answers.c4 },
    ],
    ...overrides,
  });
}
