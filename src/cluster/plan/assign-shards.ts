import type { ShardPlan } from './shard-plan.js';

/** A member of the shard group as the assigner sees it. */
export interface GroupMember {
  readonly memberId: string;
  readonly nodeId: string;
  /** Shards it owned before this rebalance: kept where possible, so that shards move little. */
  readonly owned: readonly number[];
  /** A member that only triggers a rebalance: it gets nothing. */
  readonly poke?: boolean;
}

/**
 * Who owns which shard, honouring the plan:
 * - a pinned shard goes to its node while that node is a member and not drained;
 * - drained nodes get nothing (unless every node is drained: shards must live somewhere);
 * - every other shard stays with its current owner while that owner is eligible and not above its
 *   fair share, and the rest go, one at a time, to the eligible member with the fewest shards.
 * Deterministic (members are taken in node order), and the same members and plan give back the
 * same assignment: no ping-pong.
 */
export function assignShards(partitions: number, members: readonly GroupMember[], plan: ShardPlan): Map<string, number[]> {
  const real = members.filter((m) => !m.poke).sort((a, b) => a.nodeId.localeCompare(b.nodeId) || a.memberId.localeCompare(b.memberId));
  const result = new Map<string, number[]>(members.map((m) => [m.memberId, []]));
  if (real.length === 0) return result;
  const notDrained = real.filter((m) => !plan.drained.includes(m.nodeId));
  const eligible = notDrained.length > 0 ? notDrained : real;
  const byNode = new Map(eligible.map((m) => [m.nodeId, m]));
  const load = (m: GroupMember) => result.get(m.memberId)!.length;
  const give = (m: GroupMember, shard: number) => result.get(m.memberId)!.push(shard);

  const free: number[] = [];
  for (let shard = 0; shard < partitions; shard += 1) {
    const pinnedTo = byNode.get(plan.pins[String(shard)] ?? '');
    if (pinnedTo) give(pinnedTo, shard);
    else free.push(shard);
  }
  // Fair share of what is left, counting what pins already gave.
  const total = partitions;
  const quota = Math.ceil(total / eligible.length);
  const previous = new Map<number, GroupMember>();
  for (const m of eligible) for (const shard of m.owned) if (!previous.has(shard)) previous.set(shard, m);
  const unplaced: number[] = [];
  for (const shard of free) {
    const owner = previous.get(shard);
    if (owner && load(owner) < quota) give(owner, shard);
    else unplaced.push(shard);
  }
  for (const shard of unplaced) {
    const target = eligible.reduce((best, m) => (load(m) < load(best) ? m : best));
    give(target, shard);
  }
  // Stickiness can leave one member at the quota while another is two below: even it out.
  for (;;) {
    const most = eligible.reduce((best, m) => (load(m) > load(best) ? m : best));
    const least = eligible.reduce((best, m) => (load(m) < load(best) ? m : best));
    if (load(most) - load(least) <= 1) break;
    const movable = result.get(most.memberId)!.filter((shard) => plan.pins[String(shard)] !== most.nodeId);
    const shard = movable.at(-1);
    if (shard === undefined) break;
    result.set(most.memberId, result.get(most.memberId)!.filter((s) => s !== shard));
    give(least, shard);
  }
  for (const shards of result.values()) shards.sort((a, b) => a - b);
  return result;
}
