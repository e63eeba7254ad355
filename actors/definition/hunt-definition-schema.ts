/**
 * The written form of a hunt definition (what a designer types in YAML or JSON), as a zod schema,
 * and its conversion to the normalised `HuntDefinition`.
 *
 * Every message is written for a game designer, not a programmer. Rules that look across fields
 * (exactly one solve method, unique clue ids, endsAt after startsAt, answers that normalise to
 * nothing) live in parse-hunt-definition.ts: zod skips an object's refinements as soon as one of its
 * fields is wrong, and we want every mistake reported in one go.
 */
import { z } from 'zod';
import type { ClueDefinition, HuntDefinition, SolveMethod } from './hunt-definition.js';

type IssueLike = { readonly code?: string; readonly input?: unknown };

/** The error option of a schema: "is required" when the field is missing, otherwise `message`. */
function expecting(message: string | ((input: unknown) => string)) {
  return {
    error: (issue: IssueLike) => {
      // Unknown keys are reported one by one by the parser, with their own line.
      if (issue.code === 'unrecognized_keys') return undefined;
      if (issue.input === undefined) return 'is required';
      return typeof message === 'string' ? message : message(issue.input);
    },
  };
}

/** YAML reads `1969` or `true` as a number or boolean, which is a common surprise for answers and titles. */
function textMessage(input: unknown, expected = 'text'): string {
  return typeof input === 'number' || typeof input === 'boolean'
    ? `must be ${expected} (put it in quotes so YAML does not read it as a number or true/false)`
    : `must be ${expected}`;
}

function wholeNumber(min: number, max?: number) {
  const message = max === undefined ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`;
  return z.number(expecting(message)).refine((n) => Number.isInteger(n) && n >= min && (max === undefined || n <= max), { error: message });
}

function numberBetween(min: number, max: number) {
  const message = `must be a number from ${min} to ${max}`;
  return z.number(expecting(message)).refine((n) => n >= min && n <= max, { error: message });
}

/** Text that is trimmed, then must have 1..max characters. */
function text(max: number) {
  return z
    .string(expecting(textMessage))
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` });
}

function mapping(message: string) {
  return expecting(`must be a mapping of fields (${message})`);
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Milliseconds since the epoch for an ISO 8601 date-time with a time zone (`Z` or `±hh:mm`), or
 * undefined. Checked by hand because `Date.parse` accepts dates without a zone (read as local time,
 * which would make the hunt start at a different moment depending on the server) and rolls
 * impossible dates such as 02-30 over.
 */
export function parseIsoDateTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const part = (index: number): number => Number(m[index] ?? 0);
  const [year, month, day, hour, minute, second] = [part(1), part(2), part(3), part(4), part(5), part(6)];
  const [offsetHours, offsetMinutes] = [part(10), part(11)];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // Day 0 of the next month is the last day of this one.
  if (day < 1 || day > new Date(utcMillis(year, month, 0)).getUTCDate()) return undefined;
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  const sign = m[9] === '-' ? -1 : 1;
  return utcMillis(year, month - 1, day, hour, minute, second, millis) - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}

/** Like Date.UTC, but years 0..99 stay themselves instead of becoming 1900..1999. */
function utcMillis(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

const DATE_MESSAGE = 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T10:00:00Z';

const dateTime = z.string(expecting(DATE_MESSAGE)).transform((value, ctx) => {
  const millis = parseIsoDateTime(value);
  if (millis === undefined) {
    ctx.issues.push({ code: 'custom', input: value, message: DATE_MESSAGE });
    return z.NEVER;
  }
  return millis;
});

const ID_MESSAGE = "must be 1 to 64 characters: lower-case letters, digits, '-' or '_', starting with a letter or digit";

/**
 * A single accepted answer, or a non-empty list of them. List items are checked with a non-aborting
 * z.custom so that, for a list, the union reports the bad item at its own path (answer[1]) instead
 * of a vague "matches neither" for the whole field.
 */
const answer = z.union(
  [
    z.string(),
    z
      .array(z.custom<string>((item) => typeof item === 'string', { error: (issue) => textMessage(issue.input), abort: false }))
      .min(1, { error: 'must list at least one accepted answer' }),
  ],
  expecting((input) => textMessage(input, 'text or a list of texts')),
);

const hint = z.strictObject(
  {
    text: text(1000),
    penalty: wholeNumber(0).optional(),
    autoReleaseAfterSeconds: wholeNumber(1).optional(),
  },
  mapping('text, penalty, autoReleaseAfterSeconds'),
);

const location = z.strictObject(
  {
    latitude: numberBetween(-90, 90),
    longitude: numberBetween(-180, 180),
    radiusMetres: numberBetween(1, 100_000),
  },
  mapping('latitude, longitude, radiusMetres'),
);

const clue = z.strictObject(
  {
    id: z.string(expecting(ID_MESSAGE)).regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: ID_MESSAGE }).optional(),
    title: text(120),
    text: text(4000),
    points: wholeNumber(0, 100_000),
    timeLimitSeconds: wholeNumber(1).optional(),
    hints: z
      .array(hint, expecting('must be a list of hints'))
      .max(10, { error: 'must have at most 10 hints' })
      .optional(),
    answer: answer.optional(),
    location: location.optional(),
    // Stored trimmed; players' entries are compared with normaliseAnswer, like answers.
    code: text(200).optional(),
  },
  mapping('title, text, points, and one of answer, location or code'),
);

