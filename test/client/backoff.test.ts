import { describe, expect, it } from 'vitest';
import { backoffCeiling, fullJitterDelay, TypedEmitter } from '../../src/client/index.js';

describe('full-jitter backoff', () => {
  const options = { initialDelayMs: 250, maxDelayMs: 15_000 };

  it('doubles the ceiling per attempt up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 60, 5000].map((n) => backoffCeiling(n, options))).toEqual([
      250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000, 15_000,
    ]);
  });

  it('draws a delay uniformly below the ceiling', () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      for (const r of [0, 0.25, 0.5, 0.999999]) {
        const delay = fullJitterDelay(attempt, options, () => r);
        expect(delay).toBe(Math.floor(r * backoffCeiling(attempt, options)));
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(backoffCeiling(attempt, options));
      }
    }
    expect(fullJitterDelay(3, options, () => 0.5)).toBe(1000);
  });
});

describe('TypedEmitter', () => {
  interface Events {
    a: number;
    b: { readonly text: string };
  }

  it('calls listeners in order, supports once and unsubscribing, and isolates a throwing listener', () => {
    const errors: unknown[] = [];
    const emitter = new TypedEmitter<Events>((error) => errors.push(error));
    const seen: string[] = [];
    const off = emitter.on('a', (n) => seen.push(`first ${n}`));
    emitter.on('a', () => {
      throw new Error('boom');
    });
    emitter.once('a', (n) => seen.push(`once ${n}`));
    emitter.on('b', ({ text }) => seen.push(text));
    emitter.emit('a', 1);
    off();
    emitter.emit('a', 2);
    emitter.emit('b', { text: 'hi' });
    expect(seen).toEqual(['first 1', 'once 1', 'hi']);
    expect(errors).toHaveLength(2);
    expect(emitter.listenerCount('a')).toBe(1);
  });

  it('next() resolves with the next payload', async () => {
    const emitter = new TypedEmitter<Events>();
    const next = emitter.next('a');
    emitter.emit('a', 7);
    await expect(next).resolves.toBe(7);
    expect(emitter.listenerCount('a')).toBe(0);
  });
});
