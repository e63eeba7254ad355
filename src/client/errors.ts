import type { ErrorBody } from '../../protocol/server-messages.js';

/** Codes the SDK itself gives requests, besides the server's ErrorCode values. */
export const ClientErrorCode = {
  /** No reply within the request's timeout (retriable: commands are retried with the same commandId). */
  timeout: 'timeout',
  /** The client was closed, or the server closed it for good (4001, 1008): the request was dropped. */
  closed: 'closed',
  /** The connection dropped while an internal request (resume after reconnect, heartbeat) was in flight. */
  disconnected: 'disconnected',
} as const;

export type ErrorDetails = NonNullable<ErrorBody['details']>;

/** A request failed: an `ok: false` reply from the server, a timeout, or the client closing. */
export class CairnRequestError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: ErrorDetails | undefined;
  /** The request's message type, e.g. `submit`. */
  readonly requestType: string | undefined;
  /** The commandId the request carried, if it changes a hunt: reuse it to retry the same action. */
  readonly commandId: string | undefined;

  constructor(
    body: ErrorBody,
    context: { readonly requestType?: string; readonly commandId?: string; readonly cause?: unknown } = {},
  ) {
    super(body.message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'CairnRequestError';
    this.code = body.code;
    this.retriable = body.retriable;
    this.retryAfterMs = body.retryAfterMs;
    this.details = body.details;
    this.requestType = context.requestType;
    this.commandId = context.commandId;
  }
}

/** The connection could not be made or was closed before the server's welcome. */
export class CairnConnectionError extends Error {
  /** The WebSocket close code (e.g. 4001 unauthorized; 1006 when the socket failed without one). */
  readonly code: number;
  readonly reason: string;

  constructor(code: number, reason: string, options: { readonly cause?: unknown } = {}) {
    super(`connection closed (${code}${reason ? `: ${reason}` : ''})`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CairnConnectionError';
    this.code = code;
    this.reason = reason;
  }
}