const scoring = z.strictObject(
  {
    wrongAnswerPenalty: wholeNumber(0).optional(),
    maxAttemptsPerClue: wholeNumber(1).optional(),
    speedBonus: z
      .strictObject({ points: wholeNumber(1), withinSeconds: wholeNumber(1) }, mapping('points, withinSeconds'))
      .optional(),
  },
  mapping('wrongAnswerPenalty, maxAttemptsPerClue, speedBonus'),
);

const guessing = z.strictObject(
  {
    minSecondsBetweenGuesses: z
      .number(expecting('must be a number of at least 0'))
      .refine((n) => n >= 0, { error: 'must be a number of at least 0' })
      .optional(),
    maxTravelSpeedKmh: z
      .number(expecting('must be a number greater than 0'))
      .refine((n) => n > 0, { error: 'must be a number greater than 0' })
      .optional(),
  },
  mapping('minSecondsBetweenGuesses, maxTravelSpeedKmh'),
);

const teams = z.strictObject({ maxTeamSize: wholeNumber(2, 100) }, mapping('maxTeamSize'));

export const writtenHuntSchema = z.strictObject(
  {
    title: text(120),
    description: z
      .string(expecting(textMessage))
      .trim()
      .max(2000, { error: 'must be at most 2000 characters' })
      .optional(),
    startsAt: dateTime.optional(),
    endsAt: dateTime.optional(),
    maxPlayers: wholeNumber(1, 100_000),
    teams: teams.optional(),
    order: z.enum(['linear', 'free'], expecting('must be one of linear, free')),
    scoring: scoring.optional(),
    guessing: guessing.optional(),
    clues: z
      .array(clue, expecting('must be a list of clues'))
      .min(1, { error: 'must have at least one clue' })
      .max(500, { error: 'must have at most 500 clues' }),
  },
  mapping('title, maxPlayers, order, clues, ...'),
);

/** The written form after zod: trimmed texts, dates as ms; defaults not yet applied. */
export type WrittenHunt = z.output<typeof writtenHuntSchema>;
type WrittenClue = WrittenHunt['clues'][number];

/** The clue fields of which exactly one says how the clue is solved. */
export const SOLVE_FIELDS = ['answer', 'location', 'code'] as const;

/**
 * Fields allowed in each kind of block, keyed by path with list indexes as '*', so an unknown field
 * can be answered with "did you mean ...?".
 */
const FIELDS_BY_PLACE: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(writtenHuntSchema.shape),
  teams: Object.keys(teams.shape),
  scoring: Object.keys(scoring.shape),
  'scoring.speedBonus': ['points', 'withinSeconds'],
  guessing: Object.keys(guessing.shape),
  'clues.*': Object.keys(clue.shape),
  'clues.*.hints.*': Object.keys(hint.shape),
  'clues.*.location': Object.keys(location.shape),
};

/** The fields allowed in the block at `path` (empty when the path is not a known block). */
export function knownFieldsAt(path: readonly PropertyKey[]): readonly string[] {
  const place = path.map((part) => (typeof part === 'number' ? '*' : String(part))).join('.');
  return FIELDS_BY_PLACE[place] ?? [];
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function solveMethod(written: WrittenClue): SolveMethod {
  if (written.answer !== undefined) {
    const accepted = typeof written.answer === 'string' ? [written.answer] : written.answer;
    return { kind: 'answer', accepted: accepted.map((a) => a.trim()) };
  }
  if (written.location !== undefined) return { kind: 'location', ...written.location };
  if (written.code !== undefined) return { kind: 'code', code: written.code };
  // The parser checks "exactly one solve method" before converting.
  throw new Error('clue without a solve method passed validation');
}

function toClue(written: WrittenClue, index: number): ClueDefinition {
  return {
    id: written.id ?? `clue-${index + 1}`,
    title: written.title,
    text: written.text,
    points: written.points,
    ...optional('timeLimitSeconds', written.timeLimitSeconds),
    hints: (written.hints ?? []).map((h) => ({
      text: h.text,
      penalty: h.penalty ?? 0,
      ...optional('autoReleaseAfterSeconds', h.autoReleaseAfterSeconds),
    })),
    solve: solveMethod(written),
  };
}

/** Applies defaults and builds the normalised definition from a fully validated written hunt. */
export function toHuntDefinition(written: WrittenHunt): HuntDefinition {
  const speedBonus = written.scoring?.speedBonus;
  return {
    title: written.title,
    description: written.description ?? '',
    ...optional('startsAt', written.startsAt),
    ...optional('endsAt', written.endsAt),
    maxPlayers: written.maxPlayers,
    ...optional('teams', written.teams && { maxTeamSize: written.teams.maxTeamSize }),
    order: written.order,
    scoring: {
      wrongAnswerPenalty: written.scoring?.wrongAnswerPenalty ?? 0,
      ...optional('maxAttemptsPerClue', written.scoring?.maxAttemptsPerClue),
      ...optional('speedBonus', speedBonus && { points: speedBonus.points, withinSeconds: speedBonus.withinSeconds }),
    },
    guessing: {
      minSecondsBetweenGuesses: written.guessing?.minSecondsBetweenGuesses ?? 2,
      maxTravelSpeedKmh: written.guessing?.maxTravelSpeedKmh ?? 150,
    },
    clues: written.clues.map(toClue),
  };
}
