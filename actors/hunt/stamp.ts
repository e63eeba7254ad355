import type { HuntCommand } from './hunt-commands.js';
import { issuerOf } from './hunt-commands.js';
import type { HuntEvent, HuntEventBody } from './hunt-events.js';
import type { HuntState } from './hunt-state.js';

/** Turns an event body into the stored event: the command's id, issuer and time, and the next update number. */
export function stamp(state: HuntState, command: HuntCommand, body: HuntEventBody): HuntEvent {
  return {
    ...body,
    commandId: command.commandId,
    issuer: issuerOf(command),
    at: command.at,
    update: state.updateSeq + 1,
  } as HuntEvent;
}
