/**
 * What the server shows clients of a hunt. Only what the receiver may see ever appears: unlocked
 * clues, revealed hints; never an answer, code or solution location. Times are ms since epoch.
 */

export type HuntStatus = 'draft' | 'running' | 'paused' | 'ended';

export interface HintView {
  readonly index: number;
  /** Points it costs to ask for it. */
  readonly penalty: number;
  readonly revealed: boolean;
  /** Present only once revealed to the receiver. */
  readonly text?: string;
}

export interface ClueView {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly points: number;
  /** Which kind of guess solves it. */
  readonly solveWith: 'answer' | 'location' | 'code';
  readonly status: 'open' | 'solved' | 'timed-out';
  readonly wrongGuesses: number;
  /** Wrong guesses left; null when unlimited. */
  readonly attemptsLeft: number | null;
  /** When the clue's time runs out, if it has a limit and the hunt is not paused again. */
  readonly deadlineAt?: number;
  readonly hints: readonly HintView[];
}

export interface LeaderboardEntry {
  readonly rank: number;
  readonly competitorId: string;
  readonly name: string;
  readonly kind: 'team' | 'solo';
  readonly points: number;
  readonly solved: number;
  readonly finishedAt?: number;
}

export interface LeaderboardSlice {
  /** The leaders, best first (at most 10). */
  readonly top: readonly LeaderboardEntry[];
  /** The receiver's own entry, when the receiver is a competitor. */
  readonly you?: LeaderboardEntry;
  /** Competitors on the leaderboard in all. */
  readonly total: number;
}

export interface PlayerView {
  readonly title: string;
  readonly description: string;
  readonly status: HuntStatus;
  readonly order: 'linear' | 'free';
  readonly startsAt?: number;
  readonly endsAt?: number;
  readonly totalClues: number;
  readonly you: {
    readonly playerId: string;
    readonly displayName: string;
    readonly competitorId: string;
    readonly team?: string;
    readonly points: number;
  };
  /** Unlocked clues only, in hunt order. */
  readonly clues: readonly ClueView[];
  readonly leaderboard: LeaderboardSlice;
  /** The hunt's last announcements (at most 10), oldest first: what a player who was away missed. */
  readonly announcements: readonly { readonly message: string; readonly at: number }[];
  /** The hunt's update number this view reflects: resume from here. */
  readonly updateSeq: number;
}

export interface HuntSummary {
  readonly title: string;
  readonly status: HuntStatus;
  readonly order: 'linear' | 'free';
  readonly players: number;
  readonly maxPlayers: number;
  readonly clues: readonly { readonly id: string; readonly title: string }[];
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly leaderboard: readonly LeaderboardEntry[];
  readonly updateSeq: number;
}

/** One change inside an update frame. Clients apply them in order. */
export type HuntChange =
  | { readonly kind: 'hunt-status'; readonly status: HuntStatus; readonly at: number }
  /** Replace (or add) this clue in the receiver's view. */
  | { readonly kind: 'clue'; readonly clue: ClueView }
  /** The receiver's own points and rank. */
  | { readonly kind: 'score'; readonly points: number; readonly rank: number | null }
  | { readonly kind: 'leaderboard'; readonly leaderboard: LeaderboardSlice }
  | { readonly kind: 'announcement'; readonly message: string; readonly at: number }
  /** Staff only: players in the hunt now. */
  | { readonly kind: 'players'; readonly active: number }
  /** The receiver was removed from the hunt; no further updates follow for it. */
  | { readonly kind: 'kicked'; readonly reason: string };
