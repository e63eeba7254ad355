import { describe, expect, it } from 'vitest';
import { readinessOf, type ReadinessInputs } from '../../src/server/readiness.js';

const serving: ReadinessInputs = { listening: true, stopping: false, drained: false, fatal: false, journalProblem: undefined };

describe('readinessOf', () => {
  it('is ready when listening, not stopping, not drained, not broken, and the journal stores', () => {
    expect(readinessOf(serving)).toEqual({ ready: true, reasons: [] });
  });

  it('is not ready while the journal has a problem (circuit open, probe failing), and says which', () => {
    expect(readinessOf({ ...serving, journalProblem: 'journal circuit breaker open' })).toEqual({
      ready: false,
      reasons: ['journal circuit breaker open'],
    });
  });

  it('is not ready while a cluster node cannot hear the message bus, and says so', () => {
    expect(readinessOf({ ...serving, busProblem: 'message bus not answering (see the log)' })).toEqual({
      ready: false,
      reasons: ['message bus not answering (see the log)'],
    });
  });

  it.each([
    [{ listening: false }, 'starting'],
    [{ stopping: true }, 'stopping'],
    [{ drained: true }, 'drained by the operator plan'],
    [{ fatal: true }, 'the shard consumer stopped for good'],
  ] as const)('is not ready when %o', (change, reason) => {
    expect(readinessOf({ ...serving, ...change })).toEqual({ ready: false, reasons: [reason] });
  });

  it('gives every reason at once', () => {
    const readiness = readinessOf({ ...serving, stopping: true, journalProblem: 'journal probe failed: gone' });
    expect(readiness.ready).toBe(false);
    expect(readiness.reasons).toEqual(['stopping', 'journal probe failed: gone']);
  });
});
