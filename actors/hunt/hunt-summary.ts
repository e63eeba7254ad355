import type { HuntState, HuntStatus } from './hunt-state.js';
import { leaderboard, type LeaderboardEntry } from './leaderboard.js';

/** What a designer or operator sees of a hunt: its progress, never its answers. */
export interface HuntSummary {
  readonly title: string;
  readonly status: HuntStatus;
  readonly order: 'linear' | 'free';
  readonly players: number;
  readonly maxPlayers: number;
  readonly clues: readonly { readonly id: string; readonly title: string }[];
  readonly startedAt?: number;
  readonly endedAt?: number;
  readonly leaderboard: readonly LeaderboardEntry[];
  readonly updateSeq: number;
}

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
