/**
 * The storage check beside the Journal port. Entities never call it: the circuit breaker uses it
 * as its half-open trial and the server as its readiness signal, so that a journal with no
 * traffic still finds out that its storage is gone, or back.
 */
export interface JournalProbe {
  /**
   * Resolves when the storage answers the journal's own kinds of request on its own tables, as an
   * entity's would (same statements, same consistency): a read, and where appends are conditional
   * writes, a conditional write whose condition never holds. Rejects with JournalUnavailableError
   * (retriable) when it does not: unreachable, timing out (the adapter's request timeout), or its
   * tables missing. Repairs what it may first: an adapter configured to create its schema
   * recreates a keyspace or table that went missing. Stores no event.
   */
  probe(): Promise<void>;
}

/**
 * The entity a probe reads (or, with a suffix of its own, writes to): ids of real entities are
 * `kind:id`, so none is ever this one or starts like it.
 */
export const PROBE_ENTITY_ID = 'cairn-probe';
