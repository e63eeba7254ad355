import type { HuntCommand } from './hunt-commands.js';
import { issuerOf } from './hunt-commands.js';
import type { HuntEvent, HuntEventBody } from './hunt-events.js';
import type { HuntState } from './hunt-state.js';

/** Turns an event body into the stored event: the command's id, issuer and time, and the next update number. */
export function stamp(state: HuntState, command: HuntCommand, body: HuntEventBody): HuntEvent {
  // Not `{ ...body, commandId, ... }`: once optimised, V8 (Node 20) gives every object built by a
  // spread of a non-literal a hidden class of its own (~200 bytes more per event, and events are
  // kept in `recent` and in the replicas). Object.assign keeps one shape per event type.
  return Object.assign({}, body, {
    commandId: command.commandId,
    issuer: issuerOf(command),
    at: command.at,
    update: state.updateSeq + 1,
  }) as HuntEvent;
}
