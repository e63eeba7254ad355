import type { Rejection } from '../decision.js';
import type { CommandIdentity } from './entity-behaviour.js';

/**
 * How long a client may retry a command and get its first outcome: the journal keeps each
 * command's key at least this long after storing it (COMMAND_RETENTION_MS adds the clock slack),
 * however many commands come after it.
 */
export const COMMAND_WINDOW_MS = 24 * 60 * 60 * 1000;

/** How far a client's `issuedAt` may run ahead of the server's clock. */
export const MAX_CLOCK_AHEAD_MS = 60 * 60 * 1000;

export const CommandWindowCode = {
  /** The command was issued before the window: whether it was applied can no longer be told. */
  expired: 'command-expired',
  invalidInput: 'invalid-input',
} as const;

/**
 * Why a command the ledger does not know must not be decided as new, or undefined when it may.
 * A command issued more than COMMAND_WINDOW_MS ago may have been applied and forgotten since; one
 * issued ahead of the server's clock by more than MAX_CLOCK_AHEAD_MS would stay "new" past the
 * ledger's retention.
 */
export function outsideWindow(identity: CommandIdentity): Rejection | undefined {
  const { issuedAt, at, commandId } = identity;
  if (issuedAt === undefined) return undefined;
  if (issuedAt > at + MAX_CLOCK_AHEAD_MS) {
    const minutes = Math.round((issuedAt - at) / 60_000);
    return {
      code: CommandWindowCode.invalidInput,
      message: `issuedAt of command ${commandId} is ${minutes} minutes ahead of the server's clock (at most ${MAX_CLOCK_AHEAD_MS / 60_000} allowed): check the device's clock`,
    };
  }
  if (issuedAt < at - COMMAND_WINDOW_MS) {
    const hours = Math.floor((at - issuedAt) / 3_600_000);
    return {
      code: CommandWindowCode.expired,
      message: `command ${commandId} was issued ${hours} hours ago, outside the ${COMMAND_WINDOW_MS / 3_600_000}-hour window in which a repeat is recognised: if the action is still wanted, send it with a new commandId`,
    };
  }
  return undefined;
}
