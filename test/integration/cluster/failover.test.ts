import { describe, expect, inject, it } from 'vitest';
import { huntFile } from '../../e2e/hunts.js';
import { connectClient, sleep, waitUntil } from '../../e2e/sdk-client.js';
import { idsOwnedBy } from './cluster-nodes.js';
import { log, steadyCluster } from './steady-cluster.js';
import { expectNoLossNoDuplicates, play } from './steady-play.js';

/**
 * kill -9 of a node under steady play: its shards move to the survivors, its players reconnect
 * to another node and resume, every acknowledged move survives and none is applied twice.
 */
describe('a node killed under steady play (three nodes, Kafka + Cassandra)', () => {
  const fixture = steadyCluster();

  it('moves the dead node\'s shards to the survivors; play resumes with nothing acknowledged lost and nothing applied twice', async () => {
    const cluster = fixture.cluster;
    const [victim, other] = [cluster.nodes[0]!, cluster.nodes[1]!];
    // Two hunts on the node that dies, one elsewhere; the designer works from yet another node.
    const { hunts, players } = await fixture.game([
      [victim, 'doomed', 2],
      [other, 'steady', 1],
    ]);
    const playing = play(players);
    await sleep(3000);

    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    const ackedBefore = new Map(players.map((p) => [p.id, p.acked.length]));
    // Serving again: every hunt of the dead node has acknowledged a move after the kill.
    const doomed = players.filter((p) => hunts.indexOf(p.hunt) < 2);
    await waitUntil(() => doomed.every((p) => p.acked.some((m) => m.at > killedAt)), 'the dead node\'s hunts to serve again', 60_000, 50);
    const servingAfterMs = Math.min(...hunts.slice(0, 2).map((hunt) => Math.max(0, ...doomed.filter((p) => p.hunt === hunt).map((p) => p.acked.find((m) => m.at > killedAt)!.at - killedAt))));
    const allServingAfterMs = Math.max(...doomed.map((p) => p.acked.find((m) => m.at > killedAt)!.at - killedAt));
    log(`kill -9 ${victim.nodeId}: its hunts served again after ${servingAfterMs} ms (first hunt), ${allServingAfterMs} ms (every player of both)`);
    // A little more play on the survivors, then stop.
    await sleep(2000);
    await playing.stop();

    const owners = await cluster.settled();
    expect([...owners.keys()].map((n) => n.nodeId).sort()).toEqual(['node-2', 'node-3']);
    for (const p of players) expect(p.acked.length, `${p.id} played on after the kill`).toBeGreaterThan(ackedBefore.get(p.id)!);
    // Players who were on the dead node reconnected elsewhere and resumed.
    const moved = players.filter((p) => p.test.disconnects.length > 0);
    expect(moved.length).toBeGreaterThan(0);
    for (const p of moved) expect(p.test.resumed.some((r) => r.hunt === p.hunt), `${p.id} resumed`).toBe(true);

    const stored = await expectNoLossNoDuplicates(cluster, inject('cassandraContactPoints'), players);
    log(`moves acknowledged ${players.reduce((n, p) => n + p.acked.length, 0)}, stored ${[...stored.values()].reduce((a, b) => a + b, 0)}; failed attempts (retried) ${players.reduce((n, p) => n + p.failures.length, 0)}`);
  });

  it('a hunt whose node dies before its scheduled start still starts on time for the players waiting on another node', async () => {
    const cluster = fixture.cluster;
    const live = cluster.nodes.filter(cluster.isLive);
    const [host, waiting] = live as [(typeof live)[0], (typeof live)[0]];
    const [hunt] = await idsOwnedBy(cluster, host, 'scheduled', 1);
    const startsAt = Date.now() + 8000;
    const definition = huntFile({ title: 'Starts by itself', startsAt: new Date(startsAt).toISOString(), clues: [{ id: 'c1', answer: 'a1' }] });
    const staff = await connectClient(waiting.wsUrl, 'designer-2', 'designer');
    await staff.client.spawn(hunt!, definition);
    await staff.close();
    const player = await connectClient(waiting.wsUrl, 'early-bird', 'player');
    fixture.closeLater(() => player.close());
    await player.client.join(hunt!);

    host.child.kill('SIGKILL');
    const started = await waitUntil(
      () => player.updatesOf(hunt!).find((u) => u.changes.some((c) => c.kind === 'hunt-status' && c.status === 'running')),
      'the hunt to start on its new owner',
      30_000,
      50,
    );
    log(`scheduled start after its node died: pushed ${Date.now() - startsAt} ms after the start time`);
    expect(started).toBeDefined();
  });
});
