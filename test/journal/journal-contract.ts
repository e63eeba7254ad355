/**
 * The Journal port's behaviour, as one suite every adapter runs (see src/journal/journal.ts).
 *
 * Adapter-neutral on purpose: it only talks to the port, and every test writes to entity ids of
 * its own, so it can run against a shared, long-lived database (a Cassandra keyspace) as well as
 * a throw-away file. `makeJournal` is called once for the suite and once more for the close()
 * tests; `cleanup` must cope with a journal that was already closed.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalClosedError, SequenceConflictError } from '../../src/errors.js';
import { commandKeyString, type Journal, type NewEvent, type StoredEvent } from '../../src/journal/journal.js';
import type { JournalProbe } from '../../src/journal/journal-probe.js';

export interface JournalUnderTest {
  readonly journal: Journal & JournalProbe;
  /** The entity the journal's probe reads and tries to write, to check that it stores nothing. */
  readonly probeEntityId: string;
  readonly cleanup: () => Promise<void>;
}

/** Generous for a networked store; the SQLite runs take a fraction of it. */
const SLOW_TEST_MS = 120_000;

export function describeJournalContract(name: string, makeJournal: () => Promise<JournalUnderTest>): void {
  describe(`Journal contract: ${name}`, () => {
    let subject: JournalUnderTest | undefined;
    const journal = (): Journal & JournalProbe => {
      if (subject === undefined) throw new Error('makeJournal did not run');
      return subject.journal;
    };

    beforeAll(async () => {
      subject = await makeJournal();
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    describe('append and readEvents', () => {
      it('numbers events 1..n in order and keeps type and updateSeq', async () => {
        const id = entityId('append');
        const events: NewEvent[] = [
          { type: 'hunt-spawned', updateSeq: 1, payload: { name: 'Old Town' } },
          { type: 'timer-armed', updateSeq: null, payload: { at: 1_700_000_000_000 } },
          { type: 'hunt-started', updateSeq: 2, payload: { at: 1_700_000_000_500 } },
        ];
        const before = Date.now();
        await journal().append(id, 0, events);
        const after = Date.now();

        const stored = await journal().readEvents(id, 0, 100);
        expect(stored.map((e) => e.seqNr)).toEqual([1, 2, 3]);
        expect(stored.map(strip)).toEqual(events);
        for (const event of stored) {
          expect(event.entityId).toBe(id);
          expectPlausibleTime(event.storedAt, before, after);
        }
      });

      it('continues the sequence after expectedSeqNr', async () => {
        const id = entityId('continue');
        await journal().append(id, 0, numbered(1, 2));
        await journal().append(id, 2, numbered(3, 3));
        await journal().append(id, 5, numbered(6, 1));

        const stored = await journal().readEvents(id, 0, 100);
        expect(stored.map((e) => e.seqNr)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(stored.map((e) => e.payload)).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ n })));
      });

      it('round-trips JSON payloads: nesting, unicode, numbers', async () => {
        const id = entityId('payload');
        const payloads: unknown[] = [
          { a: { b: { c: [1, [2, [3, { d: 'deep' }]]] } }, empty: {}, none: [] },
          deeplyNested(40),
          {
            emoji: '🗺️🏴‍☠️💰',
            cjk: '宝探し',
            rtl: 'كنز',
            combining: 'e\u0301',
            escapes: 'quote " backslash \\ newline \n tab \t nul \u0000',
            'key with spaces and ünïcödé': true,
          },
          {
            zero: 0,
            negative: -42,
            fraction: 0.1 + 0.2,
            large: 1e300,
            tiny: -1e-300,
            maxSafe: Number.MAX_SAFE_INTEGER,
            minSafe: Number.MIN_SAFE_INTEGER,
          },
          'a bare string',
          12345.678,
          true,
          null,
          [],
        ];
        await journal().append(
          id,
          0,
          payloads.map((payload) => ({ type: 'payload', updateSeq: null, payload })),
        );

        const stored = await journal().readEvents(id, 0, 100);
        expect(stored.map((e) => e.payload)).toEqual(payloads);
      });
    });

    describe('paging', () => {
      it('returns the slice after afterSeqNr, at most limit long', async () => {
        const id = entityId('page');
        await journal().append(id, 0, numbered(1, 10));

        expect(seqNrs(await journal().readEvents(id, 3, 4))).toEqual([4, 5, 6, 7]);
        expect(seqNrs(await journal().readEvents(id, 0, 1))).toEqual([1]);
        expect(seqNrs(await journal().readEvents(id, 0, 10))).toEqual(range(1, 10));
      });

      it('returns a short page at the end and then an empty one', async () => {
        const id = entityId('short');
        await journal().append(id, 0, numbered(1, 10));

        expect(seqNrs(await journal().readEvents(id, 8, 5))).toEqual([9, 10]);
        expect(await journal().readEvents(id, 10, 5)).toEqual([]);
        expect(await journal().readEvents(id, 50, 5)).toEqual([]);
      });

      it('returns nothing for an unknown entity', async () => {
        expect(await journal().readEvents(entityId('unknown'), 0, 10)).toEqual([]);
        expect(await journal().readUpdates(entityId('unknown'), 0, 10)).toEqual([]);
      });
    });

    describe('readUpdates', () => {
      it('returns events with an update number above n, in update order, skipping null ones', async () => {
        const id = entityId('updates');
        const updates = [1, null, 2, null, null, 3, 4, null];
        await journal().append(
          id,
          0,
          updates.map((updateSeq, i) => ({ type: 'e', updateSeq, payload: { i } })),
        );

        const all = await journal().readUpdates(id, 0, 100);
        expect(all.map((e) => e.updateSeq)).toEqual([1, 2, 3, 4]);
        expect(seqNrs(all)).toEqual([1, 3, 6, 7]);
        expect(all.map((e) => e.payload)).toEqual([{ i: 0 }, { i: 2 }, { i: 5 }, { i: 6 }]);

        expect((await journal().readUpdates(id, 2, 100)).map((e) => e.updateSeq)).toEqual([3, 4]);
        expect((await journal().readUpdates(id, 0, 2)).map((e) => e.updateSeq)).toEqual([1, 2]);
        expect((await journal().readUpdates(id, 1, 2)).map((e) => e.updateSeq)).toEqual([2, 3]);
        expect(await journal().readUpdates(id, 4, 10)).toEqual([]);
      });

      it('sees update numbers written by separate appends', async () => {
        const id = entityId('updates-appends');
        await journal().append(id, 0, [{ type: 'e', updateSeq: 1, payload: 1 }]);
        await journal().append(id, 1, [{ type: 'e', updateSeq: null, payload: 2 }]);
        await journal().append(id, 2, [{ type: 'e', updateSeq: 2, payload: 3 }]);

        const updates = await journal().readUpdates(id, 0, 10);
        expect(updates.map((e) => [e.seqNr, e.updateSeq])).toEqual([
          [1, 1],
          [3, 2],
        ]);
      });
    });

    describe('sequence conflicts', () => {
      it('rejects a taken sequence number and keeps the first history', async () => {
        const id = entityId('duplicate');
        await journal().append(id, 0, [{ type: 'first', updateSeq: 1, payload: { by: 'first' } }]);

        const error = await rejectionOf(
          journal().append(id, 0, [{ type: 'second', updateSeq: 1, payload: { by: 'second' } }]),
        );
        expect(error).toBeInstanceOf(SequenceConflictError);
        expect(error).toMatchObject({ code: 'sequence-conflict', retriable: false });

        const stored = await journal().readEvents(id, 0, 10);
        expect(stored.map(strip)).toEqual([{ type: 'first', updateSeq: 1, payload: { by: 'first' } }]);
      });

      it('refuses an update number above the sequence number it would get, writing nothing', async () => {
        const id = entityId('ahead');
        await expect(journal().append(id, 0, [{ type: 'e', updateSeq: 2, payload: {} }])).rejects.toBeInstanceOf(TypeError);
        expect(await journal().readEvents(id, 0, 10)).toHaveLength(0);
      });

      it('writes nothing of an append that overlaps only partly', async () => {
        const id = entityId('overlap');
        await journal().append(id, 0, numbered(1, 2));

        // Sequence 2 is taken, 3 is free: all or nothing means 3 must not appear either.
        const overlapping = [100, 101].map((n, i) => ({ type: 'numbered', updateSeq: 2 + i, payload: { n } }));
        await expect(journal().append(id, 1, overlapping)).rejects.toBeInstanceOf(SequenceConflictError);
        expect((await journal().readEvents(id, 0, 10)).map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }]);
        expect(await journal().readUpdates(id, 0, 10)).toHaveLength(2);

        await journal().append(id, 2, numbered(3, 1));
        expect(seqNrs(await journal().readEvents(id, 0, 10))).toEqual([1, 2, 3]);
      });

      it(
        'lets exactly one of two racing writers win each sequence number',
        async () => {
          const id = entityId('race-rounds');
          const rounds = 40;
          const history: NewEvent[] = [];
          for (let round = 0; round < rounds; round += 1) {
            const at = history.length;
            // Different append sizes make a wrong winner visible in the final sequence numbers.
            const a = [{ type: 'a', updateSeq: null, payload: { writer: 'a', round } }];
            const b = [0, 1].map((k) => ({ type: 'b', updateSeq: null, payload: { writer: 'b', round, k } }));
            const attempts = round % 2 === 0 ? [a, b] : [b, a];
            const results = await Promise.allSettled(attempts.map((events) => journal().append(id, at, events)));

            const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [attempts[i]] : []));
            const losers = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
            expect(winners).toHaveLength(1);
            expect(losers).toHaveLength(1);
            expect(losers[0]).toBeInstanceOf(SequenceConflictError);
            history.push(...(winners[0] ?? []));
          }

          const stored = await readAll(journal(), id, 7);
          expect(seqNrs(stored)).toEqual(range(1, history.length));
          expect(stored.map(strip)).toEqual(history);
        },
        SLOW_TEST_MS,
      );

      it(
        'keeps the history gapless when writers race freely and recover from conflicts',
        async () => {
          const id = entityId('race-free');
          const perWriter = 25;
          const conflicts = await Promise.all(
            ['a', 'b', 'c'].map((writer) => raceWriter(journal(), id, writer, perWriter)),
          );

          const stored = await readAll(journal(), id, 16);
          expect(seqNrs(stored)).toEqual(range(1, 3 * perWriter));
          for (const writer of ['a', 'b', 'c']) {
            const own = stored.filter((e) => e.type === writer).map((e) => (e.payload as { n: number }).n);
            // Each writer's events exactly once, in its own order.
            expect(own).toEqual(range(1, perWriter));
          }
          // Three writers appending to one entity cannot all have been lucky every time.
          expect(conflicts.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
        },
        SLOW_TEST_MS,
      );
    });

    describe('concurrent appends to different entities', () => {
      it(
        'all succeed and each entity reads back its own events',
        async () => {
          const ids = range(1, 200).map((i) => entityId(`many-${i}`));
          await Promise.all(
            ids.map((id, i) =>
              journal().append(id, 0, [
                { type: 'one', updateSeq: 1, payload: { entity: i, k: 1 } },
                { type: 'two', updateSeq: null, payload: { entity: i, k: 2 } },
              ]),
            ),
          );

          const stored = await Promise.all(ids.map((id) => journal().readEvents(id, 0, 10)));
          stored.forEach((events, i) => {
            expect(events.map((e) => [e.entityId, e.seqNr, e.payload])).toEqual([
              [ids[i], 1, { entity: i, k: 1 }],
              [ids[i], 2, { entity: i, k: 2 }],
            ]);
          });
        },
        SLOW_TEST_MS,
      );
    });

    describe('snapshots', () => {
      it('loads undefined when none was saved', async () => {
        expect(await journal().loadSnapshot(entityId('no-snapshot'))).toBeUndefined();
      });

      it('round-trips a snapshot', async () => {
        const id = entityId('snapshot');
        const snapshot = {
          entityId: id,
          seqNr: 5,
          state: { status: 'running', competitors: { 'team-🦊': { score: 3, found: ['c1', 'c2'] } } },
          takenAt: 1_700_000_000_123,
        };
        await journal().saveSnapshot(snapshot);
        expect(await journal().loadSnapshot(id)).toEqual(snapshot);
      });

      it('stores a state given as JSON text and loads it decoded', async () => {
        const id = entityId('snapshot-text');
        const state = { seqNr: 7, state: { players: { 'ana-🦊': { points: -5 } } } };
        await journal().saveSnapshot({ entityId: id, seqNr: 7, stateJson: JSON.stringify(state), takenAt: 1_700_000_000_456 });
        expect(await journal().loadSnapshot(id)).toEqual({ entityId: id, seqNr: 7, state, takenAt: 1_700_000_000_456 });
        await expect(journal().saveSnapshot({ entityId: id, seqNr: 8, stateJson: '', takenAt: 1 })).rejects.toThrow(TypeError);
      });

      it('replaces an older snapshot with a newer one, never the other way', async () => {
        const id = entityId('snapshot-order');
        const at = (seqNr: number) => ({ entityId: id, seqNr, state: { seqNr }, takenAt: 1_700_000_000_000 + seqNr });

        await journal().saveSnapshot(at(5));
        await journal().saveSnapshot(at(8));
        expect(await journal().loadSnapshot(id)).toEqual(at(8));

        await journal().saveSnapshot(at(6));
        expect(await journal().loadSnapshot(id)).toEqual(at(8));
      });

      it('keeps the highest of concurrent saves', async () => {
        const id = entityId('snapshot-race');
        const seqNrsInOrder = [7, 3, 12, 9, 1, 11, 4];
        await Promise.all(
          seqNrsInOrder.map((seqNr) => journal().saveSnapshot({ entityId: id, seqNr, state: { seqNr }, takenAt: seqNr })),
        );
        expect(await journal().loadSnapshot(id)).toMatchObject({ seqNr: 12, state: { seqNr: 12 } });
      });

      it('keeps snapshots per entity', async () => {
        const one = entityId('snapshot-one');
        const two = entityId('snapshot-two');
        await journal().saveSnapshot({ entityId: one, seqNr: 2, state: 'one', takenAt: 1 });
        await journal().saveSnapshot({ entityId: two, seqNr: 1, state: 'two', takenAt: 1 });
        expect((await journal().loadSnapshot(one))?.state).toBe('one');
        expect((await journal().loadSnapshot(two))?.state).toBe('two');
      });
    });

    describe('durability', () => {
      it('shows an append to readers as soon as it resolved', async () => {
        const id = entityId('visible');
        for (let seqNr = 1; seqNr <= 20; seqNr += 1) {
          await journal().append(id, seqNr - 1, numbered(seqNr, 1));
          const [last] = await journal().readEvents(id, seqNr - 1, 10);
          expect(last?.seqNr).toBe(seqNr);
          expect((await journal().readUpdates(id, seqNr - 1, 10)).map((e) => e.seqNr)).toEqual([seqNr]);
        }
      });
    });

    describe('paging property', () => {
      it(
        'reassembles exactly the appended history from pages of any size',
        async () => {
          const newEvent = fc.record({
            type: fc.constantFrom('placed', 'found', 'moved'),
            visible: fc.boolean(),
            payload: fc.jsonValue({ maxDepth: 2 }),
          });
          await fc.assert(
            fc.asyncProperty(
              fc.array(fc.array(newEvent, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
              fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
              async (batches, pageSizes) => {
                const id = entityId('property');
                const history: NewEvent[] = [];
                let updateSeq = 0;
                for (const batch of batches) {
                  const events = batch.map(({ type, visible, payload }) => ({
                    type,
                    updateSeq: visible ? (updateSeq += 1) : null,
                    payload,
                  }));
                  await journal().append(id, history.length, events);
                  history.push(...events);
                }
                // Payloads are JSON values: what comes back is what JSON makes of them (-0 is 0).
                const expected = history.map((e) => ({ ...e, payload: JSON.parse(JSON.stringify(e.payload)) }));

                const events = await readInPages(
                  pageSizes,
                  (after, limit) => journal().readEvents(id, after, limit),
                  (e) => e.seqNr,
                );
                expect(seqNrs(events)).toEqual(range(1, history.length));
                expect(events.map(strip)).toEqual(expected);

                const updates = await readInPages(
                  pageSizes,
                  (after, limit) => journal().readUpdates(id, after, limit),
                  (e) => e.updateSeq ?? 0,
                );
                expect(updates.map(strip)).toEqual(expected.filter((e) => e.updateSeq !== null));
              },
            ),
            { numRuns: 40 },
          );
        },
        SLOW_TEST_MS,
      );
    });

    describe('command ledger', () => {
      it('finds an appended event by the command that produced it', async () => {
        const id = entityId('ledger-event');
        await journal().append(id, 0, [
          { type: 'spawned', updateSeq: 1, payload: { n: 1 }, command: { issuer: 'staff:ada', commandId: 'spawn-1' } },
          { type: 'tick', updateSeq: null, payload: { n: 2 } },
          { type: 'solved', updateSeq: 2, payload: { n: 3 }, command: { issuer: 'player:bo', commandId: 'g-1' } },
        ]);

        const found = await journal().findCommands(id, [
          { issuer: 'player:bo', commandId: 'g-1' },
          { issuer: 'staff:ada', commandId: 'spawn-1' },
          { issuer: 'player:bo', commandId: 'never-sent' },
        ]);
        expect(found.size).toBe(2);
        const solved = found.get(commandKeyString({ issuer: 'player:bo', commandId: 'g-1' }));
        expect(solved?.kind).toBe('event');
        if (solved?.kind === 'event') {
          expect(solved.event).toMatchObject({ entityId: id, seqNr: 3, type: 'solved', updateSeq: 2, payload: { n: 3 } });
        }
        const spawned = found.get(commandKeyString({ issuer: 'staff:ada', commandId: 'spawn-1' }));
        expect(spawned?.kind === 'event' && spawned.event.seqNr).toBe(1);
      });

      it('tells issuers and entities apart', async () => {
        const id = entityId('ledger-scope');
        const other = entityId('ledger-scope-other');
        await journal().append(id, 0, [{ type: 'e', updateSeq: null, payload: {}, command: { issuer: 'player:a', commandId: 'same' } }]);

        expect((await journal().findCommands(id, [{ issuer: 'player:b', commandId: 'same' }])).size).toBe(0);
        expect((await journal().findCommands(other, [{ issuer: 'player:a', commandId: 'same' }])).size).toBe(0);
        expect((await journal().findCommands(id, [{ issuer: 'player:a', commandId: 'same' }])).size).toBe(1);
      });

      it('keeps refusals, with the command type, code and message', async () => {
        const id = entityId('ledger-refusal');
        const refusal = { issuer: 'player:cy', commandId: 'j-1', commandType: 'join', code: 'hunt-full', message: 'the hunt is full' };
        const before = Date.now();
        await journal().recordRefusals(id, [refusal]);
        const after = Date.now();

        const found = (await journal().findCommands(id, [refusal])).get(commandKeyString(refusal));
        expect(found?.kind).toBe('refusal');
        if (found?.kind === 'refusal') {
          expect(found.refusal).toEqual(refusal);
          expectPlausibleTime(found.storedAt, before, after);
        }
        // Refusals take no sequence number: the entity's history stays empty.
        expect(await journal().readEvents(id, 0, 10)).toEqual([]);
      });

      it('answers a key that has an event with the event, whatever is refused under it later', async () => {
        const id = entityId('ledger-event-wins');
        const key = { issuer: 'player:dee', commandId: 'g-7' };
        await journal().append(id, 0, [{ type: 'solved', updateSeq: 1, payload: { ok: true }, command: key }]);
        await journal().recordRefusals(id, [{ ...key, commandType: 'submit', code: 'clue-already-solved', message: 'solved' }]);

        const found = (await journal().findCommands(id, [key])).get(commandKeyString(key));
        expect(found?.kind === 'event' && found.event.payload).toEqual({ ok: true });
      });

      it('finds many keys of several issuers in one call', async () => {
        const id = entityId('ledger-many');
        const keys = range(1, 60).map((n) => ({ issuer: `player:p${n % 7}`, commandId: `c-${n}` }));
        const events = keys.slice(0, 30).map((command, i) => ({ type: 'e', updateSeq: null, payload: { i }, command }));
        await journal().append(id, 0, events);
        await journal().recordRefusals(id, keys.slice(30, 50).map((k) => ({ ...k, commandType: 'submit', code: 'no', message: 'no' })));

        const found = await journal().findCommands(id, keys);
        expect(found.size).toBe(50);
        keys.slice(0, 30).forEach((key, i) => {
          const record = found.get(commandKeyString(key));
          expect(record?.kind === 'event' && record.event.seqNr).toBe(i + 1);
        });
        for (const key of keys.slice(30, 50)) expect(found.get(commandKeyString(key))?.kind).toBe('refusal');
        for (const key of keys.slice(50)) expect(found.has(commandKeyString(key))).toBe(false);
      });

      it('never names the losing writer\'s event for its command', async () => {
        const id = entityId('ledger-race');
        const winner = { issuer: 'player:w', commandId: 'won' };
        const loser = { issuer: 'player:l', commandId: 'lost' };
        await journal().append(id, 0, [{ type: 'e', updateSeq: null, payload: { by: 'w' }, command: winner }]);
        await expect(journal().append(id, 0, [{ type: 'e', updateSeq: null, payload: { by: 'l' }, command: loser }])).rejects.toBeInstanceOf(
          SequenceConflictError,
        );

        const found = (await journal().findCommands(id, [loser])).get(commandKeyString(loser));
        // Either nothing, or (a store that indexes before its conditional write) the event that
        // really holds the number, which the caller sees is not the loser's.
        if (found !== undefined) expect(found.kind === 'event' && found.event.payload).toEqual({ by: 'w' });
      });

      it('checks its arguments before touching storage', async () => {
        const id = entityId('ledger-args');
        await expect(journal().findCommands(id, [{ issuer: '', commandId: 'x' }])).rejects.toBeInstanceOf(TypeError);
        await expect(journal().recordRefusals(id, [{ issuer: 'a', commandId: 'x' } as never])).rejects.toBeInstanceOf(TypeError);
        await expect(
          journal().append(id, 0, [{ type: 'e', updateSeq: null, payload: {}, command: { issuer: 'a', commandId: 'x'.repeat(300) } }]),
        ).rejects.toBeInstanceOf(TypeError);
        expect(await journal().readEvents(id, 0, 10)).toEqual([]);
      });
    });

    describe('probe', () => {
      it('answers on a healthy store and stores nothing', async () => {
        await journal().probe();
        await journal().probe();
        expect(await journal().readEvents(subject!.probeEntityId, 0, 10)).toEqual([]);
        expect(await journal().loadSnapshot(subject!.probeEntityId)).toBeUndefined();
      });
    });

    describe('close', () => {
      it('completes appends in flight, then rejects every call with JournalClosedError', async () => {
        const own = await makeJournal();
        try {
          const id = entityId('close');
          const inFlight = [
            own.journal.append(id, 0, numbered(1, 1)),
            own.journal.append(entityId('close-other'), 0, numbered(1, 2)),
          ];
          await own.journal.close();
          await expect(Promise.all(inFlight)).resolves.toBeDefined();

          const calls: [string, () => Promise<unknown>][] = [
            ['append', () => own.journal.append(id, 1, numbered(2, 1))],
            ['readEvents', () => own.journal.readEvents(id, 0, 10)],
            ['readUpdates', () => own.journal.readUpdates(id, 0, 10)],
            ['saveSnapshot', () => own.journal.saveSnapshot({ entityId: id, seqNr: 1, state: {}, takenAt: 1 })],
            ['loadSnapshot', () => own.journal.loadSnapshot(id)],
            ['probe', () => own.journal.probe()],
            ['findCommands', () => own.journal.findCommands(id, [{ issuer: 'a', commandId: 'b' }])],
            ['recordRefusals', () => own.journal.recordRefusals(id, [{ issuer: 'a', commandId: 'b', commandType: 't', code: 'c', message: 'm' }])],
            ['close', () => own.journal.close()],
          ];
          for (const [method, call] of calls) {
            const error = await rejectionOf(call());
            expect(error, method).toBeInstanceOf(JournalClosedError);
          }
        } finally {
          await own.cleanup();
        }
      });
    });
  });
}

