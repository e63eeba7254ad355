import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectClient, sleep, waitUntil, type TestClient } from '../../e2e/sdk-client.js';
import { huntFile } from '../../e2e/hunts.js';
import { idsOwnedBy, startCluster, type TestCluster } from './cluster-nodes.js';
import { expectNoLossNoDuplicates, joinPlayers, play, steadyHunt, type SteadyPlayer } from './steady-play.js';

const log = (line: string) => process.stderr.write(`[cluster] ${line}\n`);

/**
 * kill -9 of a node under steady play: its shards move to the survivors, its players reconnect
 * to another node and resume, every acknowledged move survives and none is applied twice.
 */
describe('a node killed under steady play (three nodes, Kafka + Cassandra)', () => {
  let cluster: TestCluster;
  let designer: TestClient;
  let players: SteadyPlayer[] = [];

  beforeAll(async () => {
    cluster = await startCluster(3, {
      env: { CAIRN_GUESSES_PER_SECOND: '1000', CAIRN_GUESS_BURST: '1000', CAIRN_MAX_RESUME_UPDATES: '5', CAIRN_COMMAND_TIMEOUT_MS: '3000' },
    });
    await cluster.settled();
  });

  afterAll(async () => {
    await Promise.allSettled([designer?.close(), ...players.map((p) => p.test.close())]);
    await cluster?.dispose();
  });

  it('moves the dead node\'s shards to the survivors; play resumes with nothing acknowledged lost and nothing applied twice', async () => {
    const [victim, other] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    // Two hunts on the node that dies, one elsewhere; the designer works from yet another node.
    const hunts = [...(await idsOwnedBy(cluster, victim, 'doomed', 2)), ...(await idsOwnedBy(cluster, other, 'steady', 1))];
    designer = await connectClient(cluster.nodes[2]!.wsUrl, 'designer', 'designer');
    for (const hunt of hunts) {
      await designer.client.spawn(hunt, steadyHunt());
      await designer.client.start(hunt);
    }
    players = await joinPlayers(cluster, hunts, 4);
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
    const live = cluster.nodes.filter(cluster.isLive);
    const [host, waiting] = live as [(typeof live)[0], (typeof live)[0]];
    const [hunt] = await idsOwnedBy(cluster, host, 'scheduled', 1);
    const startsAt = Date.now() + 8000;
    const definition = huntFile({ title: 'Starts by itself', startsAt: new Date(startsAt).toISOString(), clues: [{ id: 'c1', answer: 'a1' }] });
    const staff = await connectClient(waiting.wsUrl, 'designer-2', 'designer');
    await staff.client.spawn(hunt!, definition);
    await staff.close();
    const player = await connectClient(waiting.wsUrl, 'early-bird', 'player');
    players.push({ id: 'early-bird', hunt: hunt!, test: player, acked: [], failures: [], offline: [] });
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
