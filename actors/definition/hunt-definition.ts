/**
 * A hunt as a designer describes it: the validated, normalised form that the hunt rules run on.
 * Times are milliseconds since the Unix epoch; durations are seconds as designers write them.
 */

export type HuntOrder = 'linear' | 'free';

/** How a clue is solved: exactly one way per clue. */
export type SolveMethod =
  | { readonly kind: 'answer'; readonly accepted: readonly string[] }
  | {
      readonly kind: 'location';
      readonly latitude: number;
      readonly longitude: number;
      /** Accepted distance from the spot, in metres. */
      readonly radiusMetres: number;
    }
  | { readonly kind: 'code'; readonly code: string };

export interface HintDefinition {
  readonly text: string;
  /** Points taken from the competitor who asks for the hint; 0 for a free hint. */
  readonly penalty: number;
  /** Seconds after the clue unlocks when the hint is shown for free; absent: only on request. */
  readonly autoReleaseAfterSeconds?: number;
}

export interface ClueDefinition {
  /** Stable id used in commands and pushes: lower-case letters, digits, '-' and '_'. */
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly points: number;
  /** Seconds a competitor has from unlocking the clue; absent: no limit. */
  readonly timeLimitSeconds?: number;
  readonly hints: readonly HintDefinition[];
  readonly solve: SolveMethod;
}

export interface SpeedBonus {
  /** Extra points for solving a clue within `withinSeconds` of unlocking it. */
  readonly points: number;
  readonly withinSeconds: number;
}

export interface Scoring {
  /** Points taken for each wrong guess; 0 for none. */
  readonly wrongAnswerPenalty: number;
  /** Wrong guesses a competitor may make on one clue; absent: unlimited. */
  readonly maxAttemptsPerClue?: number;
  readonly speedBonus?: SpeedBonus;
}

export interface GuessLimits {
  /** Seconds a player must wait between two guesses on the same clue. Default 2. */
  readonly minSecondsBetweenGuesses: number;
  /** Fastest believable travel between two location guesses of one player, km/h. Default 150. */
  readonly maxTravelSpeedKmh: number;
}

export interface HuntDefinition {
  readonly title: string;
  readonly description: string;
  /** The hunt starts by itself at this time when set (ms since epoch). */
  readonly startsAt?: number;
  /** The hunt ends by itself at this time when set (ms since epoch). */
  readonly endsAt?: number;
  readonly maxPlayers: number;
  /** Present when players play in teams. */
  readonly teams?: { readonly maxTeamSize: number };
  readonly order: HuntOrder;
  readonly scoring: Scoring;
  readonly guessing: GuessLimits;
  readonly clues: readonly ClueDefinition[];
}
