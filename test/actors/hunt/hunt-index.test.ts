import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evolveHuntInPlace } from '../../../actors/hunt/evolve-hunt.js';
import type { HuntState } from '../../../actors/hunt/hunt-state.js';
import { isAmongLeaders, leaderboard, rankOf } from '../../../actors/hunt/leaderboard.js';
import { leaderboardSlice } from '../../../actors/hunt/leaderboard-slice.js';
import { Ranking, compareRanked, type RankKey } from '../../../actors/hunt/ranking.js';
import { TimerIndex, compareTimers, type ClueTimer } from '../../../actors/hunt/timer-index.js';
import { firstDueTimer, nextTimerAt } from '../../../actors/hunt/timers.js';
import { countedAhead, scannedFirstDueTimer, scannedNextTimerAt, sortedLeaderboard } from './full-scans.js';
import { RUNS, play, scenario } from './scenarios.js';

/**
 * The hunt index (timers in due order, competitors in leaderboard order) kept up to date event by
 * event on a state changed in place must answer exactly what a full recomputation answers.
 */

function agreesWithFullScans(state: HuntState): void {
  const next = scannedNextTimerAt(state);
  expect(nextTimerAt(state)).toBe(next);
  const probes = [state.updateSeq * 1000, ...(next === undefined ? [] : [next - 1, next, next + 60_000])];
  for (const at of probes) expect(firstDueTimer(state, at)).toEqual(scannedFirstDueTimer(state, at));

  const board = sortedLeaderboard(state);
  expect(leaderboard(state)).toEqual(board);
  expect(leaderboardSlice(state).top).toEqual(board.slice(0, 10));
  for (const competitor of Object.values(state.competitors)) {
    const you = leaderboardSlice(state, competitor.competitorId).you;
    expect(you).toEqual(board.find((entry) => entry.competitorId === competitor.competitorId));
    if (competitor.removed) continue;
    expect(rankOf(state, competitor)).toBe(countedAhead(state, competitor) + 1);
    for (const change of [{ points: competitor.points + 7 }, { points: competitor.points - 5 }, { lastScoredAt: 0 }]) {
      const changed = { ...competitor, ...change };
      for (const top of [1, 2, 3]) expect(isAmongLeaders(state, changed, top)).toBe(countedAhead(state, changed) < top);
    }
  }
}

describe('the hunt index', () => {
  it('kept up to date event by event, answers timers and places as a full recomputation does', () => {
    fc.assert(
      fc.property(scenario, ({ shape, steps }) => {
        play(shape, steps, agreesWithFullScans, evolveHuntInPlace);
      }),
      RUNS,
    );
  });
});

const rankKey = fc.record({
  competitorId: fc.integer({ min: 0, max: 40 }).map((n) => `c${n}`),
  name: fc.constantFrom('Ann', 'Bob', 'Cal'),
  kind: fc.constantFrom('solo' as const, 'team' as const),
  points: fc.integer({ min: -20, max: 20 }),
  finishedAt: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  lastScoredAt: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  solved: fc.nat({ max: 3 }),
});

describe('Ranking', () => {
  it('keeps its keys in leaderboard order through any upserts and removals', () => {
    const op = fc.oneof(rankKey.map((key) => ({ upsert: key })), fc.integer({ min: 0, max: 40 }).map((n) => ({ remove: `c${n}` })));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), rankKey, (ops, probe) => {
        const ranking = new Ranking();
        const model = new Map<string, RankKey>();
        for (const o of ops) {
          if ('upsert' in o) {
            ranking.upsert(o.upsert);
            model.set(o.upsert.competitorId, o.upsert);
          } else {
            ranking.remove(o.remove);
            model.delete(o.remove);
          }
        }
        const sorted = [...model.values()].sort(compareRanked);
        expect(ranking.first()).toEqual(sorted);
        expect(ranking.first(3)).toEqual(sorted.slice(0, 3));
        expect(ranking.size).toBe(sorted.length);
        expect(ranking.countBefore(probe)).toBe(sorted.filter((key) => compareRanked(key, probe) < 0).length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('TimerIndex', () => {
  const timer = (competitorId: string, clueIndex: number, hintIndex: number, dueAt: number): ClueTimer => ({
    dueAt,
    competitorId,
    clueIndex,
    hintIndex,
    body: { type: 'clue-timed-out', competitorId, clueId: `k${clueIndex}` },
  });

  it('gives the earliest live timer through any replacements, however many dead ones pile up', () => {
    const pair = fc.record({ competitor: fc.constantFrom('a', 'b', 'c'), clue: fc.nat({ max: 3 }) });
    const replacement = fc.record({ pair, dues: fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(replacement, { maxLength: 300 }), (replacements) => {
        const index = new TimerIndex();
        const model = new Map<string, ClueTimer[]>();
        for (const { pair: p, dues } of replacements) {
          const timers = dues.map((due, i) => timer(p.competitor, p.clue, i - 1, due));
          index.replace(p.competitor, `k${p.clue}`, timers);
          model.set(`${p.competitor}/${p.clue}`, timers);
          const all = [...model.values()].flat().sort(compareTimers);
          expect(index.earliest()).toEqual(all[0]);
          expect(index.size).toBe(all.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
