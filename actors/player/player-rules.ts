import { produce, type Draft } from 'immer';
import { accept, reject, type Decision } from '../decision.js';
import { checkText } from '../hunt/text-limits.js';
import {
  PlayerRejectionCode as Code,
  type PlayerCommand,
  type PlayerEvent,
  type PlayerState,
} from './player-model.js';

export type PlayerDecision = Decision<PlayerEvent, Code>;

/** The player's rules for a new command. Pure; repeats are answered by the runtime from the journal. */
export function decidePlayer(state: PlayerState, command: PlayerCommand): PlayerDecision {
  const base = { commandId: command.commandId, at: command.at };
  switch (command.type) {
    case 'rename': {
      const problem = checkText(command.displayName, 'display name', 40);
      if (problem) return reject(Code.invalidInput, problem);
      return accept({ ...base, type: 'player-renamed', displayName: command.displayName.trim() });
    }
    case 'record-membership': {
      const known = state.memberships[command.huntId];
      const adds = command.competitorId !== undefined && command.competitorId !== known?.competitorId;
      if (known && !adds) return reject(Code.alreadyAMember, `already in hunt ${command.huntId}`);
      return accept({
        ...base,
        type: 'membership-recorded',
        huntId: command.huntId,
        ...(command.competitorId !== undefined ? { competitorId: command.competitorId } : {}),
        ...(command.team !== undefined ? { team: command.team } : {}),
      });
    }
    case 'clear-membership':
      if (!state.memberships[command.huntId]) return reject(Code.notAMember, `not in hunt ${command.huntId}`);
      return accept({ ...base, type: 'membership-cleared', huntId: command.huntId, reason: command.reason });
  }
}

export function evolvePlayer(state: PlayerState, event: PlayerEvent): PlayerState {
  return produce(state, (draft) => applyPlayerEvent(draft, event));
}

/** The same change made in place, for a runtime that owns its state (see evolveHuntInPlace). */
export function evolvePlayerInPlace(state: PlayerState, event: PlayerEvent): PlayerState {
  applyPlayerEvent(state as Draft<PlayerState>, event);
  return state;
}

function applyPlayerEvent(draft: Draft<PlayerState>, event: PlayerEvent): void {
  {
    switch (event.type) {
      case 'player-renamed':
        draft.displayName = event.displayName;
        return;
      case 'membership-recorded':
        draft.memberships[event.huntId] = {
          huntId: event.huntId,
          ...(event.competitorId !== undefined ? { competitorId: event.competitorId } : {}),
          ...(event.team !== undefined ? { team: event.team } : {}),
          since: draft.memberships[event.huntId]?.since ?? event.at,
        };
        return;
      case 'membership-cleared':
        delete draft.memberships[event.huntId];
        return;
    }
  }
}
