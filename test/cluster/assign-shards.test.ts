import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignShards, type GroupMember } from '../../src/cluster/plan/assign-shards.js';
import { applyPlanChange, EMPTY_PLAN, parsePlan, type ShardPlan } from '../../src/cluster/plan/shard-plan.js';

const members = (nodes: readonly string[], owned: Record<string, number[]> = {}): GroupMember[] =>
  nodes.map((nodeId) => ({ memberId: `m-${nodeId}`, nodeId, owned: owned[nodeId] ?? [] }));
const byNode = (assignment: Map<string, number[]>) => Object.fromEntries([...assignment].map(([memberId, shards]) => [memberId.slice(2), shards]));
const ownedFrom = (assignment: Map<string, number[]>) => byNode(assignment);
const moved = (before: Record<string, number[]>, after: Record<string, number[]>) =>
  Object.entries(after).reduce((n, [node, shards]) => n + shards.filter((s) => !(before[node] ?? []).includes(s)).length, 0);

const scenario = fc.record({
  partitions: fc.integer({ min: 1, max: 64 }),
  nodes: fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 1, maxLength: 6 }),
  pins: fc.dictionary(fc.integer({ min: 0, max: 63 }).map(String), fc.constantFrom<string>('a', 'b', 'c', 'z')),
  drained: fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c', 'd', 'z'), { maxLength: 3 }),
});

describe('assignShards', () => {
  it('gives every shard exactly one owner, pins to live undrained nodes, nothing to drained nodes while others are left', () => {
    fc.assert(
      fc.property(scenario, ({ partitions, nodes, pins, drained }) => {
        const plan: ShardPlan = { version: 1, pins, drained };
        const result = byNode(assignShards(partitions, members(nodes), plan));
        const all = Object.values(result).flat().sort((x, y) => x - y);
        expect(all).toEqual([...Array(partitions).keys()]);
        const eligible = nodes.filter((n) => !drained.includes(n));
        if (eligible.length > 0) for (const node of drained) expect(result[node] ?? []).toEqual([]);
        for (const [shard, node] of Object.entries(pins)) {
          if (Number(shard) < partitions && eligible.includes(node)) expect(result[node]).toContain(Number(shard));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('spreads unpinned shards evenly: no two eligible nodes differ by more than one', () => {
    fc.assert(
      fc.property(scenario, ({ partitions, nodes, drained }) => {
        const result = byNode(assignShards(partitions, members(nodes), { version: 1, pins: {}, drained }));
        const eligible = nodes.filter((n) => !drained.includes(n));
        const loads = (eligible.length > 0 ? eligible : nodes).map((n) => result[n]!.length);
        expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 500 },
    );
  });

  it('is stable: the same members, owning what they were given, get the same shards again (no ping-pong)', () => {
    fc.assert(
      fc.property(scenario, ({ partitions, nodes, pins, drained }) => {
        const plan: ShardPlan = { version: 1, pins, drained };
        const first = byNode(assignShards(partitions, members(nodes), plan));
        const second = byNode(assignShards(partitions, members(nodes, first), plan));
        expect(second).toEqual(first);
      }),
      { numRuns: 500 },
    );
  });

  it('moves only the new node\'s fair share when a node joins, and only the leaver\'s shards when one leaves', () => {
    for (const partitions of [12, 64]) {
      const three = ownedFrom(assignShards(partitions, members(['a', 'b', 'c']), EMPTY_PLAN));
      const four = byNode(assignShards(partitions, members(['a', 'b', 'c', 'd'], three), EMPTY_PLAN));
      expect(four['d']!.length).toBe(Math.floor(partitions / 4));
      expect(moved(three, four)).toBe(four['d']!.length);
      const two = byNode(assignShards(partitions, members(['a', 'b'], four), EMPTY_PLAN));
      expect(moved(four, two)).toBe(four['c']!.length + four['d']!.length);
    }
  });

  it('moves a pinned shard to its node and gives a drained node\'s shards to the others', () => {
    const start = ownedFrom(assignShards(12, members(['a', 'b', 'c']), EMPTY_PLAN));
    const shard = start['a']![0]!;
    const pinned = byNode(assignShards(12, members(['a', 'b', 'c'], start), applyPlanChange(EMPTY_PLAN, { type: 'pin', shard, node: 'b' })));
    expect(pinned['b']).toContain(shard);
    expect(moved(start, pinned)).toBeLessThanOrEqual(2);
    const drained = byNode(assignShards(12, members(['a', 'b', 'c'], start), applyPlanChange(EMPTY_PLAN, { type: 'drain', node: 'c' })));
    expect(drained['c']).toEqual([]);
    expect(moved(start, drained)).toBe(start['c']!.length);
  });

  it('gives a poke member nothing', () => {
    const result = assignShards(6, [...members(['a']), { memberId: 'p', nodeId: 'a', owned: [], poke: true }], EMPTY_PLAN);
    expect(result.get('p')).toEqual([]);
    expect(result.get('m-a')).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('shard plan', () => {
  it('versions every change and reads back what it wrote', () => {
    let plan = EMPTY_PLAN;
    plan = applyPlanChange(plan, { type: 'pin', shard: 3, node: 'b' });
    plan = applyPlanChange(plan, { type: 'drain', node: 'c' });
    plan = applyPlanChange(plan, { type: 'drain', node: 'c' });
    plan = applyPlanChange(plan, { type: 'unpin', shard: 3 });
    expect(plan).toEqual({ version: 4, pins: {}, drained: ['c'] });
    expect(parsePlan(JSON.parse(JSON.stringify(applyPlanChange(plan, { type: 'undrain', node: 'c' }))))).toEqual({ version: 5, pins: {}, drained: [] });
    expect(() => parsePlan({ version: 1, pins: { x: 'a' }, drained: [] })).toThrow(TypeError);
  });
});
