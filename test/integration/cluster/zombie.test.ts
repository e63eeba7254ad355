import { describe, expect, inject, it } from 'vitest';
import { sleep, waitUntil } from '../../e2e/sdk-client.js';
import { log, steadyCluster } from './steady-cluster.js';
import { expectNoLossNoDuplicates, journalEvents, play } from './steady-play.js';

/**
 * A node frozen (SIGSTOP) past its session timeout loses its shards to the others while it still
 * believes it owns them; when it wakes up, whatever it tries to store for those hunts is refused
 * by the journal's single-writer check, so no hunt's history forks.
 */
describe('a frozen node that wakes up believing it still owns its shards (three nodes, Kafka + Cassandra)', () => {
  // Clients notice a frozen node's silent sockets within ~2 s and move to another node.
  const fixture = steadyCluster({ CAIRN_HEARTBEAT_MS: '1000' });

  it('never forks a hunt: every hunt\'s updates stay gapless and unique, and nothing acknowledged is lost', async () => {
    const cluster = fixture.cluster;
    const [frozen, other] = [cluster.nodes[0]!, cluster.nodes[1]!];
    const { hunts, players } = await fixture.game([
      [frozen, 'frozen', 2],
      [other, 'thawed', 1],
    ]);
    const playing = play(players);
    await sleep(2000);

    frozen.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    // The others take its shards over and its hunts are played on there.
    for (let tries = 0; ; tries += 1) {
      const now = await cluster.statuses();
      const owned = [...now.values()].flatMap((s) => s.owned);
      if (now.size === 2 && owned.length === cluster.partitions && !now.has(frozen)) break;
      if (tries > 150) throw new Error(`the other nodes did not take the frozen node's shards: ${JSON.stringify([...now.values()])}`);
      await sleep(200);
    }
    await waitUntil(() => players.filter((p) => hunts.indexOf(p.hunt) < 2).every((p) => p.acked.some((m) => m.at > frozenAt + 1000)), 'play to go on without the frozen node', 30_000, 50);

    frozen.child.kill('SIGCONT');
    // Awake, it rejoins the group and gets shards back; play goes on throughout.
    await cluster.settled(30_000);
    await sleep(2000);
    await playing.stop();

    for (const hunt of hunts) {
      const updates = (await journalEvents(cluster, inject('cassandraContactPoints'), `hunt:${hunt}`)).map((e) => (e.payload as { update: number }).update);
      expect(updates, `${hunt}: one history, updates 1..n`).toEqual(updates.map((_, i) => i + 1));
    }
    await expectNoLossNoDuplicates(cluster, inject('cassandraContactPoints'), players);
    const conflicts = (frozen.output().match(/sequence/g) ?? []).length;
    log(`frozen ${frozen.nodeId}: its late writes refused by the journal ${conflicts} time(s); moves acknowledged ${players.reduce((n, p) => n + p.acked.length, 0)}`);
  });
});
