import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HuntDefinition } from '../../../actors/definition/hunt-definition.js';
import { evolveHunt } from '../../../actors/hunt/evolve-hunt.js';
import { initialHuntState, isResolved, type HuntState } from '../../../actors/hunt/hunt-state.js';
import { compareCompetitors, leaderboard } from '../../../actors/hunt/leaderboard.js';
import { playerView } from '../../../actors/hunt/player-view.js';
import { RIDDLE_ANSWERS, TOWER, VAULT_CODE } from './definitions.js';
import { RUNS, play, scenario } from './scenarios.js';

/**
 * Random command sequences folded through decideHunt + evolveHunt (rejections ignored, duplicates
 * not stored), with invariants checked on the resulting states and events.
 */

// ---------------------------------------------------------------------------------------------
// Invariants

/** Solution strings and numbers that must never reach a player. */
const SOLUTIONS = [...RIDDLE_ANSWERS, VAULT_CODE, 'qx 7731', String(TOWER.latitude), String(TOWER.longitude)].map((x) => x.toLowerCase());

/** Fails the property with `message` unless `condition` holds (cheaper than expect() in per-step checks). */
function ensure(condition: boolean, message: () => string): void {
  if (!condition) throw new Error(message());
}

const sameList = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function checkViews(state: HuntState, definition: HuntDefinition): void {
  const order = definition.clues.map((c) => c.id);
  for (const [playerId, record] of Object.entries(state.players)) {
    const view = playerView(state, playerId);
    ensure(view !== undefined, () => `no view for ${playerId}`);
    const competitor = state.competitors[record.competitorId]!;
    const shown = view!.clues.map((c) => c.id);
    for (const id of shown) ensure(competitor.progress[id] !== undefined, () => `${playerId} sees ${id}, which is not unlocked`);
    if (definition.order === 'linear') {
      ensure(sameList(shown, order.slice(0, shown.length)), () => `${playerId} sees clues out of order: ${shown.join(', ')}`);
      const resolved = order.filter((id) => isResolved(competitor.progress[id])).length;
      ensure(shown.length <= resolved + 1, () => `${playerId} sees ${shown.length} clues with ${resolved} resolved`);
    }
    for (const clueView of view!.clues) {
      const progress = competitor.progress[clueView.id]!;
      const released = state.releasedHints[clueView.id] ?? [];
      for (const hint of clueView.hints) {
        const revealed =
          released.includes(hint.index) || progress.hintsTaken.includes(hint.index) || progress.hintsAutoReleased.includes(hint.index);
        ensure(hint.revealed === revealed && (hint.text !== undefined) === revealed, () => `${playerId}: hint ${clueView.id}/${hint.index} shown wrongly`);
      }
    }
    const json = JSON.stringify(view).toLowerCase();
    for (const solution of SOLUTIONS) ensure(!json.includes(solution), () => `${playerId}'s view contains ${solution}: ${json}`);
  }
}

function checkCapacity(state: HuntState, definition: HuntDefinition): void {
  const active = Object.values(state.players).filter((p) => p.active);
  ensure(state.activePlayers === active.length, () => `activePlayers ${state.activePlayers}, active records ${active.length}`);
  ensure(state.activePlayers <= definition.maxPlayers, () => `${state.activePlayers} players, max ${definition.maxPlayers}`);
  const maxMembers = definition.teams?.maxTeamSize ?? 1;
  for (const competitor of Object.values(state.competitors)) {
    ensure(competitor.members.length <= maxMembers, () => `${competitor.competitorId} has ${competitor.members.length} members`);
    const expected = active.filter((p) => p.competitorId === competitor.competitorId).map((p) => p.playerId);
    ensure(sameList([...competitor.members].sort(), expected.sort()), () => `${competitor.competitorId} members ${competitor.members.join()} vs ${expected.join()}`);
  }
}

