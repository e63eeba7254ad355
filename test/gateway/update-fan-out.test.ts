import { describe, expect, it } from 'vitest';
import { huntChanges } from '../../actors/hunt/hunt-changes.js';
import type { HuntEvent } from '../../actors/hunt/hunt-events.js';
import type { HuntState } from '../../actors/hunt/hunt-state.js';
import { decodeFrame } from '../../protocol/codec.js';
import type { UpdateMessage } from '../../protocol/server-messages.js';
import { UpdateFanOut } from '../../src/gateway/update-fan-out.js';
import { answer, given, join, kick, start, submit, spawn, when } from '../actors/hunt/given.js';
import type { HuntCommand } from '../../actors/hunt/hunt-commands.js';
import { RIDDLE_ANSWERS, linearHunt, teamHunt } from '../actors/hunt/definitions.js';

/** Subscribes `audiences` and records, per audience name, the update frames it was handed. */
function watch(fanOut: UpdateFanOut, state: HuntState, audiences: Record<string, { as: 'staff' } | { as: 'player'; playerId: string }>) {
  const got: Record<string, UpdateMessage[]> = {};
  const stops: Record<string, () => void> = {};
  for (const [name, audience] of Object.entries(audiences)) {
    got[name] = [];
    stops[name] = fanOut.add(audience, (_event, frame) => got[name]!.push(decodeFrame(frame) as UpdateMessage), state);
  }
  return { got, stops };
}

/** A hunt that commands move forward; `step` returns the event stored. */
function hunt(...commands: HuntCommand[]) {
  const h = {
    state: given(...commands),
    step(command: HuntCommand): HuntEvent {
      const next = when(h.state, command);
      h.state = next.state;
      return next.event;
    },
  };
  return h;
}

/** Publishes `event`, given the state right after it. */
function publish(fanOut: UpdateFanOut, state: HuntState, event: HuntEvent): number {
  return fanOut.publish(event, huntChanges(state, event), state);
}

describe('UpdateFanOut', () => {
  it('sends each subscriber exactly the changes its audience may see', () => {
    const h = hunt(spawn(teamHunt(2)), join('ana', undefined, { team: 'Owls' }), join('ben', undefined, { team: 'Owls' }), join('cal', undefined, { team: 'Larks' }), start());
    const fanOut = new UpdateFanOut('h1');
    const { got } = watch(fanOut, h.state, {
      ana: { as: 'player', playerId: 'ana' },
      ben: { as: 'player', playerId: 'ben' },
      cal: { as: 'player', playerId: 'cal' },
      staff: { as: 'staff' },
    });
    const event = h.step(submit('ana', 'riddle', answer(RIDDLE_ANSWERS[0])));
    const sent = publish(fanOut, h.state, event);

    expect(sent).toBe(4);
    const kinds = (name: string) => got[name]!.flatMap((frame) => frame.changes.map((change) => change.kind));
    // The Owls (ana and ben) see their clue, next clue and score; everyone sees the leaders.
    expect(kinds('ana')).toEqual(['leaderboard', 'clue', 'clue', 'score']);
    expect(kinds('ben')).toEqual(kinds('ana'));
    expect(kinds('cal')).toEqual(['leaderboard']);
    // Staff get the staff changes: the leaders, not a team's clues.
    expect(kinds('staff')).toEqual(['leaderboard']);
    for (const frame of [...got.ana!, ...got.cal!, ...got.staff!]) expect(frame).toMatchObject({ type: 'update', hunt: 'h1', update: event.update });
  });

  it('hands a change for one competitor to that competitor alone, without calling anyone else', () => {
    const players = Array.from({ length: 50 }, (_, i) => `p${i}`);
    const h = hunt(spawn(linearHunt({ maxPlayers: 100 })), ...players.map((p) => join(p)), start());
    const fanOut = new UpdateFanOut('h1');
    const calls = new Map<string, number>();
    for (const playerId of players) fanOut.add({ as: 'player', playerId }, () => calls.set(playerId, (calls.get(playerId) ?? 0) + 1), h.state);
    // A wrong guess by a player far from the leaders changes only their own clue and score.
    for (let i = 0; i < 10; i += 1) h.step(submit(`p${i}`, 'riddle', answer(RIDDLE_ANSWERS[0])));
    const wrong = h.step(submit('p49', 'riddle', answer('Titanic')));
    expect(huntChanges(h.state, wrong).all).toEqual([]);

    calls.clear();
    expect(publish(fanOut, h.state, wrong)).toBe(1);
    expect([...calls]).toEqual([['p49', 1]]);
  });

  it('follows a player to the competitor their join put them in, and stops when unsubscribed', () => {
    const h = hunt(spawn(linearHunt()), start());
    const fanOut = new UpdateFanOut('h1');
    const { got, stops } = watch(fanOut, h.state, { ana: { as: 'player', playerId: 'ana' } });
    const joined = h.step(join('ana'));
    publish(fanOut, h.state, joined);
    const solved = h.step(submit('ana', 'riddle', answer(RIDDLE_ANSWERS[0])));
    publish(fanOut, h.state, solved);
    expect(got.ana!.at(-1)!.changes.map((c) => c.kind)).toContain('score');

    stops.ana!();
    expect(fanOut.size).toBe(0);
    const kicked = h.step(kick('ana'));
    expect(publish(fanOut, h.state, kicked)).toBe(0);
  });
});
