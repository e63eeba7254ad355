import type { HuntSummary } from '../../protocol/views.js';
import type { HuntState } from './hunt-state.js';
import { leaderboard } from './leaderboard.js';

/** What a designer or operator sees of a hunt: its progress, never its answers. */
export type { HuntSummary };

export function huntSummary(state: HuntState): HuntSummary | undefined {
  const definition = state.definition;
  if (!definition) return undefined;
  return {
    title: definition.title,
    status: state.status,
    order: definition.order,
    players: state.activePlayers,
    maxPlayers: definition.maxPlayers,
    clues: state.clues.map(({ id, title }) => ({ id, title })),
    ...(state.startedAt !== undefined ? { startedAt: state.startedAt } : {}),
    ...(state.endedAt !== undefined ? { endedAt: state.endedAt } : {}),
    leaderboard: leaderboard(state),
    updateSeq: state.updateSeq,
  };
}