/** Unique per call, so tests never see each other's data in a shared store. */
function entityId(label: string): string {
  return `contract-${label}-${randomUUID()}`;
}

/** Events whose payload is their intended sequence number, `count` of them from `first`. */
function numbered(first: number, count: number): NewEvent[] {
  return range(first, first + count - 1).map((n) => ({ type: 'numbered', updateSeq: n, payload: { n } }));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

function seqNrs(events: readonly StoredEvent[]): number[] {
  return events.map((e) => e.seqNr);
}

/** The part of a stored event the writer chose. */
function strip(event: StoredEvent): NewEvent {
  return { type: event.type, updateSeq: event.updateSeq, payload: event.payload };
}

function deeplyNested(depth: number): unknown {
  let value: unknown = { bottom: true };
  for (let level = 0; level < depth; level += 1) value = { level, child: value };
  return value;
}

function expectPlausibleTime(storedAt: number, before: number, after: number): void {
  expect(Number.isFinite(storedAt)).toBe(true);
  // Slack for a store whose clock is not the test's (a database server).
  expect(storedAt).toBeGreaterThanOrEqual(before - 60_000);
  expect(storedAt).toBeLessThanOrEqual(after + 60_000);
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

async function readAll(journal: Journal, id: string, pageSize: number): Promise<StoredEvent[]> {
  return readInPages([pageSize], (after, limit) => journal.readEvents(id, after, limit), (e) => e.seqNr);
}

/** Pages through a read, cycling through `pageSizes`, until a short page says there is no more. */
async function readInPages(
  pageSizes: readonly number[],
  read: (after: number, limit: number) => Promise<readonly StoredEvent[]>,
  position: (event: StoredEvent) => number,
): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let after = 0;
  for (let page = 0; ; page += 1) {
    const limit = pageSizes[page % pageSizes.length] ?? 1;
    const events = await read(after, limit);
    expect(events.length).toBeLessThanOrEqual(limit);
    all.push(...events);
    const last = events.at(-1);
    if (last !== undefined) after = position(last);
    if (events.length < limit) return all;
  }
}

/**
 * A writer that knows only what it read: it appends its next event after the highest sequence
 * number it has seen and, on a conflict, reads what the others wrote and tries again.
 * Returns how many conflicts it met.
 */
async function raceWriter(journal: Journal, id: string, writer: string, count: number): Promise<number> {
  let known = 0;
  let conflicts = 0;
  for (let n = 1; n <= count; ) {
    try {
      await journal.append(id, known, [{ type: writer, updateSeq: null, payload: { n } }]);
      known += 1;
      n += 1;
    } catch (error) {
      if (!(error instanceof SequenceConflictError)) throw error;
      conflicts += 1;
      known += (await journal.readEvents(id, known, 1000)).length;
    }
    // Yield so the writers interleave instead of one finishing before the others start.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return conflicts;
}
