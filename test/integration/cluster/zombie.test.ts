import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient, sleep, waitUntil, type TestClient } from '../../e2e/sdk-client.js';
import { idsOwnedBy, startCluster, type TestCluster } from './cluster-nodes.js';
import { expectNoLossNoDuplicates, journalEvents, joinPlayers, play, steadyHunt, type SteadyPlayer } from './steady-play.js';

const log = (line: string) => process.stderr.write(`[cluster] ${line}\n`);

/**
 * A node frozen (SIGSTOP) past its session timeout loses its shards to the others while it still
 * believes it owns them; when it wakes up, whatever it tries to store for those hunts is refused
 * by the journal's single-writer check, so no hunt's history forks.
 */
describe('a frozen node that wakes up believing it still owns its shards (three nodes, Kafka + Cassandra)', () => {
  let cluster: TestCluster;
  let designer: TestClient;
  let players: SteadyPlayer[] = [];

  beforeAll(async () => {
    cluster = await startCluster(3, {
      env: {
        CAIRN_GUESSES_PER_SECOND: '1000',
        CAIRN_GUESS_BURST: '1000',
        CAIRN_MAX_RESUME_UPDATES: '5',
        CAIRN_COMMAND_TIMEOUT_MS: '3000',
        // Clients notice a frozen node's silent sockets within ~2 s and move to another node.
        CAIRN_HEARTBEAT_MS: '1000',
      },
    });
    await cluster.settled();
  });

  afterAll(async () => {
    await Promise.allSettled([designer?.close(), ...players.map((p) => p.test.close())]);
    await cluster?.dispose();
  });

  it('never forks a hunt: every hunt\'s updates stay gapless and unique, and nothing acknowledged is lost', async () => {
    const [frozen, other] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const hunts = [...(await idsOwnedBy(cluster, frozen, 'frozen', 2)), ...(await idsOwnedBy(cluster, other, 'thawed', 1))];
    designer = await connectClient(cluster.nodes[2]!.wsUrl, 'designer', 'designer');
    for (const hunt of hunts) {
      await designer.client.spawn(hunt, steadyHunt());
      await designer.client.start(hunt);
    }
    players = await joinPlayers(cluster, hunts, 4);
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
