import { describe, expect, it } from 'vitest';
import { createClusterShardControl } from '../../src/cluster/plan/cluster-shard-control.js';
import { ClusterState, nodeKey, PLAN_KEY, type NodeReport } from '../../src/cluster/plan/cluster-state.js';
import { applyPlanChange, EMPTY_PLAN, type ShardPlan } from '../../src/cluster/plan/shard-plan.js';
import { createEmbeddedShardControl } from '../../src/server/embedded-shard-control.js';
import { watchDrain } from '../../src/server/drain-watch.js';

const NOW = 1_000_000;
const report = (nodeId: string, owned: number[], extra: Partial<NodeReport> = {}): NodeReport => ({ nodeId, at: NOW - 500, owned, connections: 2, shards: {}, ...extra });
const feed = (state: ClusterState, key: string, value: object) => state.receive(key, Buffer.from(JSON.stringify(value)));

/** A control whose plan writes land on its own state at once; `afterWrite` may add another writer's record. */
function setUp(afterWrite: (state: ClusterState, plan: ShardPlan) => void = () => undefined) {
  const state = new ClusterState();
  const written: ShardPlan[] = [];
  const rebalanced: number[] = [];
  const control = createClusterShardControl({
    partitions: 4,
    state,
    publishPlan: async (plan) => {
      written.push(plan);
      feed(state, PLAN_KEY, plan);
      afterWrite(state, plan);
    },
    rebalance: async (version) => {
      rebalanced.push(version);
    },
    now: () => NOW,
  });
  return { state, control, written, rebalanced };
}

describe('the shard map and plan changes of a cluster node', () => {
  it('puts together the map from the nodes\' latest reports, leaving out nodes that stopped reporting', () => {
    const { state, control } = setUp();
    feed(state, nodeKey('a'), report('a', [0, 1], { shards: { '0': { entities: 3, watchers: 5, lag: 2, commandsPerSecond: 7.5 } } }));
    feed(state, nodeKey('b'), report('b', [2, 3], { shards: { '0': { entities: 0, watchers: 4, lag: 0, commandsPerSecond: 0 } } }));
    feed(state, nodeKey('gone'), report('gone', [3], { at: NOW - 60_000 }));
    const map = control.map();
    expect(map.shards.map((s) => s.owner)).toEqual(['a', 'a', 'b', 'b']);
    expect(map.shards[0]).toEqual({ shard: 0, owner: 'a', entities: 3, players: 9, lag: 2, commandsPerSecond: 7.5 });
    expect(map.nodes.map((n) => [n.nodeId, n.live, n.shards])).toEqual([
      ['a', true, 2],
      ['b', true, 2],
      ['gone', false, 0],
    ]);
  });

  it('records a change as the next plan version, waits to read it back, then rebalances', async () => {
    const { state, control, written, rebalanced } = setUp();
    feed(state, nodeKey('a'), report('a', [0, 1, 2, 3]));
    feed(state, nodeKey('b'), report('b', []));
    expect(await control.change({ type: 'pin', shard: 2, node: 'b' })).toBe(1);
    expect(await control.change({ type: 'drain', node: 'a' })).toBe(2);
    expect(written.map((p) => p.version)).toEqual([1, 2]);
    expect(rebalanced).toEqual([1, 2]);
    expect(control.map()).toMatchObject({ planVersion: 2, pins: { '2': 'b' }, drained: ['a'] });
    expect(control.map().shards[2]).toMatchObject({ pinnedTo: 'b' });
  });

  it('refuses a shard out of range and a node that is not live, changing nothing', async () => {
    const { state, control, written } = setUp();
    feed(state, nodeKey('a'), report('a', [0, 1, 2, 3]));
    feed(state, nodeKey('gone'), report('gone', [], { at: NOW - 60_000 }));
    await expect(control.change({ type: 'pin', shard: 4, node: 'a' })).rejects.toMatchObject({ code: 'bad-request', retriable: false });
    await expect(control.change({ type: 'drain', node: 'gone' })).rejects.toMatchObject({ code: 'unknown-node' });
    expect(written).toEqual([]);
  });

  it('refuses to pin to a drained node and to drain the last node serving', async () => {
    const { state, control } = setUp();
    feed(state, nodeKey('a'), report('a', [0, 1]));
    feed(state, nodeKey('b'), report('b', [2, 3]));
    await control.change({ type: 'drain', node: 'b' });
    await expect(control.change({ type: 'pin', shard: 0, node: 'b' })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/b is drained/) });
    await expect(control.change({ type: 'drain', node: 'a' })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/last node serving/) });
  });

  it('makes its change again when another write of the same version got in first', async () => {
    let raced = false;
    // Another operator's plan of the same version lands right after this one: it wins.
    const { state, control, written } = setUp((target, plan) => {
      if (raced) return;
      raced = true;
      feed(target, PLAN_KEY, { version: plan.version, pins: {}, drained: ['x'] });
    });
    feed(state, nodeKey('a'), report('a', [0, 1, 2, 3]));
    expect(await control.change({ type: 'pin', shard: 1, node: 'a' })).toBe(2);
    expect(written.map((p) => p.version)).toEqual([1, 2]);
    expect(state.plan).toEqual({ version: 2, pins: { '1': 'a' }, drained: ['x'] });
  });

  it('keeps the newest plan when an older version arrives late, and skips malformed records', () => {
    const malformed: string[] = [];
    const state = new ClusterState((key) => malformed.push(key));
    const v2 = applyPlanChange(applyPlanChange(EMPTY_PLAN, { type: 'drain', node: 'a' }), { type: 'drain', node: 'b' });
    feed(state, PLAN_KEY, v2);
    feed(state, PLAN_KEY, applyPlanChange(EMPTY_PLAN, { type: 'drain', node: 'c' }));
    state.receive(PLAN_KEY, Buffer.from('{not json'));
    expect(state.plan).toEqual(v2);
    expect(malformed).toEqual([PLAN_KEY]);
  });
});

describe('a single process', () => {
  it('shows one shard on one node and refuses plan changes as not-clustered', async () => {
    const control = createEmbeddedShardControl({ connections: () => 3, entities: () => 7 });
    expect(control.map()).toMatchObject({ mode: 'embedded', partitions: 1, shards: [{ shard: 0, owner: 'embedded', entities: 7, players: 3 }] });
    await expect(control.change({ type: 'drain', node: 'embedded' })).rejects.toMatchObject({ code: 'not-clustered', retriable: false });
  });
});

describe('a drained node', () => {
  it('stops serving at once, sends its players away once it owns nothing, and serves again when undrained', async () => {
    let plan: ShardPlan = EMPTY_PLAN;
    let owned = 3;
    const calls: string[] = [];
    const stop = watchDrain({
      nodeId: 'a',
      plan: () => plan,
      ownedShards: () => owned,
      stopServing: () => calls.push('stop serving'),
      sendPlayersAway: async () => {
        calls.push('send players away');
      },
      serveAgain: () => calls.push('serve again'),
    });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 400));
    plan = applyPlanChange(plan, { type: 'drain', node: 'a' });
    await settle();
    expect(calls).toEqual(['stop serving']);
    owned = 0;
    await settle();
    expect(calls).toEqual(['stop serving', 'send players away']);
    plan = applyPlanChange(plan, { type: 'undrain', node: 'a' });
    await settle();
    expect(calls).toEqual(['stop serving', 'send players away', 'serve again']);
    stop();
  });
});
