/**
 * The record an entity actor hands to nact's persistence engine for each event: the event and
 * what the journal stores beside it. The engine in src/journal adapts it to the Journal port.
 */
export interface NewEvent {
  readonly type: string;
  readonly updateSeq: number | null;
  readonly payload: unknown;
  /** The command the event answers, which the journal indexes for findCommands. */
  readonly command?: CommandKey;
}

/** What a repeat of a command is recognised by: who issued it, and the id they gave it. */
export interface CommandKey {
  readonly issuer: string;
  readonly commandId: string;
}

/** A command the entity's rules refused, kept so that a repeat gets the same answer. */
export interface Refusal extends CommandKey {
  /** The command's type: a repeat under the same id that names another command is told apart. */
  readonly commandType: string;
  readonly code: string;
  readonly message: string;
}

/** The map key a ledger answers under for `key`. */
export const commandKeyString = (key: CommandKey): string => `${key.issuer}\u0000${key.commandId}`;

/**
 * The part of the journal that remembers commands (the Journal port in src/journal implements
 * it): what the runtime asks before it decides, and where refusals are kept.
 */
export interface CommandLedger {
  findCommands(entityId: string, keys: readonly CommandKey[]): Promise<ReadonlyMap<string, LedgerRecord>>;
  recordRefusals(entityId: string, refusals: readonly Refusal[]): Promise<void>;
}

/** What the ledger holds for a key: the event stored for it, or its refusal. */
export type LedgerRecord =
  | { readonly kind: 'event'; readonly event: { readonly seqNr: number; readonly payload: unknown } }
  | { readonly kind: 'refusal'; readonly refusal: Refusal };
