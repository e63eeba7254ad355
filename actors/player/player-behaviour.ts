import { EntityKind } from '../entity-kinds.js';
import type { EntityBehaviour } from '../runtime/entity-behaviour.js';
import { initialPlayerState, type PlayerCommand, type PlayerEvent, type PlayerState } from './player-model.js';
import { decidePlayer, evolvePlayer, evolvePlayerInPlace } from './player-rules.js';

export const playerBehaviour: EntityBehaviour<PlayerState, PlayerCommand, PlayerEvent> = {
  kind: EntityKind.player,
  initialState: initialPlayerState,
  decide: decidePlayer,
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
