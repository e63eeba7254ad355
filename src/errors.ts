/**
 * Infrastructure errors. Each carries a stable `code`, whether a retry may succeed (`retriable`),
 * and the driver error that caused it (`cause`). Game rejections are not errors: they are values
 * returned by the deciders in actors/.
 */
export class CairnError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { retriable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable;
  }
}

/**
 * Another writer already stored an event at a sequence number this append wanted: the caller's
 * view of the entity is stale. Retrying the same append cannot succeed; the writer must recover.
 */
export class SequenceConflictError extends CairnError {
  constructor(entityId: string, expectedSeqNr: number, cause?: unknown) {
    super('sequence-conflict', `entity ${entityId} already has events after sequence ${expectedSeqNr}`, {
      retriable: false,
      cause,
    });
  }
}

/** The journal could not be reached or failed to store: nothing of the append was written. */
export class JournalUnavailableError extends CairnError {
  constructor(message: string, cause?: unknown) {
    super('journal-unavailable', message, { retriable: true, cause });
  }
}

/** The journal was closed; no further reads or writes are accepted. */
export class JournalClosedError extends CairnError {
  constructor() {
    super('journal-closed', 'the journal is closed', { retriable: false });
  }
}

/** A request sent over the bus got no answer in time: it may or may not have been applied; retry with the same id. */
export class BusTimeoutError extends CairnError {
  constructor(message: string) {
    super('timeout', message, { retriable: true });
  }
}

/** An error that another node answered a request with, carrying that node's code. */
export class RemoteError extends CairnError {}
