/** Error codes of replies and error frames. Game rejections (e.g. `hunt-full`) pass through as their own codes. */
export const ErrorCode = {
  /** The frame is not one msgpack value, or not a binary frame. */
  malformedFrame: 'malformed-frame',
  /** The message does not match its schema; `message` names the field. */
  badRequest: 'bad-request',
  unknownMessage: 'unknown-message',
  /** The token's role may not send this message. */
  forbidden: 'forbidden',
  /** Too many guesses too fast: retry after `retryAfterMs`. */
  rateLimited: 'rate-limited',
  /** The server could not answer in time; retry with the same commandId. */
  timeout: 'timeout',
  /** A dependency (storage) is failing; retry with the same commandId. */
  unavailable: 'unavailable',
  /** The hunt file has mistakes, listed in `details`. */
  invalidDefinition: 'invalid-definition',
  internal: 'internal',
  /** A shard operation on a server that is not a cluster node. */
  notClustered: 'not-clustered',
  /** The node named is not a live member of the cluster. */
  unknownNode: 'unknown-node',
  /**
   * The server is saturated and refused the command before running it (nothing was stored): retry
   * with the same commandId after `retryAfterMs` plus a random jitter.
   */
  overloaded: 'overloaded',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the server uses, and what a client should do. */
export const CloseCode = {
  /** Normal closure. */
  normal: 1000,
  /** The server is going away for good: reconnect later. */
  goingAway: 1001,
  /** Repeated protocol abuse: do not reconnect without a fix. */
  policyViolation: 1008,
  /** A frame was larger than the limit. */
  messageTooBig: 1009,
  internalError: 1011,
  /** The server is restarting (deploy, drain): reconnect at once, then resume. */
  serviceRestart: 1012,
  /** The server is overloaded (or could not read what the welcome needs): reconnect after a longer backoff. */
  tryAgainLater: 1013,
  /** The token is missing, invalid or expired: get a new token before reconnecting. */
  unauthorized: 4001,
  /** The client read too slowly and its send buffer overflowed: reconnect and resume. */
  slowConsumer: 4002,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Protocol limits the server enforces by default (configurable on the server). */
export const DefaultLimits = {
  /** Largest frame the server accepts, in bytes. */
  maxFrameBytes: 64 * 1024,
  /** Updates a resume replays before answering with a full resync instead. */
  maxResumeUpdates: 1000,
} as const;

export const PROTOCOL_VERSION = 1;
