/** Stable codes of the reasons a hunt refuses a command; clients and docs rely on them. */
export const HuntRejectionCode = {
  huntNotFound: 'hunt-not-found',
  huntExists: 'hunt-exists',
  huntNotRunning: 'hunt-not-running',
  huntEnded: 'hunt-ended',
  huntAlreadyStarted: 'hunt-already-started',
  huntNotPaused: 'hunt-not-paused',
  huntFull: 'hunt-full',
  teamFull: 'team-full',
  teamRequired: 'team-required',
  teamsDisabled: 'teams-disabled',
  invalidInput: 'invalid-input',
  alreadyJoined: 'already-joined',
  notJoined: 'not-joined',
  playerBanned: 'player-banned',
  unknownClue: 'unknown-clue',
  clueLocked: 'clue-locked',
  clueAlreadySolved: 'clue-already-solved',
  clueTimedOut: 'clue-timed-out',
  attemptsExhausted: 'attempts-exhausted',
  /** Time alone lifts it: it carries `retryAfterMs` and is retriable. */
  tooFast: 'too-fast',
  /** The same, measured from where the player last solved a location clue. */
  impossibleTravel: 'impossible-travel',
  wrongGuessKind: 'wrong-guess-kind',
  unknownHint: 'unknown-hint',
  hintAlreadyRevealed: 'hint-already-revealed',
  nothingDue: 'nothing-due',
  /** A command id its issuer already used for a different kind of command. */
  commandIdReused: 'command-id-reused',
} as const;

export type HuntRejectionCode = (typeof HuntRejectionCode)[keyof typeof HuntRejectionCode];
