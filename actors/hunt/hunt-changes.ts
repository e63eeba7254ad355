import type { HuntEvent } from './hunt-events.js';
import type { HuntChange } from '../../protocol/views.js';
import type { HuntState } from './hunt-state.js';
import { cluePosition } from './clue-position.js';
import { isAmongLeaders, leaders, rankOf } from './leaderboard.js';
import { LEADERBOARD_TOP } from './leaderboard-slice.js';
import { clueView } from './player-view.js';

/**
 * What changed for the people watching a hunt, one event at a time. Each change is built from the
 * state right after the event, through the same views as a player's full view, so a change never
 * shows more than that player's view would: no locked clue, no unrevealed hint, no solution. The
 * change type is the wire type (protocol/views.ts): what is built here is exactly what is sent.
 */
export type { HuntChange };

/** The changes of one event, by audience. A player gets `all`, their competitor's and their own. */
export interface HuntChanges {
  readonly all: readonly HuntChange[];
  /** Designers and operators watching the hunt. */
  readonly staff: readonly HuntChange[];
  readonly byCompetitor: ReadonlyMap<string, readonly HuntChange[]>;
  readonly byPlayer: ReadonlyMap<string, readonly HuntChange[]>;
}

/** The changes `event` made, given `state` = the state right after it. */
export function huntChanges(state: HuntState, event: HuntEvent): HuntChanges {
  const out = new ChangeSet();
  switch (event.type) {
    case 'hunt-spawned':
      break;
    case 'hunt-started':
      out.everyone({ kind: 'hunt-status', status: state.status, at: event.at });
      for (const competitorId of Object.keys(state.competitors)) out.unlockedClues(state, competitorId);
      break;
    case 'hunt-paused':
    case 'hunt-resumed':
    case 'hunt-ended':
      out.everyone({ kind: 'hunt-status', status: state.status, at: event.at });
      break;
    case 'player-joined':
      out.staff.push({ kind: 'players', active: state.activePlayers });
      out.joined(state, event.competitorId);
      break;
    case 'player-left':
      out.staff.push({ kind: 'players', active: state.activePlayers });
      break;
    case 'player-kicked':
      out.player(event.playerId, { kind: 'kicked', reason: event.reason });
      out.staff.push({ kind: 'players', active: state.activePlayers });
      out.leaderboard(state);
      break;
    case 'clue-solved':
    case 'clue-timed-out':
      out.clue(state, event.competitorId, event.clueId);
      out.nextClue(state, event.competitorId, event.clueId);
      if (event.type === 'clue-solved') out.scored(state, event.competitorId, event.leaders !== false);
      break;
    case 'guess-incorrect':
    case 'hint-taken':
      out.clue(state, event.competitorId, event.clueId);
      if (event.penalty !== 0) out.scored(state, event.competitorId, event.leaders !== false);
      break;
    case 'hint-auto-released':
      out.clue(state, event.competitorId, event.clueId);
      break;
    case 'hint-released':
    case 'clue-edited':
      for (const competitorId of Object.keys(state.competitors)) out.clue(state, competitorId, event.clueId);
      break;
    case 'announced':
      out.everyone({ kind: 'announcement', message: event.message, at: event.at });
      break;
    default: {
      const unknown: never = event;
      throw new Error(`unknown hunt event ${(unknown as { type: string }).type}`);
    }
  }
  return out;
}

class ChangeSet implements HuntChanges {
  readonly all: HuntChange[] = [];
  readonly staff: HuntChange[] = [];
  readonly byCompetitor = new Map<string, HuntChange[]>();
  readonly byPlayer = new Map<string, HuntChange[]>();

  everyone(change: HuntChange): void {
    this.all.push(change);
    this.staff.push(change);
  }

  player(playerId: string, change: HuntChange): void {
    this.byPlayer.set(playerId, [...(this.byPlayer.get(playerId) ?? []), change]);
  }

  competitor(competitorId: string, change: HuntChange): void {
    const list = this.byCompetitor.get(competitorId) ?? [];
    list.push(change);
    this.byCompetitor.set(competitorId, list);
  }

  /** The clue as `competitorId` sees it now; nothing when it is locked for them. */
  clue(state: HuntState, competitorId: string, clueId: string): void {
    const view = clueView(state, competitorId, cluePosition(state.clues, clueId));
    if (view) this.competitor(competitorId, { kind: 'clue', clue: view });
  }

  /** In a linear hunt, the clue after `clueId`, which resolving it may have unlocked. */
  nextClue(state: HuntState, competitorId: string, clueId: string): void {
    if (state.definition?.order !== 'linear') return;
    const next = state.clues[cluePosition(state.clues, clueId) + 1];
    if (next) this.clue(state, competitorId, next.id);
  }

  unlockedClues(state: HuntState, competitorId: string): void {
    for (const clue of state.clues) this.clue(state, competitorId, clue.id);
  }

  /**
   * Points changed: the competitor learns its points and rank; everyone gets the leaders only
   * when they changed, which most guesses of a big hunt do not (the event says which).
   */
  scored(state: HuntState, competitorId: string, leadersChanged: boolean): void {
    if (leadersChanged) this.leaderboard(state);
    const competitor = state.competitors[competitorId];
    if (!competitor) return;
    this.competitor(competitorId, { kind: 'score', points: competitor.points, rank: competitor.removed ? null : rankOf(state, competitor) });
  }

  /**
   * A new competitor that lands among the leaders (a fresh hunt, where everyone has 0 points)
   * changes what everyone sees: they get the leaders. One ranked further down does not, so a
   * big hunt's join ramp does not send every join to every player.
   */
  joined(state: HuntState, competitorId: string): void {
    const competitor = state.competitors[competitorId];
    if (competitor && competitor.members.length === 1 && isAmongLeaders(state, competitor, LEADERBOARD_TOP)) this.leaderboard(state);
  }

  /** Sends everyone the leaders. */
  leaderboard(state: HuntState): void {
    this.everyone({ kind: 'leaderboard', leaderboard: leaders(state, LEADERBOARD_TOP) });
  }
}

/**
 * The changes of one event that `playerId` may see, in the order they are sent: what everyone
 * gets, then their competitor's, then their own. The one rule for live pushes and resumes alike.
 */
export function changesForPlayer(changes: HuntChanges, state: HuntState, playerId: string): readonly HuntChange[] {
  const competitorId = state.players[playerId]?.competitorId;
  const ofCompetitor = competitorId === undefined ? undefined : changes.byCompetitor.get(competitorId);
  const own = changes.byPlayer.get(playerId);
  if (!ofCompetitor && !own) return changes.all;
  return [...changes.all, ...(ofCompetitor ?? []), ...(own ?? [])];
}
