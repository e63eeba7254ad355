import { describe, expect, it } from 'vitest';
import { Ownership } from '../../src/cluster/ownership.js';
import { shardOf } from '../../src/cluster/shard-of.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';

function ownership() {
  const released: number[][] = [];
  const metrics = createMetrics();
  const owner = new Ownership(
    8,
    async (lost) => {
      released.push([...lost].sort((a, b) => a - b));
      return lost.size;
    },
    metrics,
    createLogger('silent'),
  );
  return { owner, released, metrics };
}

describe('shard ownership', () => {
  it('owns the entities of its assigned shards, by the shard function', async () => {
    const { owner } = ownership();
    await owner.assigned([1, 5], 'm1');
    const ids = Array.from({ length: 200 }, (_, i) => `hunt-${i}`);
    for (const id of ids) expect(owner.owns(id)).toBe([1, 5].includes(shardOf(id, 8)));
    expect(owner.shards).toEqual([1, 5]);
  });

  it('releases exactly the shards a new assignment takes away', async () => {
    const { owner, released, metrics } = ownership();
    await owner.assigned([0, 1, 2, 3], 'm1');
    await owner.assigned([2, 3, 4], 'm1');
    expect(released).toEqual([[0, 1]]);
    expect((await metrics.ownedShards.get()).values[0]?.value).toBe(3);
  });

  it('after being expelled from the group (a new member id), releases every shard it held, even those it gets back', async () => {
    const { owner, released } = ownership();
    await owner.assigned([0, 1, 2], 'm1');
    await owner.assigned([1, 2, 3], 'm2');
    expect(released).toEqual([[0, 1, 2]]);
    expect(owner.shards).toEqual([1, 2, 3]);
  });

  it('times the handoff from the start of a rebalance to the new assignment', async () => {
    const { owner, metrics } = ownership();
    owner.rebalancing();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await owner.assigned([0], 'm1');
    const rebalance = (await metrics.handoffSeconds.get()).values.find((v) => v.metricName === 'cairn_shard_handoff_duration_seconds_sum' && v.labels.phase === 'rebalance');
    expect(rebalance?.value).toBeGreaterThanOrEqual(0.015);
  });
});
