/**
 * The record an entity actor hands to nact's persistence engine for each event: the event and
 * what the journal stores beside it. The engine in src/journal adapts it to the Journal port.
 */
export interface NewEvent {
  readonly type: string;
  readonly updateSeq: number | null;
  readonly payload: unknown;
}
