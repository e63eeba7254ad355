import { afterEach, describe, expect, it } from 'vitest';
import { withCircuitBreaker } from '../../src/journal/circuit-breaking-journal.js';
import { watchJournalHealth, type JournalHealth } from '../../src/journal/journal-health.js';
import { flakyJournal, sleep } from './flaky-journal.js';

const PROBE_MS = 20;
const cleanups: (() => Promise<void>)[] = [];

function watched() {
  const flaky = flakyJournal();
  const journal = withCircuitBreaker(flaky.journal, { consecutiveFailures: 3, halfOpenAfterMs: 60 });
  const changes: boolean[] = [];
  const health = watchJournalHealth(journal, { everyMs: PROBE_MS, onProbeChange: (answering) => changes.push(answering) });
  cleanups.push(async () => {
    await health.stop();
    await journal.close();
  });
  return { journal, health, state: flaky.state, changes };
}

async function until(health: JournalHealth, healthy: boolean, timeoutMs = 2000): Promise<number> {
  const started = Date.now();
  while (health.healthy !== healthy) {
    if (Date.now() - started > timeoutMs) throw new Error(`still ${health.healthy ? 'healthy' : `unhealthy (${health.problem})`} after ${timeoutMs} ms`);
    await sleep(5);
  }
  return Date.now() - started;
}

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('watchJournalHealth', () => {
  it('stays healthy through one failed probe between answering ones: one slow request is not an outage', async () => {
    const { health, state, changes } = watched();
    await sleep(PROBE_MS * 2);
    const probes = state.probes;
    state.down = true;
    while (state.probes === probes) await sleep(1);
    state.down = false;
    await sleep(PROBE_MS * 4);
    expect(health.healthy).toBe(true);
    expect(changes).toEqual([]);
  });

  it('is healthy while probes answer, and probes over and over without any other traffic', async () => {
    const { health, state } = watched();
    expect(health).toMatchObject({ healthy: true, problem: undefined });
    await sleep(PROBE_MS * 6);
    expect(health.healthy).toBe(true);
    expect(state.probes).toBeGreaterThanOrEqual(3);
  });

  it('turns unhealthy at the first failed probe, opens the breaker after a few, and recovers with no traffic once the storage answers', async () => {
    const { journal, health, state, changes } = watched();
    state.down = true;
    await until(health, false);
    expect(health.problem).toMatch(/^(journal probe failing|journal circuit breaker open) \(see the log\)$/);
    await sleep(PROBE_MS * 5);
    expect(journal.breakerState).toBe('open');
    expect(health.problem, 'fixed words: the storage error stays in the log').toBe('journal circuit breaker open (see the log)');
    expect(journal.lastFailure).toMatch(/storage down/);

    state.down = false;
    await until(health, true);
    expect(journal.breakerState).toBe('closed');
    expect(changes).toEqual([false, true]);
  });

  it('waits, when stopped, for the probe in flight to finish before the journal may close', async () => {
    const { health, state } = watched();
    state.probeDelayMs = 80;
    while (state.probes === 0) await sleep(1);
    await health.stop();
    expect(state.probesDone).toBe(state.probes);
  });

  it('stops probing once stopped', async () => {
    const { health, state } = watched();
    await health.stop();
    const probes = state.probes;
    await sleep(PROBE_MS * 4);
    expect(state.probes).toBe(probes);
  });
});
