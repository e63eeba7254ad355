import { describe, expect, it } from 'vitest';
import type { HuntState } from '../../../actors/hunt/hunt-state.js';
import { JournalUnavailableError } from '../../../src/errors.js';
import type { Journal } from '../../../src/journal/journal.js';
import { commands, nodesOnOneFile, readState, withJournal } from './harness.js';

describe('hunt actors over a SQLite journal', () => {
  const { node, stop } = nodesOnOneFile();

  it('a restarted actor system rebuilds exactly the state it had', async () => {
    const first = node();
    const c = commands();
    for (const command of [c.spawn(), c.join('ana'), c.join('ben'), c.start(), c.answer('ana', 'anchor', 'Anchor!'), c.answer('ben', 'anchor', 'rope')]) {
      const outcome = await first.host.execute('hunt', 'h1', command);
      expect(outcome.ok).toBe(true);
    }
    const before = await readState<HuntState>(first.host, 'hunt', 'h1');
    await stop(first);

    const second = node();
    const after = await readState<HuntState>(second.host, 'hunt', 'h1');
    expect(after.seqNr).toBe(6);
    expect(JSON.parse(JSON.stringify(after.state))).toEqual(JSON.parse(JSON.stringify(before.state)));
    expect(after.state.competitors['p:ana']?.points).toBe(100);
    expect(after.state.competitors['p:ben']?.points).toBe(-5);
  });

  it('recovers from the latest snapshot plus the events after it', async () => {
    const reads: number[] = [];
    const counting = (journal: Journal): Journal =>
      withJournal(journal, {
        readEvents: (entityId, after, limit) => {
          if (entityId === 'hunt:h1') reads.push(after);
          return journal.readEvents(entityId, after, limit);
        },
      });
    const first = node({ snapshotEvery: 10 });
    const c = commands();
    await first.host.execute('hunt', 'h1', c.spawn(smallHuntWithRoom()));
    for (let i = 0; i < 24; i += 1) expect((await first.host.execute('hunt', 'h1', c.join(`p${i}`))).ok).toBe(true);
    const before = await readState<HuntState>(first.host, 'hunt', 'h1');
    await waitFor(async () => ((await first.journal.loadSnapshot('hunt:h1'))?.seqNr ?? 0) >= 10);
    const snapshotAt = (await first.journal.loadSnapshot('hunt:h1'))!.seqNr;
    await stop(first);

    const second = node({ snapshotEvery: 10 }, counting);
    const after = await readState<HuntState>(second.host, 'hunt', 'h1');
    expect(reads[0]).toBe(snapshotAt);
    expect(after.seqNr).toBe(25);
    expect(JSON.parse(JSON.stringify(after.state))).toEqual(JSON.parse(JSON.stringify(before.state)));
  });

  it('a second writer on the same entity is refused, recovers, and the first history stays intact', async () => {
    const a = node();
    const b = node();
    const c = commands();
    expect((await a.host.execute('hunt', 'h1', c.spawn())).ok).toBe(true);
    expect((await readState(b.host, 'hunt', 'h1')).seqNr).toBe(1);
    expect((await a.host.execute('hunt', 'h1', c.join('ana'))).ok).toBe(true);

    // b still believes the hunt is at sequence 1: its append of sequence 2 must fail.
    const stale = await b.host.execute('hunt', 'h1', c.join('ben'));
    expect(stale).toMatchObject({ ok: false, failure: { code: 'sequence-conflict', retriable: true } });

    // After recovering from the journal, b sees ana and appends after her.
    const retried = await b.host.execute('hunt', 'h1', c.join('ben'));
    expect(retried).toMatchObject({ ok: true, seqNr: 3 });
    const history = await a.journal.readEvents('hunt:h1', 0, 100);
    expect(history.map((e) => [e.seqNr, e.type, (e.payload as { playerId?: string }).playerId])).toEqual([
      [1, 'hunt-spawned', undefined],
      [2, 'player-joined', 'ana'],
      [3, 'player-joined', 'ben'],
    ]);
    const view = await readState<HuntState>(b.host, 'hunt', 'h1');
    expect(Object.keys(view.state.players).sort()).toEqual(['ana', 'ben']);
  });

  it('a repeated command id is answered with the first outcome, before and after a restart', async () => {
    const first = node();
    const c = commands();
    await first.host.execute('hunt', 'h1', c.spawn());
    await first.host.execute('hunt', 'h1', c.start());
    const join = c.join('ana');
    await first.host.execute('hunt', 'h1', join);
    const solve = c.answer('ana', 'anchor', 'anchor');
    const original = await first.host.execute('hunt', 'h1', solve);
    const repeat = await first.host.execute('hunt', 'h1', solve);
    expect(original).toMatchObject({ ok: true, duplicate: false, seqNr: 4 });
    expect(repeat).toMatchObject({ ok: true, duplicate: true });
    expect(repeat.ok && original.ok && repeat.event).toEqual(original.ok && original.event);
    await stop(first);

    const second = node();
    const afterRestart = await second.host.execute('hunt', 'h1', solve);
    expect(afterRestart).toMatchObject({ ok: true, duplicate: true });
    const state = await readState<HuntState>(second.host, 'hunt', 'h1');
    expect(state.seqNr).toBe(4);
    expect(state.state.competitors['p:ana']?.points).toBe(100);
  });

  it('rejected commands store nothing', async () => {
    const n = node();
    const c = commands();
    await n.host.execute('hunt', 'h1', c.spawn());
    const early = await n.host.execute('hunt', 'h1', c.answer('ana', 'anchor', 'anchor'));
    expect(early).toMatchObject({ ok: false, rejection: { code: 'hunt-not-running' } });
    expect(await n.journal.readEvents('hunt:h1', 0, 10)).toHaveLength(1);
  });

  it('a join tells the player entity once, and replaying the hunt does not tell it again', async () => {
    const first = node();
    const c = commands();
    await first.host.execute('hunt', 'h1', c.spawn());
    await first.host.execute('hunt', 'h1', c.join('ana'));
    await waitFor(async () => (await first.journal.readEvents('player:ana', 0, 10)).length === 1);
    await stop(first);

    const second = node();
    await readState(second.host, 'hunt', 'h1');
    await second.host.execute('hunt', 'h1', c.start());
    const player = await readState<{ memberships: Record<string, unknown> }>(second.host, 'player', 'ana');
    expect(Object.keys(player.state.memberships)).toEqual(['h1']);
    expect(await second.journal.readEvents('player:ana', 0, 10)).toHaveLength(1);
  });

  it('an idle entity is passivated and comes back with its state', async () => {
    const passivated: string[] = [];
    const n = node({ idleAfterMs: 100, listener: { passivated: (_kind, id) => passivated.push(id) } });
    const c = commands();
    await n.host.execute('hunt', 'h1', c.spawn());
    await n.host.execute('hunt', 'h1', c.join('ana'));
    await waitFor(async () => n.host.activeEntities === 0);
    expect(passivated).toContain('h1');
    const back = await readState<HuntState>(n.host, 'hunt', 'h1');
    expect(back.seqNr).toBe(2);
    expect(back.state.players['ana']?.active).toBe(true);
  });

  it('passivates a kind on its own idle time while the others stay active', async () => {
    const passivated: string[] = [];
    const n = node({ idleAfterMs: 60_000, idleAfterMsByKind: { player: 100 }, listener: { passivated: (kind, id) => passivated.push(`${kind}:${id}`) } });
    const c = commands();
    await n.host.execute('hunt', 'h1', c.spawn());
    // The join tells the player entity, which is activated to record the membership.
    await n.host.execute('hunt', 'h1', c.join('ana'));
    await waitFor(async () => passivated.includes('player:ana'));
    expect(passivated).toEqual(['player:ana']);
    expect(n.host.activeEntities).toBe(1);
  });

  it('caps how many entities recover at once', async () => {
    let recovering = 0;
    let peak = 0;
    const slowReads = (journal: Journal): Journal =>
      withJournal(journal, {
        loadSnapshot: async (id) => {
          recovering += 1;
          peak = Math.max(peak, recovering);
          return journal.loadSnapshot(id);
        },
        readEvents: async (id, after, limit) => {
          await new Promise((r) => setTimeout(r, 20));
          const page = await journal.readEvents(id, after, limit);
          if (page.length < limit) recovering -= 1;
          return page;
        },
      });
    const n = node({ maxConcurrentActivations: 2 }, slowReads);
    await Promise.all(Array.from({ length: 10 }, (_, i) => readState(n.host, 'hunt', `h${i}`)));
    expect(n.host.activeEntities).toBe(10);
    expect(peak).toBe(2);
  });

  it('a hunt with an end time ends by itself, even while passivated', async () => {
    const n = node({ idleAfterMs: 50 });
    const c = commands();
    await n.host.execute('hunt', 'h1', c.spawn(smallHuntWithRoom({ endsAt: Date.now() + 400 })));
    await n.host.execute('hunt', 'h1', c.start());
    await waitFor(async () => (await n.journal.readEvents('hunt:h1', 0, 10)).some((e) => e.type === 'hunt-ended'), 5000);
    const events = await n.journal.readEvents('hunt:h1', 0, 10);
    expect(events.at(-1)).toMatchObject({ type: 'hunt-ended', payload: { reason: 'end-time' } });
  });

  it('answers at once, retriably, when the journal fails, and serves again once it is back', async () => {
    let failing = false;
    const flaky = (journal: Journal): Journal => {
      const guard = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
        if (failing) throw new JournalUnavailableError('storage down');
        return call(...args);
      };
      return {
        append: guard(journal.append.bind(journal)),
        readEvents: guard(journal.readEvents.bind(journal)),
        readUpdates: guard(journal.readUpdates.bind(journal)),
        saveSnapshot: guard(journal.saveSnapshot.bind(journal)),
        loadSnapshot: guard(journal.loadSnapshot.bind(journal)),
        recordRefusals: guard(journal.recordRefusals.bind(journal)),
        findCommands: guard(journal.findCommands.bind(journal)),
        close: journal.close.bind(journal),
      };
    };
    const n = node({ commandTimeoutMs: 5000 }, flaky);
    const c = commands();
    await n.host.execute('hunt', 'h1', c.spawn());

    failing = true;
    const started = Date.now();
    const during = await n.host.execute('hunt', 'h1', c.join('ana'));
    expect(during).toMatchObject({ ok: false, failure: { code: 'journal-unavailable', retriable: true } });
    // The journal's ledger is asked first, so nothing was decided: the actor keeps its state and
    // the next caller is answered at once too, not after the timeout.
    expect(await n.host.execute('hunt', 'h1', c.join('ben'))).toMatchObject({ ok: false, failure: { retriable: true } });
    expect(Date.now() - started).toBeLessThan(2000);

    failing = false;
    const after = await n.host.execute('hunt', 'h1', c.join('cleo'));
    expect(after).toMatchObject({ ok: true, seqNr: 2 });
    expect((await n.journal.readEvents('hunt:h1', 0, 10)).map((e) => e.type)).toEqual(['hunt-spawned', 'player-joined']);
  });

  it('in a batch whose append fails part-way, the commands stored before the failure keep their outcome and the rest fail retriably', async () => {
    let failSeq: number | undefined = 4;
    const failOnce = (journal: Journal): Journal =>
      withJournal(journal, {
        append: async (id, expected, events) => {
          if (id === 'hunt:h1' && expected + 1 === failSeq) {
            failSeq = undefined;
            throw new JournalUnavailableError('disk hiccup');
          }
          return journal.append(id, expected, events);
        },
      });
    const n = node({}, failOnce);
    const c = commands();
    await n.host.execute('hunt', 'h1', c.spawn());
    const joins = ['ana', 'ben', 'cleo', 'dan', 'eve'].map((p) => c.join(p));
    // The first join goes alone; the other four queue behind it and go as one batch (seq 3..6).
    const outcomes = await Promise.all(joins.map((j) => n.host.execute('hunt', 'h1', j)));
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, false, false]);
    expect(outcomes[2]).toMatchObject({ ok: false, failure: { code: 'journal-unavailable', retriable: true } });
    expect((await n.journal.readEvents('hunt:h1', 0, 10)).map((e) => e.seqNr)).toEqual([1, 2, 3]);

    // Retried with the same command ids after the actor recovered: applied once each.
    const retried = await Promise.all(joins.slice(2).map((j) => n.host.execute('hunt', 'h1', j)));
    expect(retried.every((o) => o.ok)).toBe(true);
    const players = await readState<HuntState>(n.host, 'hunt', 'h1');
    expect(Object.keys(players.state.players).sort()).toEqual(['ana', 'ben', 'cleo', 'dan', 'eve']);
    expect(players.seqNr).toBe(6);
  });

  it('refuses entity ids outside the safe alphabet', async () => {
    const n = node();
    await expect(n.host.execute('hunt', '__proto__', commands().spawn())).rejects.toThrow(/invalid entity id/);
    await expect(n.host.execute('hunt', '', commands().spawn())).rejects.toThrow(/invalid entity id/);
  });
});

function smallHuntWithRoom(overrides: object = {}) {
  return { ...commands().spawn().definition, maxPlayers: 100, ...overrides };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
