import { reject, replay, type Decision } from '../decision.js';
import type { HuntCommand } from './hunt-commands.js';
import type { HuntEvent } from './hunt-events.js';
import { HuntRejectionCode } from './hunt-rejections.js';
import type { HuntState } from './hunt-state.js';
import { decideLifecycle, decideSpawn, decideTick } from './decide-lifecycle.js';
import { decideJoin, decideKick, decideLeave } from './decide-membership.js';
import { decideSubmit } from './decide-submit.js';
import { decideAnnounce, decideEditClue, decideHintRequest, decideHintRelease } from './decide-content.js';

export type HuntDecision = Decision<HuntEvent, HuntRejectionCode>;

/** The events each command can produce: a repeated command id must name the same kind of command. */
const EVENTS_OF: Readonly<Record<HuntCommand['type'], readonly HuntEvent['type'][]>> = {
  spawn: ['hunt-spawned'],
  start: ['hunt-started'],
  pause: ['hunt-paused'],
  resume: ['hunt-resumed'],
  end: ['hunt-ended'],
  join: ['player-joined'],
  leave: ['player-left'],
  kick: ['player-kicked'],
  submit: ['clue-solved', 'guess-incorrect'],
  'request-hint': ['hint-taken'],
  'release-hint': ['hint-released'],
  'edit-clue': ['clue-edited'],
  announce: ['announced'],
  tick: [],
};

/**
 * How a repeat of `command`, whose first outcome was `earlier`, is answered now: that event again,
 * unless the id named another kind of command, or a ban came since (a kicked player cannot rejoin
 * by replaying their join).
 */
export function repeatHuntCommand(state: HuntState, command: HuntCommand, earlier: HuntEvent): HuntDecision {
  if (command.type === 'tick' || !EVENTS_OF[command.type].includes(earlier.type)) {
    return reject(HuntRejectionCode.commandIdReused, `command id ${command.commandId} was used for a different command`);
  }
  if (command.type === 'join' && state.banned[command.playerId] !== undefined) {
    return reject(HuntRejectionCode.playerBanned, 'you were removed from this hunt');
  }
  return replay(earlier);
}

/**
 * The hunt's rules: what a new `command` changes in `state`, or why it is refused. Pure: no clock
 * (time comes in the command), no I/O. Repeats never get here: the runtime answers them from the
 * journal (see repeatHuntCommand).
 */
export function decideHunt(state: HuntState, command: HuntCommand): HuntDecision {
  if (command.type === 'spawn') return decideSpawn(state, command);
  if (!state.definition) return reject(HuntRejectionCode.huntNotFound, 'this hunt has not been spawned');

  switch (command.type) {
    case 'start':
    case 'pause':
    case 'resume':
    case 'end':
      return decideLifecycle(state, command);
    case 'tick':
      return decideTick(state, command);
    case 'join':
      return decideJoin(state, command);
    case 'leave':
      return decideLeave(state, command);
    case 'kick':
      return decideKick(state, command);
    case 'submit':
      return decideSubmit(state, command);
    case 'request-hint':
      return decideHintRequest(state, command);
    case 'release-hint':
      return decideHintRelease(state, command);
    case 'edit-clue':
      return decideEditClue(state, command);
    case 'announce':
      return decideAnnounce(state, command);
    default: {
      const unknown: never = command;
      return reject(HuntRejectionCode.invalidInput, `unknown command ${(unknown as { type: string }).type}`);
    }
  }
}
