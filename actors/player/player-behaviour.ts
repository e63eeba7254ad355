import { EntityKind } from '../entity-kinds.js';
import type { EntityBehaviour } from '../runtime/entity-behaviour.js';
import { initialPlayerState, type PlayerCommand, type PlayerEvent, type PlayerState } from './player-model.js';

/** Who a player command counts as: the hunt it is about, or the player themselves. */
const issuerOf = (c: PlayerCommand | PlayerEvent): string => ('huntId' in c ? `hunt:${c.huntId}` : 'self');
import { decidePlayer, evolvePlayer, evolvePlayerInPlace } from './player-rules.js';

export const playerBehaviour: EntityBehaviour<PlayerState, PlayerCommand, PlayerEvent> = {
  kind: EntityKind.player,
  initialState: initialPlayerState,
  decide: decidePlayer,
  // Memberships are keyed by hunt: the same client command id may name joins of two hunts.
  identify: (command) => ({ issuer: issuerOf(command), commandId: command.commandId, type: command.type, at: command.at }),
  commandOf: (event) => ({ issuer: issuerOf(event), commandId: event.commandId }),
  evolve: evolvePlayer,
  evolveInPlace: evolvePlayerInPlace,
  eventType: (event) => event.type,
  // Nobody subscribes to a player's own record; hunts carry the updates.
  updateSeqOf: () => null,
  views: {
    /** The hunts the player belongs to, as the welcome message lists them. */
    memberships: (state) =>
      Object.values(state.memberships).map((m) => ({
        hunt: m.huntId,
        ...(m.competitorId !== undefined ? { competitorId: m.competitorId } : {}),
        ...(m.team !== undefined ? { team: m.team } : {}),
      })),
  },
};
