import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JournalUnavailableError } from '../../../src/errors.js';
import { createCassandraJournal, type CassandraJournal } from '../../../src/journal/cassandra/cassandra-journal.js';
import { COMMAND_RETENTION_MS, commandKeyString } from '../../../src/journal/journal.js';

/**
 * What the shared contract cannot see of the Cassandra ledger: its table's settings, the index
 * row that names a number whose conditional write never landed, and a lost command_ids table.
 */
const keyspace = `cairn_ledger_${process.pid}_${Date.now().toString(36)}`;
let admin: cassandra.Client;
let journal: CassandraJournal;

beforeAll(async () => {
  journal = await createCassandraJournal({ contactPoints: inject('cassandraContactPoints'), keyspace });
  admin = new cassandra.Client({ contactPoints: inject('cassandraContactPoints'), localDataCenter: 'datacenter1' });
  await admin.connect();
});

afterAll(async () => {
  await journal?.close().catch(() => undefined);
  await admin?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
  await admin?.shutdown();
});

describe('CassandraJournal command ledger', () => {
  it('expires command keys by TTL after COMMAND_RETENTION_MS, with a short gc grace', async () => {
    const table = await admin.execute(
      'SELECT default_time_to_live, gc_grace_seconds FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?',
      [keyspace, 'command_ids'],
    );
    expect(table.first()?.get('default_time_to_live')).toBe(COMMAND_RETENTION_MS / 1000);
    expect(table.first()?.get('gc_grace_seconds')).toBe(10_800);
  });

  it('answers an index row whose event never landed with its refusal, or not at all', async () => {
    const id = `hunt:ledger-${Date.now()}`;
    const refused = { issuer: 'player:a', commandId: 'c-1', commandType: 'submit', code: 'no', message: 'no' };
    const orphan = { issuer: 'player:a', commandId: 'c-2' };
    await journal.recordRefusals(id, [refused]);
    // As an append that indexed its commands and then died (or lost) before its conditional write.
    for (const key of [refused, orphan]) {
      await admin.execute(
        `INSERT INTO ${keyspace}.command_ids (entity_id, issuer, command_id, seq_nr, stored_at) VALUES (?, ?, ?, ?, ?)`,
        [id, key.issuer, key.commandId, cassandra.types.Long.fromNumber(7), new Date()],
        { prepare: true },
      );
    }

    const found = await journal.findCommands(id, [refused, orphan]);
    expect([...found.keys()]).toEqual([commandKeyString(refused)]);
    expect(found.get(commandKeyString(refused))).toMatchObject({ kind: 'refusal', refusal: refused });
  });

  it('fails an append whose index cannot be written, before any of its events is stored', async () => {
    const id = `hunt:ledger-lost-${Date.now()}`;
    await admin.execute(`DROP TABLE ${keyspace}.command_ids`);

    const command = { issuer: 'player:b', commandId: 'g-1' };
    await expect(journal.append(id, 0, [{ type: 'e', updateSeq: null, payload: {}, command }])).rejects.toBeInstanceOf(JournalUnavailableError);
    expect(await journal.readEvents(id, 0, 10)).toEqual([]);
    await expect(journal.findCommands(id, [command])).rejects.toBeInstanceOf(JournalUnavailableError);

    // The probe notices the lost table and recreates it (failing once, saying so); then the ledger serves again.
    await expect(journal.probe()).rejects.toThrow(/lost command_ids: recreated empty/);
    await journal.probe();
    await journal.append(id, 0, [{ type: 'e', updateSeq: null, payload: { ok: true }, command }]);
    const found = (await journal.findCommands(id, [command])).get(commandKeyString(command));
    expect(found?.kind === 'event' && found.event.payload).toEqual({ ok: true });
  });
});
