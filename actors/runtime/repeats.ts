import { replay } from '../decision.js';
import type { CommandIdentity, EntityBehaviour } from './entity-behaviour.js';
import type { CommandOutcome } from './entity-messages.js';
import { commandKeyString, type CommandLedger, type LedgerRecord } from './journal-record.js';

/** The code of a repeat whose id names another kind of command than the first time. */
export const COMMAND_ID_REUSED = 'command-id-reused';

/**
 * What the ledger holds for the commands of a batch that carry an id, keyed by
 * commandKeyString. One lookup per batch: new commands are the rule, so every id is asked for.
 */
export async function lookUpRepeats(
  ledger: CommandLedger,
  entityId: string,
  identities: readonly (CommandIdentity | undefined)[],
): Promise<ReadonlyMap<string, LedgerRecord>> {
  const keys = identities.flatMap((identity) => (identity ? [{ issuer: identity.issuer, commandId: identity.commandId }] : []));
  return keys.length === 0 ? new Map() : ledger.findCommands(entityId, keys);
}

/**
 * The answer to a command the ledger already holds, or undefined when the record is not this
 * command's after all: an index written ahead of a conditional write that lost its race names
 * another writer's event (see the Journal port).
 */
export function answerFromLedger<State, Command, Event>(
  behaviour: EntityBehaviour<State, Command, Event>,
  state: State,
  command: Command,
  identity: CommandIdentity,
  record: LedgerRecord,
): CommandOutcome<Event> | undefined {
  if (record.kind === 'refusal') {
    const { commandType, code, message } = record.refusal;
    if (commandType !== identity.type) return { ok: false, rejection: reusedId(identity) };
    return { ok: false, rejection: { code, message } };
  }
  const event = record.event.payload as Event;
  const owner = behaviour.commandOf(event);
  if (owner === undefined || commandKeyString(owner) !== commandKeyString(identity)) return undefined;
  const decision = behaviour.repeat?.(state, command, event) ?? replay(event);
  if (decision.kind === 'rejected') return { ok: false, rejection: decision.rejection };
  return { ok: true, event: decision.event, duplicate: true, seqNr: record.event.seqNr };
}

/** A command that arrives again in the batch it is in: the outcome of its first copy. */
export function repeatWithinBatch<Event>(first: CommandOutcome<Event>): CommandOutcome<Event> {
  return first.ok ? { ...first, duplicate: true } : first;
}

export function reusedId(identity: CommandIdentity) {
  return { code: COMMAND_ID_REUSED, message: `command id ${identity.commandId} was used for a different command` };
}
