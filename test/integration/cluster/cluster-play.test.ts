import { describePlaySuite, PLAY_SUITE_ENV } from '../../e2e/play-suite.js';
import { startCluster } from './cluster-nodes.js';

/**
 * The whole end-to-end play suite against a cluster of three nodes: the suite's clients connect
 * to the nodes in turn, so players and designers of one hunt sit on different nodes and most of
 * them on a node that does not host the hunt; every command and push crosses Kafka.
 */
describePlaySuite('play over WebSockets, three-node cluster (Kafka + Cassandra)', async () => {
  const cluster = await startCluster(3, { env: PLAY_SUITE_ENV });
  await cluster.settled();
  return { urlFor: (n) => cluster.nodes[n % cluster.nodes.length]!.wsUrl, dispose: () => cluster.dispose() };
});
