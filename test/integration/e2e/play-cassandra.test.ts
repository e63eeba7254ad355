import { inject } from 'vitest';
import { describePlaySuite, singleServer } from '../../e2e/play-suite.js';

/** The whole end-to-end play suite again, with the server keeping its events in Cassandra. */
describePlaySuite(
  'play over WebSockets, Cassandra journal',
  singleServer(() => ({
    CAIRN_CASSANDRA_CONTACT_POINTS: inject('cassandraContactPoints').join(','),
    CAIRN_CASSANDRA_KEYSPACE: `cairn_play_${Date.now().toString(36)}`,
  })),
);
