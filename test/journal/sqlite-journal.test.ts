import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JournalClosedError, JournalUnavailableError, SequenceConflictError } from '../../src/errors.js';
import { COMMAND_RETENTION_MS, commandKeyString, type NewEvent } from '../../src/journal/journal.js';
import { SCHEMA_VERSION } from '../../src/journal/sqlite/sqlite-schema.js';
import {
  createSqliteJournal,
  type CommitInfo,
  type SqliteJournal,
  type SqliteJournalOptions,
} from '../../src/journal/sqlite/sqlite-journal.js';
import { PROBE_ENTITY_ID } from '../../src/journal/journal-probe.js';
import { describeJournalContract } from './journal-contract.js';

interface TempJournal {
  readonly journal: SqliteJournal;
  readonly file: string;
  readonly cleanup: () => Promise<void>;
}

function openTemp(options: Partial<SqliteJournalOptions> = {}): TempJournal {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-journal-'));
  const file = path.join(dir, 'journal.db');
  const journal = createSqliteJournal({ ...options, path: file });
  return {
    journal,
    file,
    cleanup: async () => {
      await closeQuietly(journal);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Tests close journals themselves; cleanup must not fail on a second close. */
async function closeQuietly(journal: SqliteJournal): Promise<void> {
  try {
    await journal.close();
  } catch (error) {
    if (!(error instanceof JournalClosedError)) throw error;
  }
}

function events(count: number, label = 'e'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({ type: label, updateSeq: i + 1, payload: { label, i } }));
}

describeJournalContract('SqliteJournal', async () => ({ ...openTemp(), probeEntityId: PROBE_ENTITY_ID }));

describe('SqliteJournal', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const open = (options: Partial<SqliteJournalOptions> = {}): TempJournal => {
    const temp = openTemp(options);
    cleanups.push(temp.cleanup);
    return temp;
  };
  /** A plain connection to the same file, to look at it from outside the journal. */
  const inspect = (file: string, options: Database.Options = { readonly: true }): Database.Database => {
    const db = new Database(file, options);
    cleanups.push(async () => {
      if (db.open) db.close();
    });
    return db;
  };

  it('keeps events and snapshots across close and reopen', async () => {
    const { journal, file } = open();
    await journal.append('hunt-1', 0, events(3));
    await journal.saveSnapshot({ entityId: 'hunt-1', seqNr: 3, state: { found: 3 }, takenAt: 42 });
    await journal.close();

    const reopened = createSqliteJournal({ path: file });
    cleanups.push(() => closeQuietly(reopened));
    expect((await reopened.readEvents('hunt-1', 0, 10)).map((e) => e.payload)).toEqual(events(3).map((e) => e.payload));
    expect(await reopened.loadSnapshot('hunt-1')).toEqual({ entityId: 'hunt-1', seqNr: 3, state: { found: 3 }, takenAt: 42 });
    await reopened.append('hunt-1', 3, events(1));
    expect(await reopened.readEvents('hunt-1', 3, 10)).toHaveLength(1);
  });

  it('writes queued appends on close before releasing the file', async () => {
    const { journal, file } = open();
    const pending = Array.from({ length: 5 }, (_, i) => journal.append(`entity-${i}`, 0, events(2)));
    await journal.close();
    await Promise.all(pending);

    const db = inspect(file);
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 10 });
  });

  it('creates missing parent directories', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-journal-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'a', 'b', 'journal.db');
    const journal = createSqliteJournal({ path: file });
    cleanups.push(() => closeQuietly(journal));

    await journal.append('x', 0, events(1));
    expect(fs.existsSync(file)).toBe(true);
  });

  it(`runs in WAL mode with schema version ${SCHEMA_VERSION}`, async () => {
    const { journal, file } = open();
    await journal.append('x', 0, events(1));

    const db = inspect(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('opens a file of schema version 1 (no command ledger) with its events, and adds the ledger', async () => {
    const { journal, file } = open();
    await journal.append('x', 0, events(2));
    await journal.close();
    const db = inspect(file, {});
    db.exec('DROP TABLE commands');
    db.pragma('user_version = 1');
    db.close();

    const reopened = createSqliteJournal({ path: file });
    cleanups.push(() => closeQuietly(reopened));
    expect(await reopened.readEvents('x', 0, 10)).toHaveLength(2);
    const key = { issuer: 'player:a', commandId: 'c1' };
    await reopened.append('x', 2, [{ type: 't', updateSeq: null, payload: {}, command: key }]);
    expect((await reopened.findCommands('x', [key])).get(commandKeyString(key))).toMatchObject({ kind: 'event', event: { seqNr: 3 } });
    expect(inspect(file).pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('prunes command keys past their retention, and only those', async () => {
    const { journal } = open();
    const old = { issuer: 'player:a', commandId: 'old' };
    await journal.append('x', 0, [{ type: 't', updateSeq: null, payload: {}, command: old }]);
    await journal.recordRefusals('x', [{ ...old, commandId: 'old-refused', commandType: 'submit', code: 'no', message: 'no' }]);
    const storedAt = Date.now();

    // A minute short of the retention nothing goes; a minute past it both keys go, the event stays.
    expect(await journal.pruneExpiredCommands(storedAt + COMMAND_RETENTION_MS - 60_000)).toBe(0);
    expect((await journal.findCommands('x', [old])).size).toBe(1);
    expect(await journal.pruneExpiredCommands(storedAt + COMMAND_RETENTION_MS + 60_000)).toBe(2);
    expect((await journal.findCommands('x', [old, { ...old, commandId: 'old-refused' }])).size).toBe(0);
    expect(await journal.readEvents('x', 0, 10)).toHaveLength(1);
  });

  it('shows a resolved append to another connection at once', async () => {
    const { journal, file } = open({ synchronous: 'normal' });
    const db = inspect(file);
    const count = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM events WHERE entity_id = ?');

    for (let seqNr = 1; seqNr <= 5; seqNr += 1) {
      await journal.append('seen', seqNr - 1, events(1));
      expect(count.get('seen')).toEqual({ n: seqNr });
    }
  });

  it('works in memory', async () => {
    const journal = createSqliteJournal({ path: ':memory:' });
    cleanups.push(() => closeQuietly(journal));
    await journal.append('m', 0, events(2));
    expect(await journal.readEvents('m', 0, 10)).toHaveLength(2);
  });

  describe('group commit', () => {
    it('puts concurrent appends into fewer commits than appends', async () => {
      const commits: CommitInfo[] = [];
      const { journal } = open({ onCommit: (info) => commits.push(info) });

      await Promise.all(Array.from({ length: 100 }, (_, i) => journal.append(`batch-${i}`, 0, events(2))));

      expect(commits.length).toBeGreaterThan(0);
      expect(commits.length).toBeLessThan(100);
      expect(sum(commits.map((c) => c.appends))).toBe(100);
      expect(sum(commits.map((c) => c.events))).toBe(200);
      for (const commit of commits) expect(commit.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('never puts more than maxBatchSize appends in one commit', async () => {
      const commits: CommitInfo[] = [];
      const { journal } = open({ maxBatchSize: 10, onCommit: (info) => commits.push(info) });

      await Promise.all(Array.from({ length: 95 }, (_, i) => journal.append(`max-${i}`, 0, events(1))));

      expect(commits.map((c) => c.appends)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
    });

    it('fails a conflicting append alone while the rest of its batch commits', async () => {
      const commits: CommitInfo[] = [];
      const { journal } = open({ onCommit: (info) => commits.push(info) });
      await journal.append('taken', 0, [{ type: 'original', updateSeq: 1, payload: 'original' }]);
      commits.length = 0;

      const results = await Promise.allSettled([
        journal.append('before', 0, events(2)),
        journal.append('taken', 0, [{ type: 'intruder', updateSeq: 1, payload: 'intruder' }]),
        journal.append('after', 0, events(3)),
      ]);

      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const reason = (results[1] as PromiseRejectedResult).reason as SequenceConflictError;
      expect(reason).toBeInstanceOf(SequenceConflictError);
      expect(reason.cause).toBeInstanceOf(Database.SqliteError);
      expect((reason.cause as { code: string }).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');

      expect(commits).toEqual([expect.objectContaining({ appends: 2, events: 5 })]);
      expect((await journal.readEvents('taken', 0, 10)).map((e) => e.payload)).toEqual(['original']);
      expect(await journal.readEvents('before', 0, 10)).toHaveLength(2);
      expect(await journal.readEvents('after', 0, 10)).toHaveLength(3);
    });

    it('applies appends to one entity in queue order within a batch', async () => {
      const commits: CommitInfo[] = [];
      const { journal } = open({ onCommit: (info) => commits.push(info) });

      await Promise.all([
        journal.append('ordered', 0, events(1, 'first')),
        journal.append('ordered', 1, events(2, 'second')),
        journal.append('ordered', 3, events(1, 'third')),
      ]);

      expect(commits).toHaveLength(1);
      const stored = await journal.readEvents('ordered', 0, 10);
      expect(stored.map((e) => [e.seqNr, e.type])).toEqual([
        [1, 'first'],
        [2, 'second'],
        [3, 'second'],
        [4, 'third'],
      ]);
    });

    it('fails its probe while its writer cannot write, though reads still work, and passes once it can', async () => {
      const { journal, file } = open({ busyTimeoutMs: 20 });
      await journal.probe();
      const locker = inspect(file, {});
      locker.exec('BEGIN IMMEDIATE');
      await expect(journal.readEvents('any', 0, 1)).resolves.toEqual([]);
      await expect(journal.probe()).rejects.toBeInstanceOf(JournalUnavailableError);
      locker.exec('ROLLBACK');
      await journal.probe();
    });

    it('rejects every append of a batch it could not commit, and writes none of them', async () => {
      const { journal, file } = open({ busyTimeoutMs: 20 });
      await journal.append('kept', 0, events(1));
      const locker = inspect(file, {});
      locker.exec('BEGIN IMMEDIATE');

      const results = await Promise.allSettled([
        journal.append('kept', 1, events(1)),
        journal.append('fresh', 0, events(2)),
      ]);
      locker.exec('ROLLBACK');

      for (const result of results) {
        expect(result.status).toBe('rejected');
        const reason = (result as PromiseRejectedResult).reason as JournalUnavailableError;
        expect(reason).toBeInstanceOf(JournalUnavailableError);
        expect(reason.retriable).toBe(true);
        expect((reason.cause as { code: string }).code).toMatch(/^SQLITE_BUSY/);
      }
      expect(await journal.readEvents('kept', 0, 10)).toHaveLength(1);
      expect(await journal.readEvents('fresh', 0, 10)).toEqual([]);

      // Retriable indeed: once the lock is gone the same appends go through.
      await journal.append('kept', 1, events(1));
      await journal.append('fresh', 0, events(2));
      expect(await journal.readEvents('fresh', 0, 10)).toHaveLength(2);
    });

    it('keeps appends durable when onCommit throws', async () => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      cleanups.push(async () => warn.mockRestore());
      const { journal } = open({
        onCommit: () => {
          throw new Error('metrics down');
        },
      });

      await journal.append('metrics', 0, events(1));
      expect(await journal.readEvents('metrics', 0, 10)).toHaveLength(1);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('metrics down'));
    });
  });

  describe('sequence checks', () => {
    it('rejects an append that would leave a gap', async () => {
      const { journal } = open();
      await journal.append('gap', 0, events(2));

      await expect(journal.append('gap', 3, events(1))).rejects.toBeInstanceOf(SequenceConflictError);
      await expect(journal.append('new', 1, events(1))).rejects.toBeInstanceOf(SequenceConflictError);

      expect(await journal.readEvents('gap', 0, 10)).toHaveLength(2);
      expect(await journal.readEvents('new', 0, 10)).toEqual([]);
    });

    it('rejects a stale writer even in the same batch as the winner', async () => {
      const { journal } = open();
      const results = await Promise.allSettled([journal.append('stale', 0, events(1)), journal.append('stale', 0, events(1))]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(SequenceConflictError);
    });
  });

  describe('argument validation', () => {
    it.each([
      ['an empty entityId', (j: SqliteJournal) => j.append('', 0, events(1))],
      ['a negative expectedSeqNr', (j: SqliteJournal) => j.append('x', -1, events(1))],
      ['a fractional expectedSeqNr', (j: SqliteJournal) => j.append('x', 1.5, events(1))],
      ['a NaN expectedSeqNr', (j: SqliteJournal) => j.append('x', Number.NaN, events(1))],
      ['no events', (j: SqliteJournal) => j.append('x', 0, [])],
      ['an event without type', (j: SqliteJournal) => j.append('x', 0, [{ type: '', updateSeq: null, payload: 1 }])],
      ['a fractional updateSeq', (j: SqliteJournal) => j.append('x', 0, [{ type: 't', updateSeq: 0.5, payload: 1 }])],
      ['an undefined payload', (j: SqliteJournal) => j.append('x', 0, [{ type: 't', updateSeq: null, payload: undefined }])],
      ['a BigInt payload', (j: SqliteJournal) => j.append('x', 0, [{ type: 't', updateSeq: null, payload: 1n }])],
      ['a limit of 0', (j: SqliteJournal) => j.readEvents('x', 0, 0)],
      ['a fractional limit', (j: SqliteJournal) => j.readUpdates('x', 0, 2.5)],
      ['a negative afterSeqNr', (j: SqliteJournal) => j.readEvents('x', -1, 10)],
      ['an empty entityId to readUpdates', (j: SqliteJournal) => j.readUpdates('', 0, 10)],
      ['an empty entityId to loadSnapshot', (j: SqliteJournal) => j.loadSnapshot('')],
      ['a negative snapshot seqNr', (j: SqliteJournal) => j.saveSnapshot({ entityId: 'x', seqNr: -1, state: {}, takenAt: 1 })],
    ])('rejects %s with a TypeError', async (_, call) => {
      const { journal } = open();
      await expect(call(journal)).rejects.toBeInstanceOf(TypeError);
    });

    it('fails only the append with a bad payload, not its batch', async () => {
      const { journal } = open();
      const results = await Promise.allSettled([
        journal.append('good', 0, events(1)),
        journal.append('bad', 0, [{ type: 't', updateSeq: null, payload: 1n }]),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      expect(await journal.readEvents('good', 0, 10)).toHaveLength(1);
    });

    it('refuses a non-positive maxBatchSize', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-journal-'));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      expect(() => createSqliteJournal({ path: path.join(dir, 'j.db'), maxBatchSize: 0 })).toThrow(TypeError);
    });
  });

  it('refuses a file written with a newer schema version', async () => {
    const { journal, file } = open();
    await journal.close();
    const db = inspect(file, {});
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();

    expect(() => createSqliteJournal({ path: file })).toThrow(new RegExp(`schema version ${SCHEMA_VERSION + 1}`));
  });
});

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
