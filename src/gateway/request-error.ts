import type { ErrorBody } from '../../protocol/server-messages.js';

/** A request the gateway answers with an error reply. */
export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retriable = false,
    readonly extra: Pick<ErrorBody, 'retryAfterMs' | 'details'> = {},
  ) {
    super(message);
  }

  get body(): ErrorBody {
    return { code: this.code, message: this.message, retriable: this.retriable, ...this.extra };
  }
}