function checkLeaderboard(state: HuntState): void {
  const board = leaderboard(state);
  const listed = Object.values(state.competitors).filter((c) => !c.removed);
  ensure(sameList(board.map((e) => e.rank), listed.map((_, i) => i + 1)), () => `ranks ${board.map((e) => e.rank).join()}`);
  ensure(
    sameList(board.map((e) => e.competitorId).sort(), listed.map((c) => c.competitorId).sort()),
    () => `leaderboard lists ${board.map((e) => e.competitorId).join()}`,
  );
  for (const entry of board) ensure(state.competitors[entry.competitorId]!.removed !== true, () => `${entry.competitorId} is removed`);
  for (let i = 1; i < board.length; i++) {
    const before = state.competitors[board[i - 1]!.competitorId]!;
    const after = state.competitors[board[i]!.competitorId]!;
    ensure(
      compareCompetitors(before, after) < 0 && compareCompetitors(after, before) > 0 && before.points >= after.points,
      () => `${before.competitorId} and ${after.competitorId} out of order`,
    );
  }
}

describe('properties of random command sequences', () => {
  it('points are never counted twice: points are the sum of solves minus penalties, and each clue is solved once', () => {
    fc.assert(
      fc.property(scenario, ({ shape, steps }) => {
        const { state, events } = play(shape, steps);
        const expected = new Map<string, number>();
        const solved = new Set<string>();
        for (const event of events) {
          if (event.type === 'clue-solved') {
            const key = `${event.competitorId}/${event.clueId}`;
            expect(solved.has(key), `${key} solved twice`).toBe(false);
            solved.add(key);
            expected.set(event.competitorId, (expected.get(event.competitorId) ?? 0) + event.points + event.bonus);
          }
          if (event.type === 'guess-incorrect' || event.type === 'hint-taken') {
            expected.set(event.competitorId, (expected.get(event.competitorId) ?? 0) - event.penalty);
          }
        }
        for (const competitor of Object.values(state.competitors)) {
          expect(competitor.points, competitor.competitorId).toBe(expected.get(competitor.competitorId) ?? 0);
        }
      }),
      RUNS,
    );
  });

  it('a locked clue is never revealed: views show only unlocked clues, revealed hints, and no solution', () => {
    fc.assert(
      fc.property(scenario, ({ shape, steps }) => {
        play(shape, steps, checkViews);
      }),
      RUNS,
    );
  });

  it('capacity is never exceeded: active players within maxPlayers, teams within maxTeamSize, counts consistent', () => {
    fc.assert(
      fc.property(scenario, ({ shape, steps }) => {
        play(shape, steps, checkCapacity);
      }),
      RUNS,
    );
  });

  it('the leaderboard is totally ordered by compareCompetitors, ranked 1..n, without removed competitors', () => {
    fc.assert(
      fc.property(scenario, ({ shape, steps }) => {
        play(shape, steps, checkLeaderboard);
      }),
      RUNS,
    );
  });

  it('replaying the stored events from the initial state gives a deep-equal state', () => {
    fc.assert(
      fc.property(scenario, ({ shape, steps }) => {
        const { state, events } = play(shape, steps);
        expect(events.reduce(evolveHunt, initialHuntState)).toEqual(state);
      }),
      RUNS,
    );
  });

  it('update numbers of the stored events are 1..n with no gaps', () => {
    fc.assert(
      fc.property(scenario, ({ shape, steps }) => {
        const { state, events } = play(shape, steps);
        expect(events.map((e) => e.update)).toEqual(events.map((_, i) => i + 1));
        expect(state.updateSeq).toBe(events.length);
      }),
      RUNS,
    );
  });

  it('the generator exercises the rules: solves, wrong guesses, hints, timers and teams all occur', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenario, ({ shape, steps }) => {
        for (const event of play(shape, steps).events) {
          seen.add(event.type);
          if (event.type === 'player-joined' && event.team !== undefined) seen.add('team-joined');
          if (event.type === 'clue-solved' && event.bonus > 0) seen.add('bonus');
        }
      }),
      RUNS,
    );
    const expected = [
      'player-joined',
      'team-joined',
      'player-left',
      'player-kicked',
      'clue-solved',
      'bonus',
      'guess-incorrect',
      'hint-taken',
      'hint-released',
      'hint-auto-released',
      'clue-timed-out',
      'clue-edited',
      'hunt-paused',
      'hunt-resumed',
      'hunt-ended',
    ];
    for (const type of expected) expect(seen, type).toContain(type);
  });
});
