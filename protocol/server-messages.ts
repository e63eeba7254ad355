import type { ShardMap } from './shard-map.js';
import type { HuntChange, HuntSummary, PlayerView } from './views.js';
import type { ErrorCode } from './codes.js';

export type Role = 'player' | 'designer' | 'operator';

/** First frame on every connection. */
export interface WelcomeMessage {
  readonly type: 'welcome';
  readonly protocol: 1;
  readonly subject: string;
  readonly role: Role;
  /** The server pings this often (ms); a client that hears nothing for twice as long should reconnect. */
  readonly heartbeatMs: number;
  /** The server's clock when it sent the welcome (ms since the epoch): what `issuedAt` is measured by. */
  readonly serverTime: number;
  /**
   * Hunts this player is in: resume them after a reconnect. Empty for staff. May name a hunt whose
   * join did not complete (its resume answers not-joined); `competitorId` is then absent.
   */
  readonly hunts: readonly { readonly hunt: string; readonly competitorId?: string; readonly team?: string }[];
}

export interface ErrorBody {
  readonly code: ErrorCode | (string & {});
  readonly message: string;
  /** True when the same request may succeed later; wait `retryAfterMs` when given. */
  readonly retriable: boolean;
  /** Milliseconds to wait before retrying; always given with `rate-limited`, `overloaded` and `too-fast`. */
  readonly retryAfterMs?: number;
  /** For invalid-definition: one entry per mistake in the hunt file. */
  readonly details?: readonly { readonly path: string; readonly message: string; readonly line?: number; readonly column?: number }[];
}

/** Results, by request type. */
export interface Results {
  ping: { readonly serverTime: number };
  join: { readonly view: PlayerView };
  submit: {
    readonly correct: boolean;
    /** Points gained (clue points) or lost (penalty, as a negative number). */
    readonly points: number;
    readonly bonus: number;
    readonly attemptsLeft: number | null;
    /** True when this commandId was already applied: this is the first outcome again. */
    readonly duplicate: boolean;
    readonly update: number;
  };
  hint: { readonly clue: string; readonly hint: number; readonly text: string; readonly penalty: number; readonly duplicate: boolean; readonly update: number };
  leave: { readonly duplicate: boolean; readonly update: number };
  /**
   * `resync` false: every update after `after` was sent before this reply (`replayed` of them).
   * `resync` true: too much was missed; `view` is the whole current view instead.
   */
  resume: { readonly resync: boolean; readonly replayed: number; readonly updateSeq: number; readonly view?: PlayerView };
  'admin.spawn': { readonly duplicate: boolean; readonly update: number };
  'admin.start': { readonly duplicate: boolean; readonly update: number };
  'admin.pause': { readonly duplicate: boolean; readonly update: number };
  'admin.resume': { readonly duplicate: boolean; readonly update: number };
  'admin.end': { readonly duplicate: boolean; readonly update: number };
  'admin.edit-clue': { readonly duplicate: boolean; readonly update: number };
  'admin.release-hint': { readonly duplicate: boolean; readonly update: number };
  'admin.announce': { readonly duplicate: boolean; readonly update: number };
  'admin.kick': { readonly duplicate: boolean; readonly update: number };
  'admin.status': { readonly summary: HuntSummary };
  'admin.watch': { readonly summary: HuntSummary };
  'shards.map': ShardMap;
  'shards.pin': { readonly planVersion: number };
  'shards.unpin': { readonly planVersion: number };
  'shards.drain': { readonly planVersion: number };
  'shards.undrain': { readonly planVersion: number };
}

export type ReplyMessage =
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly result: Results[keyof Results] }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: ErrorBody };

/** Pushed changes of one hunt update; `update` numbers rise, with gaps where nothing concerned the receiver. */
export interface UpdateMessage {
  readonly type: 'update';
  readonly hunt: string;
  readonly update: number;
  readonly changes: readonly HuntChange[];
}

/** A problem with a frame that has no request id to answer (e.g. undecodable bytes). */
export interface ErrorMessage {
  readonly type: 'error';
  readonly error: ErrorBody;
}

export type ServerMessage = WelcomeMessage | ReplyMessage | UpdateMessage | ErrorMessage;
