import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JournalUnavailableError, SequenceConflictError } from '../../../src/errors.js';
import { createCassandraJournal, type CassandraJournal } from '../../../src/journal/cassandra/cassandra-journal.js';

/**
 * A keyspace that goes away under a running journal (dropped by mistake, or lost by a store that
 * crashed): the journal refuses retriably, and its probe recreates the schema when it may, or
 * keeps failing until an operator does.
 */
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const event = (n: number) => ({ type: 'noted', updateSeq: null, payload: { n } });
let admin: cassandra.Client;
const journals: CassandraJournal[] = [];

async function open(keyspace: string, createSchema: boolean): Promise<CassandraJournal> {
  const journal = await createCassandraJournal({ contactPoints: inject('cassandraContactPoints'), keyspace, createSchema });
  journals.push(journal);
  return journal;
}

beforeAll(async () => {
  admin = new cassandra.Client({ contactPoints: inject('cassandraContactPoints'), localDataCenter: 'datacenter1' });
  await admin.connect();
});

afterAll(async () => {
  await Promise.allSettled(journals.map((journal) => journal.close()));
  await admin.shutdown();
});

describe('CassandraJournal when its keyspace is dropped', () => {
  it('refuses retriably; a probe recreates keyspace and tables (and fails, saying so), the next answers, and appends work again', async () => {
    const keyspace = `cairn_recreate_${suffix}`;
    const journal = await open(keyspace, true);
    await journal.append('hunt:a', 0, [event(1)]);
    await admin.execute(`DROP KEYSPACE ${keyspace}`);

    await expect(journal.append('hunt:a', 1, [event(2)])).rejects.toBeInstanceOf(JournalUnavailableError);
    await expect(journal.readEvents('hunt:a', 0, 10)).rejects.toBeInstanceOf(JournalUnavailableError);
    // The probe that repairs still fails (the data is gone, and Cassandra settles after DDL); the next one answers.
    await expect(journal.probe()).rejects.toThrow(/lost events, snapshots, command_ids: recreated empty/);
    await journal.probe();
    // Recreated empty: what the drop destroyed is gone, and the journal serves again.
    expect(await journal.readEvents('hunt:a', 0, 10)).toEqual([]);
    // A writer that still believes in event 1 conflicts instead of writing event 2 with nothing
    // before it (a history no replay could fold); begun afresh, its history is accepted.
    await expect(journal.append('hunt:a', 1, [event(2)])).rejects.toBeInstanceOf(SequenceConflictError);
    expect(await journal.readEvents('hunt:a', 0, 10)).toEqual([]);
    await journal.append('hunt:a', 0, [event(1)]);
    await journal.append('hunt:a', 1, [event(2)]);
    expect((await journal.readEvents('hunt:a', 0, 10)).map((e) => e.seqNr)).toEqual([1, 2]);
    await journal.append('hunt:b', 0, [event(1), event(2)]);
    expect((await journal.readEvents('hunt:b', 0, 10)).map((e) => e.seqNr)).toEqual([1, 2]);
  });

  it('without createSchema: will not start without its tables, fails probes while they are missing, answers once they are back', async () => {
    const keyspace = `cairn_existing_${suffix}`;
    const start = await createCassandraJournal({ contactPoints: inject('cassandraContactPoints'), keyspace, createSchema: false }).catch((error: unknown) => error);
    expect(start).toBeInstanceOf(JournalUnavailableError);
    expect(String((start as Error).message)).toMatch(new RegExp(`${keyspace}.events`));

    // The operator creates the schema (here: a journal allowed to), then a node that only uses it starts.
    await (await open(keyspace, true)).probe();
    const journal = await open(keyspace, false);
    await journal.append('hunt:a', 0, [event(1)]);
    await admin.execute(`DROP TABLE ${keyspace}.snapshots`);
    const failed = await journal.probe().catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(JournalUnavailableError);
    expect(String((failed as Error).message)).toMatch(/lacks .*\.snapshots/);
    await expect(journal.probe()).rejects.toBeInstanceOf(JournalUnavailableError);

    await (await open(keyspace, true)).probe();
    await journal.probe();
    expect(await journal.readEvents('hunt:a', 0, 10)).toHaveLength(1);
    await journal.saveSnapshot({ entityId: 'hunt:a', seqNr: 1, state: { ok: true }, takenAt: 1 });
  });
});
