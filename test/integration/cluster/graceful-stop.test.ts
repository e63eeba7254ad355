import { describe, expect, inject, it } from 'vitest';
import { sleep } from '../../e2e/sdk-client.js';
import { log, steadyCluster } from './steady-cluster.js';
import { expectNoLossNoDuplicates, play } from './steady-play.js';

/**
 * SIGTERM to a node under steady play: it hands its shards over before it closes its sockets
 * with 1012, so its players are away for one reconnect, and nothing acknowledged is lost.
 */
describe('a node stopped gracefully under steady play (three nodes, Kafka + Cassandra)', () => {
  const fixture = steadyCluster();

  it('hands its shards over, its players resume on other nodes within a reconnect, and nothing is lost or applied twice', async () => {
    const cluster = fixture.cluster;
    const [leaving, other] = [cluster.nodes[0]!, cluster.nodes[1]!];
    const { players } = await fixture.game([
      [leaving, 'moving', 2],
      [other, 'staying', 1],
    ]);
    const playing = play(players);
    await sleep(3000);

    const stoppedAt = Date.now();
    const exitCode = await leaving.stop('SIGTERM');
    const stopMs = Date.now() - stoppedAt;
    await sleep(2000);
    await playing.stop();

    expect(exitCode).toBe(0);
    expect(leaving.output()).toContain('released shards');
    const owners = await cluster.settled();
    expect([...owners.keys()].map((n) => n.nodeId).sort()).toEqual(['node-2', 'node-3']);

    const dropped = players.filter((p) => p.offline.length > 0);
    expect(dropped.length, 'players of the stopped node were disconnected').toBeGreaterThan(0);
    const away = dropped.flatMap((p) => p.offline.map((o) => (o.to ?? Infinity) - o.from));
    for (const p of dropped) {
      expect(p.test.disconnects.every((d) => d.code === 1012), `${p.id} was told to reconnect (1012)`).toBe(true);
      for (const o of p.offline) expect(o.to, `${p.id} resumed after the 1012`).toBeDefined();
    }
    // One reconnect: the SDK reconnects at once after 1012, to the next node.
    expect(Math.max(...away)).toBeLessThan(3000);
    // A move may stall for the handoff, but none fails for good: every player played on.
    const stall = Math.max(...players.map((p) => Math.max(0, ...p.acked.slice(1).map((m, i) => (m.at > stoppedAt ? m.at - p.acked[i]!.at : 0)))));
    log(`SIGTERM ${leaving.nodeId}: stop took ${stopMs} ms; players away ${Math.min(...away)}-${Math.max(...away)} ms; longest gap between a player's moves ${stall} ms`);

    const stored = await expectNoLossNoDuplicates(cluster, inject('cassandraContactPoints'), players);
    log(`moves acknowledged ${players.reduce((n, p) => n + p.acked.length, 0)}, stored ${[...stored.values()].reduce((a, b) => a + b, 0)}; failed attempts (retried) ${players.reduce((n, p) => n + p.failures.length, 0)}`);
  });
});
