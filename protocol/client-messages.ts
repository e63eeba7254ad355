/**
 * Messages a client sends. Every one carries `id`, a number the client picks (unique among its
 * requests on this connection) and gets back in exactly one reply. Messages that change a hunt
 * also carry `commandId`, a string the client picks once per intended action and reuses on
 * every retry, across reconnects: the server applies an action once and answers repeats with the
 * first outcome.
 */

export type Guess =
  | { readonly kind: 'answer'; readonly text: string }
  | { readonly kind: 'location'; readonly latitude: number; readonly longitude: number }
  | { readonly kind: 'code'; readonly code: string };

export interface HintInput {
  readonly text: string;
  readonly penalty: number;
  readonly autoReleaseAfterSeconds?: number;
}

interface Request {
  readonly id: number;
}
interface HuntCommand extends Request {
  readonly hunt: string;
  readonly commandId: string;
  /**
   * When the action was first attempted, in ms since the epoch by the server's clock (the
   * welcome's `serverTime` tells a client its offset), the same on every retry. With it, a retry
   * too old to be recognised as a repeat is refused with command-expired instead of applied anew.
   */
  readonly issuedAt?: number;
}

/** Any role. */
export type PingMessage = Request & { readonly type: 'ping' };

/** The player role. */
export type PlayerMessage =
  | (HuntCommand & { readonly type: 'join'; readonly team?: string; readonly displayName?: string })
  | (HuntCommand & { readonly type: 'submit'; readonly clue: string; readonly guess: Guess })
  | (HuntCommand & { readonly type: 'hint'; readonly clue: string; readonly hint: number })
  | (HuntCommand & { readonly type: 'leave' })
  /** Subscribe to a hunt already joined and receive every update after `after` (0: from the start). */
  | (Request & { readonly type: 'resume'; readonly hunt: string; readonly after: number });

/** The designer and operator roles. */
export type AdminMessage =
  /** `definition`: the hunt file's text, YAML or JSON. */
  | (HuntCommand & { readonly type: 'admin.spawn'; readonly definition: string })
  | (HuntCommand & { readonly type: 'admin.start' | 'admin.pause' | 'admin.resume' | 'admin.end' })
  | (HuntCommand & {
      readonly type: 'admin.edit-clue';
      readonly clue: string;
      readonly title?: string;
      readonly text?: string;
      readonly hints?: readonly HintInput[];
    })
  | (HuntCommand & { readonly type: 'admin.release-hint'; readonly clue: string; readonly hint: number })
  | (HuntCommand & { readonly type: 'admin.announce'; readonly message: string })
  | (HuntCommand & { readonly type: 'admin.kick'; readonly player: string; readonly reason: string })
  | (Request & { readonly type: 'admin.status'; readonly hunt: string })
  /** Subscribe to a hunt's staff updates (status, leaderboard, players, announcements). */
  | (Request & { readonly type: 'admin.watch'; readonly hunt: string });

/**
 * The operator role: the shards of a cluster. Pins, unpins, drains and undrains change the shard
 * plan and answer with its new version once every node will honour it; the shards then move.
 */
export type OperatorMessage =
  | (Request & { readonly type: 'shards.map' })
  /** Moves `shard` to `node` and keeps it there while the node is alive and not drained. */
  | (Request & { readonly type: 'shards.pin'; readonly shard: number; readonly node: string })
  | (Request & { readonly type: 'shards.unpin'; readonly shard: number })
  /** Moves every shard off `node` (its sockets are closed with 1012 once they are gone). */
  | (Request & { readonly type: 'shards.drain'; readonly node: string })
  | (Request & { readonly type: 'shards.undrain'; readonly node: string });

export type ClientMessage = PingMessage | PlayerMessage | AdminMessage | OperatorMessage;
export type ClientMessageType = ClientMessage['type'];
