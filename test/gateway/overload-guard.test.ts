import { describe, expect, it } from 'vitest';
import type { ClientMessage } from '../../protocol/client-messages.js';
import { CLIENT_MESSAGE_TYPES } from '../../protocol/schemas.js';
import { clientFrames } from '../protocol/frames.js';
import {
  connectionRefusedWhenOverloaded,
  OverloadGuard,
  refusedWhenOverloaded,
  type OverloadGuardOptions,
} from '../../src/gateway/overload-guard.js';

/** A guard on a hand-turned clock, reading loop delays from a list (0 once it runs out). */
function guardWith(options: Partial<Omit<OverloadGuardOptions, 'now' | 'loopDelay'>> & { delays?: number[] } = {}) {
  const clock = { now: 0 };
  const delays = [...(options.delays ?? [])];
  let samples = 0;
  const changes: boolean[] = [];
  const guard = new OverloadGuard({
    maxLoopDelayMs: 200,
    maxInFlight: 4,
    windowMs: 1000,
    onChange: (saturated) => changes.push(saturated),
    ...options,
    now: () => clock.now,
    loopDelay: {
      takeSample: () => {
        samples += 1;
        return delays.shift() ?? 0;
      },
      stop: () => undefined,
    },
  });
  const run = (n: number) => {
    for (let i = 0; i < n; i++) guard.started();
  };
  const finish = (n: number) => {
    for (let i = 0; i < n; i++) guard.finished();
  };
  return { guard, clock, changes, run, finish, samples: () => samples };
}

describe('overload guard: requests in flight', () => {
  it('admits work below the bound and refuses it at the bound, with the window as retryAfterMs', () => {
    const { guard, run, changes } = guardWith({ maxInFlight: 4 });
    run(3);
    expect(guard.refusal()).toBeUndefined();
    run(1);
    expect(guard.inFlight).toBe(4);
    expect(guard.refusal()).toEqual({ retryAfterMs: 1000 });
    expect(changes).toEqual([true]);
  });

  it('stays saturated while in-flight is between half the bound and the bound', () => {
    const { guard, clock, run, finish, changes } = guardWith({ maxInFlight: 4 });
    run(4);
    expect(guard.saturated).toBe(true);
    finish(1); // 3: under the bound, above half
    clock.now = 5000;
    expect(guard.saturated, 'between the marks, long after').toBe(true);
    finish(1); // 2: half
    expect(guard.saturated).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('stays saturated for a window after the bound was last reached, even once calm', () => {
    const { guard, clock, run, finish } = guardWith({ maxInFlight: 4 });
    run(4);
    expect(guard.saturated).toBe(true);
    finish(4);
    clock.now = 999;
    expect(guard.saturated).toBe(true);
    clock.now = 1000;
    expect(guard.saturated).toBe(false);
  });

  it('a window is counted from the last moment the bound was reached, not from the first', () => {
    const { guard, clock, run, finish } = guardWith({ maxInFlight: 2 });
    run(2);
    expect(guard.saturated).toBe(true);
    clock.now = 900;
    expect(guard.saturated).toBe(true); // still at the bound: seen over again at 900
    finish(2);
    clock.now = 1500;
    expect(guard.saturated).toBe(true);
    clock.now = 1900;
    expect(guard.saturated).toBe(false);
  });

  it('with a bound of 1, a second request while one runs is refused', () => {
    const { guard, run } = guardWith({ maxInFlight: 1, maxLoopDelayMs: 0 });
    expect(guard.refusal()).toBeUndefined();
    run(1);
    expect(guard.refusal()).toEqual({ retryAfterMs: 1000 });
  });

  it('0 means no bound', () => {
    const { guard, run } = guardWith({ maxInFlight: 0 });
    run(100_000);
    expect(guard.saturated).toBe(false);
  });

  it('never counts below zero', () => {
    const { guard, finish } = guardWith();
    finish(3);
    expect(guard.inFlight).toBe(0);
  });
});

describe('overload guard: event-loop delay', () => {
  it('reads the loop delay at most once a window, when asked', () => {
    const { guard, clock, samples } = guardWith({ delays: [10, 10, 10] });
    for (let i = 0; i < 50; i++) expect(guard.saturated).toBe(false);
    expect(samples()).toBe(0);
    clock.now = 1000;
    guard.refusal();
    guard.refusal();
    expect(samples()).toBe(1);
    clock.now = 1999;
    guard.refusal();
    expect(samples()).toBe(1);
    clock.now = 2000;
    guard.refusal();
    expect(samples()).toBe(2);
  });

  it('a window over the bound saturates; a window at most half the bound ends it', () => {
    const { guard, clock, changes } = guardWith({ maxLoopDelayMs: 200, delays: [250, 150, 150, 100] });
    clock.now = 1000;
    expect(guard.saturated, '250 ms > 200').toBe(true);
    clock.now = 2000;
    expect(guard.saturated, '150 ms: under the bound, over half of it').toBe(true);
    clock.now = 3000;
    expect(guard.saturated, 'still 150').toBe(true);
    clock.now = 4000;
    expect(guard.saturated, '100 ms: half').toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('a delay between half and the bound does not saturate a calm process', () => {
    const { guard, clock } = guardWith({ maxLoopDelayMs: 200, delays: [199, 150, 200] });
    for (const at of [1000, 2000, 3000]) {
      clock.now = at;
      expect(guard.saturated).toBe(false);
    }
  });

  it('stays saturated while either signal is high', () => {
    const { guard, clock, run, finish } = guardWith({ maxInFlight: 4, maxLoopDelayMs: 200, delays: [300, 0, 0] });
    clock.now = 1000;
    expect(guard.saturated).toBe(true);
    run(3); // loop fine from the next window on, but in-flight above half
    clock.now = 2000;
    expect(guard.saturated).toBe(true);
    finish(3);
    clock.now = 2500;
    expect(guard.saturated, 'a window after the loop reading over the bound, both calm').toBe(false);
  });

  it('0 turns the loop delay off', () => {
    const { guard, clock } = guardWith({ maxLoopDelayMs: 0, delays: [10_000] });
    clock.now = 1000;
    expect(guard.saturated).toBe(false);
  });
});

describe('what an overloaded gateway refuses', () => {
  const byType = new Map(clientFrames.map((f) => [(f.value as ClientMessage).type, f.value as ClientMessage]));

  it('every request that changes state (it carries a commandId), and no read', () => {
    const refused = CLIENT_MESSAGE_TYPES.filter((type) => refusedWhenOverloaded(byType.get(type)!));
    expect(refused.sort()).toEqual(
      [
        'join', 'submit', 'hint', 'leave',
        'admin.spawn', 'admin.start', 'admin.pause', 'admin.resume', 'admin.end',
        'admin.edit-clue', 'admin.release-hint', 'admin.announce', 'admin.kick',
      ].sort(),
    );
  });

  it('new connections of players and designers, not of operators', () => {
    expect(connectionRefusedWhenOverloaded('player')).toBe(true);
    expect(connectionRefusedWhenOverloaded('designer')).toBe(true);
    expect(connectionRefusedWhenOverloaded('operator')).toBe(false);
  });
});
