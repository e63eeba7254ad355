import { describe, expect, it } from 'vitest';
import { backoffCeiling, fullJitterDelay, overloadedReconnectDelay, overloadedRetryDelay, TypedEmitter } from '../../src/client/index.js';

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

describe('backoff when the server is overloaded', () => {
  const options = { initialDelayMs: 250, maxDelayMs: 15_000 };
  const draws = [0, 0.25, 0.5, 0.999999];

  it('reconnects after 1013 no sooner than the longest wait after a dropped connection at the same attempt', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      for (const r of draws) {
        const delay = overloadedReconnectDelay(attempt, options, () => r);
        const ceiling = backoffCeiling(attempt + 2, options);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        if (backoffCeiling(attempt + 2, options) < options.maxDelayMs) expect(delay).toBeGreaterThanOrEqual(backoffCeiling(attempt, options));
      }
    }
    expect(overloadedReconnectDelay(0, options, () => 0.5)).toBe(750);
  });

  it('retries an overloaded command after retryAfterMs plus a jitter whose ceiling starts at retryAfterMs and doubles, up to the cap', () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      for (const r of draws) {
        const delay = overloadedRetryDelay(1000, attempt, 5000, () => r);
        expect(delay).toBeGreaterThanOrEqual(1000);
        expect(delay).toBeLessThan(1000 + Math.min(5000, 1000 * 2 ** attempt));
      }
    }
    expect([0, 1, 2, 3].map((attempt) => overloadedRetryDelay(1000, attempt, 5000, () => 0.5))).toEqual([1500, 2000, 3000, 3500]);
    // A retryAfterMs above the cap is still honoured in full.
    expect(overloadedRetryDelay(8000, 3, 5000, () => 0.5)).toBe(12_000);
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
