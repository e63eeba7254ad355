import { describe, expect, inject, it } from 'vitest';
import type { ShardMap } from '../../../protocol/shard-map.js';
import { CairnRequestError } from '../../../src/client/index.js';
import { shardOf } from '../../../src/cluster/shard-of.js';
import { cairnctl } from '../../e2e/cairnctl-process.js';
import { connectClient, sleep, type TestClient } from '../../e2e/sdk-client.js';
import { TEST_SECRET } from '../../e2e/server-process.js';
import { log, steadyCluster } from './steady-cluster.js';
import { expectNoLossNoDuplicates, journalEvents, play, type SteadyPlayer } from './steady-play.js';

const percentile = (values: readonly number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** Polls the map until `applied` says the change is in effect; returns how long that took. */
async function until(operator: TestClient, applied: (map: ShardMap) => boolean, what: string, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (applied(await operator.client.shardMap())) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify((await operator.client.shardMap()).shards.map((s) => s.owner))}`);
    await sleep(100);
  }
}

/** A guess sent with its command id and time of issue, so that a repeat is the very same command. */
interface RepeatableSubmit {
  readonly type: 'submit';
  readonly hunt: string;
  readonly clue: string;
  readonly guess: { readonly kind: 'answer'; readonly text: string };
  readonly commandId: string;
  readonly issuedAt: number;
}

/** What the hunt answered: its update and whether it was a repeat, or the code it was refused with. */
type Outcome = { readonly duplicate: boolean; readonly update: number } | { readonly code: string };

async function outcomeOf(player: TestClient, message: RepeatableSubmit): Promise<Outcome> {
  try {
    const { duplicate, update } = await player.client.request(message);
    return { duplicate, update };
  } catch (error) {
    if (error instanceof CairnRequestError) return { code: error.code };
    throw error;
  }
}

/** The longest wait between two acknowledged moves of `players` that spans `at`. */
function stallAround(players: readonly SteadyPlayer[], at: number): number {
  let worst = 0;
  for (const player of players) {
    const after = player.acked.findIndex((m) => m.at >= at);
    if (after <= 0) continue;
    worst = Math.max(worst, player.acked[after]!.at - player.acked[after - 1]!.at);
  }
  return worst;
}

describe('operators steer the shards (three nodes, then four; Kafka + Cassandra)', () => {
  const fixture = steadyCluster();

  it('shows the shard map and refuses every operator message to players and designers', async () => {
    const cluster = fixture.cluster;
    const operator = await connectClient(cluster.nodes[2]!.wsUrl, 'ops', 'operator');
    fixture.closeLater(() => operator.close());
    await until(
      operator,
      (map) => map.nodes.filter((n) => n.live && n.shards > 0).length === 3 && map.shards.every((s) => s.owner !== null),
      'every node to report its shards',
    );
    const map = await operator.client.shardMap();
    expect(map).toMatchObject({ mode: 'cluster', partitions: cluster.partitions, planVersion: 0, pins: {}, drained: [] });
    expect(map.nodes.map((n) => n.nodeId)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(map.nodes.reduce((sum, n) => sum + n.shards, 0)).toBe(cluster.partitions);

    for (const role of ['player', 'designer'] as const) {
      const someone = await connectClient(cluster.nodes[0]!.wsUrl, `not-ops-${role}`, role);
      fixture.closeLater(() => someone.close());
      const attempts = [someone.client.shardMap(), someone.client.pinShard(0, 'node-1'), someone.client.unpinShard(0), someone.client.drainNode('node-1'), someone.client.undrainNode('node-1')];
      for (const attempt of attempts) await expect(attempt).rejects.toMatchObject({ code: 'forbidden', retriable: false });
    }
    await expect(operator.client.pinShard(0, 'no-such-node')).rejects.toMatchObject({ code: 'unknown-node' });
    await expect(operator.client.pinShard(cluster.partitions, 'node-1')).rejects.toBeInstanceOf(CairnRequestError);
  });

  it('moves a shard under steady play, again and again: its players stall only for the handoff, nothing is lost, applied twice or reordered', async () => {
    const cluster = fixture.cluster;
    const operator = await connectClient(cluster.nodes[2]!.wsUrl, 'ops-move', 'operator');
    fixture.closeLater(() => operator.close());
    const { hunts, players } = await fixture.game([[cluster.nodes[0]!, 'moved', 1]]);
    const shard = shardOf(hunts[0]!, cluster.partitions);
    const playing = play(players);
    await sleep(1500);
    const stalls: number[] = [];
    const handoffs: number[] = [];
    const targets = ['node-2', 'node-3', 'node-1', 'node-2', 'node-3', 'node-1'];
    for (const node of targets) {
      const at = Date.now();
      await operator.client.pinShard(shard, node);
      await until(operator, (map) => map.shards[shard]!.owner === node, `shard ${shard} to move to ${node}`);
      handoffs.push(Date.now() - at);
      await sleep(1500);
      stalls.push(stallAround(players, at));
    }
    await operator.client.unpinShard(shard);
    await playing.stop();
    const gaps = players.flatMap((p) => p.acked.slice(1).map((m, i) => m.at - p.acked[i]!.at));
    log(
      `moves of shard ${shard}: players' longest wait across a move p50 ${percentile(stalls, 50)} ms, p99 ${percentile(stalls, 99)} ms (${stalls.join(', ')}); ` +
        `their usual wait between moves p50 ${percentile(gaps, 50)} ms, p99 ${percentile(gaps, 99)} ms; from the pin request to the map showing the new owner ${handoffs.join(', ')} ms`,
    );
    for (const player of players) expect(player.acked.length, `${player.id} kept playing`).toBeGreaterThan(targets.length * 3);
    await expectNoLossNoDuplicates(cluster, inject('cassandraContactPoints'), players);
  });

  it('answers commands repeated after their hunt\'s shard moved with their first outcomes: events as duplicates of the same update, refusals with the same code', async () => {
    const cluster = fixture.cluster;
    const operator = await connectClient(cluster.nodes[2]!.wsUrl, 'ops-repeat', 'operator');
    fixture.closeLater(() => operator.close());
    const { hunts } = await fixture.game([[cluster.nodes[0]!, 'repeated', 1]], 0);
    const hunt = hunts[0]!;
    const shard = shardOf(hunt, cluster.partitions);
    // The move before this test may still be settling: take the owner once there is one.
    let from = '';
    await until(operator, (map) => (from = map.shards[shard]!.owner ?? '') !== '', `shard ${shard} to have an owner`);
    const to = cluster.nodes.find((node) => cluster.isLive(node) && node.nodeId !== from)!.nodeId;
    const sent: { readonly message: RepeatableSubmit; readonly first: Outcome }[] = [];
    const player = await connectClient(cluster.nodes[1]!.wsUrl, 'repeat-p', 'player');
    fixture.closeLater(() => player.close());
    const submit = async (commandId: string, clue: string, text: string) => {
      const message = { type: 'submit', hunt, clue, guess: { kind: 'answer', text }, commandId, issuedAt: Date.now() } as const;
      sent.push({ message, first: await outcomeOf(player, message) });
    };

    // Refused before the join: decided again after it, this would be judged as a guess and stored.
    await submit('repeat-early', 'c2', 'too early');
    await player.client.join(hunt);
    await submit('repeat-solve', 'c0', 'a0');
    // More than any few recent commands of one issuer that a hunt's state might remember.
    for (let k = 0; k < 12; k += 1) await submit(`repeat-wrong-${k}`, 'c1', `not a1 ${k}`);
    await submit('repeat-unknown', 'no-such-clue', 'anything');
    expect(sent.map((s) => s.first)).toEqual([
      { code: 'not-joined' },
      { duplicate: false, update: expect.any(Number) },
      ...Array.from({ length: 12 }, () => ({ duplicate: false, update: expect.any(Number) })),
      { code: 'unknown-clue' },
    ]);

    await operator.client.pinShard(shard, to);
    const movedInMs = await until(operator, (map) => map.shards[shard]!.owner === to, `shard ${shard} to move from ${from} to ${to}`);
    // Through the node that owned the hunt before: it must route the repeats, not answer them itself.
    const via = cluster.nodes.find((node) => node.nodeId === from)!;
    const again = await connectClient(via.wsUrl, 'repeat-p', 'player');
    fixture.closeLater(() => again.close());
    await again.client.resume(hunt, player.client.lastUpdate(hunt) ?? 0);
    const repeats: Outcome[] = [];
    for (const { message } of sent) repeats.push(await outcomeOf(again, message));
    expect(repeats.map((outcome, i) => ({ commandId: sent[i]!.message.commandId, ...outcome }))).toEqual(
      sent.map(({ message, first }) => ({ commandId: message.commandId, ...('code' in first ? first : { duplicate: true, update: first.update }) })),
    );

    // In the journal: each command that made an event once, each refused one never, and no command twice.
    const ids = (await journalEvents(cluster, inject('cassandraContactPoints'), `hunt:${hunt}`)).flatMap((e) => {
      const { commandId } = e.payload as { commandId?: unknown };
      return typeof commandId === 'string' ? [commandId] : [];
    });
    expect(sent.map(({ message }) => [message.commandId, ids.filter((id) => id === message.commandId).length])).toEqual(
      sent.map(({ message, first }) => [message.commandId, 'code' in first ? 0 : 1]),
    );
    expect(new Set(ids).size, 'command ids stored twice').toBe(ids.length);
    log(`repeats across a move of shard ${shard} (${from} -> ${to}, ${movedInMs} ms): ${sent.length} commands sent again through ${from}, ${repeats.filter((r) => 'duplicate' in r && r.duplicate).length} answered as duplicates, ${repeats.filter((r) => 'code' in r).length} refused as at first`);
    await operator.client.unpinShard(shard);
  });

  it('drains a node: it ends up owning nothing, its players resume on other nodes, and it serves again once undrained', async () => {
    const cluster = fixture.cluster;
    const [drained, other] = [cluster.nodes[0]!, cluster.nodes[1]!];
    const operator = await connectClient(cluster.nodes[2]!.wsUrl, 'ops-drain', 'operator');
    fixture.closeLater(() => operator.close());
    const { players } = await fixture.game([
      [drained, 'drained', 1],
      [other, 'kept', 1],
    ]);
    const playing = play(players);
    await sleep(1500);
    const owned = (await operator.client.shardMap()).nodes.find((n) => n.nodeId === 'node-1')!.shards;
    const at = Date.now();
    await operator.client.drainNode('node-1');
    await until(operator, (map) => map.shards.every((s) => s.owner !== 'node-1' && s.owner !== null), 'node-1 to own nothing');
    const drainMs = Date.now() - at;
    await sleep(2500);
    const status = await fetch(`${drained.httpUrl}/readyz`);
    expect(status.status).toBe(503);
    const moved = players.filter((p) => p.test.disconnects.some((d) => d.code === 1012));
    expect(moved.length, 'players on the drained node were told to go').toBeGreaterThan(0);
    for (const p of moved) expect(p.offline.every((o) => o.to !== undefined), `${p.id} resumed elsewhere`).toBe(true);
    log(`drain of node-1 (${owned} shards): every shard elsewhere ${drainMs} ms after the request; longest wait of a player across it ${stallAround(players, at)} ms`);

    await operator.client.undrainNode('node-1');
    await until(operator, (map) => (map.nodes.find((n) => n.nodeId === 'node-1')?.shards ?? 0) > 0, 'node-1 to get shards back');
    expect((await fetch(`${drained.httpUrl}/readyz`)).status).toBe(200);
    await playing.stop();
    await expectNoLossNoDuplicates(cluster, inject('cassandraContactPoints'), players);
  });

  it('cairnctl shards: shows the map, moves a shard and waits with a progress line, and exits 4 when a change is not applied in time', async () => {
    const cluster = fixture.cluster;
    // Through node-3: node-2 is drained below, and a drained node takes no new connections.
    const on = ['--url', cluster.nodes[2]!.wsUrl, '--secret', TEST_SECRET];
    const map = await cairnctl(['shards', ...on]);
    expect(map.code, map.stderr).toBe(0);
    expect(map.stdout).toMatch(/cluster of 3 live node\(s\), 12 shard\(s\), plan version \d+/);
    expect(map.stdout).toMatch(/^\s+0 {2}node-\d/m);
    const json = JSON.parse((await cairnctl(['shards', 'map', '--json', ...on])).stdout) as ShardMap;
    const which = await cairnctl(['shards', 'which', 'old-town', ...on]);
    const ofOldTown = shardOf('old-town', cluster.partitions);
    expect(which.stdout.trim()).toBe(`old-town: shard ${ofOldTown}, on ${json.shards[ofOldTown]!.owner}`);
    const shard = json.shards.find((s) => s.owner === 'node-1')!.shard;

    const moved = await cairnctl(['shards', 'move', String(shard), 'node-2', '--timeout', '30', ...on], 60_000);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toContain(`shard ${shard} pinned to node-2`);
    expect(moved.stderr).toMatch(new RegExp(`moving shard ${shard} to node-2: done in [\\d.]+ s`));
    expect((await fixture.cluster.statuses()).get(cluster.nodes[1]!)?.owned).toContain(shard);
    expect((await cairnctl(['shards', 'unpin', String(shard), ...on])).code).toBe(0);

    const unknown = await cairnctl(['shards', 'drain', 'node-9', ...on]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown-node');
    const drained = await cairnctl(['shards', 'drain', 'node-2', '--timeout', '30', ...on], 60_000);
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stderr).toMatch(/draining node-2: done in [\d.]+ s/);
    expect((await cairnctl(['shards', 'pin', '0', 'node-2', ...on])).stderr).toContain('node-2 is drained: undrain it before pinning shards to it');
    const back = await cairnctl(['shards', 'undrain', 'node-2', '--timeout', '30', ...on], 60_000);
    expect(back.code, back.stderr).toBe(0);
    // No move is applied the moment it is asked for: with no time to wait, the wait gives up,
    // says so and exits 4 (the move goes on; a second call waits for it).
    const hurried = await cairnctl(['shards', 'move', String(shard), 'node-1', '--timeout', '0', ...on], 60_000);
    expect(hurried.code, hurried.stderr).toBe(4);
    expect(hurried.stderr).toMatch(new RegExp(`moving shard ${shard} to node-1: not applied after 0 s \\(shard ${shard} on node-[23]\\)`));
    expect((await cairnctl(['shards', 'move', String(shard), 'node-1', '--timeout', '30', ...on], 60_000)).code).toBe(0);
    expect((await cairnctl(['shards', 'unpin', String(shard), ...on])).code).toBe(0);
  });

  it('gives a fourth node its fair share, moving close to the fewest shards possible', async () => {
    const cluster = fixture.cluster;
    const operator = await connectClient(cluster.nodes[2]!.wsUrl, 'ops-join', 'operator');
    fixture.closeLater(() => operator.close());
    const before = new Map((await operator.client.shardMap()).shards.map((s) => [s.shard, s.owner]));
    await cluster.addNode();
    await until(operator, (map) => (map.nodes.find((n) => n.nodeId === 'node-4')?.shards ?? 0) > 0 && map.shards.every((s) => s.owner !== null), 'node-4 to get shards');
    await sleep(1500);
    const after = await operator.client.shardMap();
    const loads = after.nodes.filter((n) => n.live).map((n) => n.shards);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    const moved = after.shards.filter((s) => before.get(s.shard) !== s.owner).length;
    const minimum = Math.floor(cluster.partitions / 4);
    log(`a fourth node joined: ${moved} shards moved (the least possible: ${minimum}); loads ${loads.join('/')}`);
    expect(moved).toBeLessThanOrEqual(minimum + 1);
  });
});
