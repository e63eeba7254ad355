import { afterEach, describe, expect, it } from 'vitest';
import { JournalUnavailableError } from '../../src/errors.js';
import { withCircuitBreaker, type GuardedJournal } from '../../src/journal/circuit-breaking-journal.js';
import { event, flakyJournal, sleep } from './flaky-journal.js';

const HALF_OPEN_MS = 50;
let opened: GuardedJournal[] = [];

function guarded() {
  const flaky = flakyJournal();
  const journal = withCircuitBreaker(flaky.journal, { consecutiveFailures: 3, halfOpenAfterMs: HALF_OPEN_MS });
  opened.push(journal);
  return { journal, state: flaky.state };
}

async function openCircuit(journal: GuardedJournal): Promise<void> {
  for (let i = 0; i < 3; i++) await expect(journal.readEvents('hunt:a', 0, 10)).rejects.toThrow('storage down');
  expect(journal.breakerState).toBe('open');
}

afterEach(async () => {
  await Promise.all(opened.map((journal) => journal.close()));
  opened = [];
});

describe('withCircuitBreaker', () => {
  it('refuses at once, retriably and without touching the storage, once failures in a row open it', async () => {
    const { journal, state } = guarded();
    state.down = true;
    await openCircuit(journal);
    const reached = state.calls;
    const refusal = await journal.append('hunt:a', 0, [event(1)]).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(JournalUnavailableError);
    expect(refusal).toMatchObject({ code: 'journal-unavailable', retriable: true });
    expect(state.calls).toBe(reached);
  });

  it("closes only through a probe: entities' calls after the pause are still refused, a probe that answers closes it", async () => {
    const { journal, state } = guarded();
    state.down = true;
    await openCircuit(journal);
    state.down = false;
    await sleep(HALF_OPEN_MS * 2);
    await expect(journal.append('hunt:a', 0, [event(1)])).rejects.toThrow('circuit open');
    expect(journal.breakerState).toBe('open');
    expect(journal.lastFailure).toBe('storage down');
    await journal.probe();
    expect(journal.breakerState).toBe('closed');
    expect(journal.lastFailure).toBeUndefined();
    await journal.append('hunt:a', 0, [event(1)]);
    expect(await journal.readEvents('hunt:a', 0, 10)).toHaveLength(1);
  });

  it('stays open when the half-open probe fails, and a later probe closes it', async () => {
    const { journal, state } = guarded();
    state.down = true;
    await openCircuit(journal);
    await expect(journal.probe()).rejects.toThrow('circuit open'); // before the pause: not even tried
    await sleep(HALF_OPEN_MS * 2);
    await expect(journal.probe()).rejects.toThrow('storage down'); // the trial reached the storage
    expect(journal.breakerState).toBe('open');
    state.down = false;
    await sleep(HALF_OPEN_MS * 2);
    await journal.probe();
    expect(journal.breakerState).toBe('closed');
  });

  it('counts failed probes while closed, so a journal without traffic opens too', async () => {
    const { journal, state } = guarded();
    state.down = true;
    for (let i = 0; i < 3; i++) await expect(journal.probe()).rejects.toThrow('storage down');
    expect(journal.breakerState).toBe('open');
  });
});
