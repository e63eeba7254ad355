import { inject } from 'vitest';
import { createCassandraJournal } from '../../../src/journal/cassandra/cassandra-journal.js';
import { describeJournalContract } from '../../journal/journal-contract.js';

/** Each run gets a keyspace of its own, so runs never see each other's entities. */
const keyspace = `cairn_test_${process.pid}_${Date.now().toString(36)}`;

describeJournalContract('CassandraJournal (real Cassandra)', async () => {
  const journal = await createCassandraJournal({ contactPoints: inject('cassandraContactPoints'), keyspace });
  return {
    journal,
    probeEntityId: journal.probeEntityId,
    cleanup: async () => {
      await journal.close().catch(() => undefined);
    },
  };
});
