import { EntityKind } from '../entity-kinds.js';
import type { EntityBehaviour } from '../runtime/entity-behaviour.js';
import type { PlayerCommand } from '../player/player-model.js';
import type { HuntCommand } from './hunt-commands.js';
import type { HuntEvent } from './hunt-events.js';
import { initialHuntState, type HuntState } from './hunt-state.js';
import { decideHunt, repeatHuntCommand } from './decide-hunt.js';
import { issuerOf } from './hunt-commands.js';
import { evolveHunt, evolveHuntInPlace } from './evolve-hunt.js';
import { nextTimerAt } from './timers.js';


/** The hunt entity: its rules, its timers, and the player records it keeps up to date. */
export const huntBehaviour: EntityBehaviour<HuntState, HuntCommand, HuntEvent> = {
  kind: EntityKind.hunt,
  initialState: initialHuntState,
  decide: decideHunt,
  identify: (command) =>
    command.type === 'tick'
      ? undefined
      : {
          issuer: issuerOf(command),
          commandId: command.commandId,
          type: command.type,
          at: command.at,
          ...(command.issuedAt !== undefined ? { issuedAt: command.issuedAt } : {}),
        },
  commandOf: (event) => (event.issuer === 'clock' ? undefined : { issuer: event.issuer, commandId: event.commandId }),
  repeat: repeatHuntCommand,
  evolve: evolveHunt,
  evolveInPlace: evolveHuntInPlace,
  eventType: (event) => event.type,
  updateSeqOf: (event) => event.update,
  nextWakeAt: nextTimerAt,
  tickCommand: (at) => ({ type: 'tick', commandId: `tick-${at}`, at }),
  views: {
    /** The hunt's last update number. Asking for it also wakes the hunt (see HuntReplicas). */
    updateSeq: (state) => state.updateSeq,
  },
  afterEvent(huntId, event, _state, effects) {
    // The command id names the hunt event, so a repeat of this side effect changes nothing.
    const commandId = `${huntId}#${event.update}`;
    const tellPlayer = (playerId: string, command: PlayerCommand) => effects.tell(EntityKind.player, playerId, command);
    switch (event.type) {
      case 'player-joined':
        return tellPlayer(event.playerId, {
          type: 'record-membership',
          commandId,
          at: event.at,
          huntId,
          competitorId: event.competitorId,
          ...(event.team !== undefined ? { team: event.team } : {}),
        });
      case 'player-left':
      case 'player-kicked':
        return tellPlayer(event.playerId, {
          type: 'clear-membership',
          commandId,
          at: event.at,
          huntId,
          reason: event.type === 'player-left' ? 'left' : 'kicked',
        });
      default:
        return;
    }
  },
};
