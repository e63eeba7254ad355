import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';
import { assignShards, type GroupMember } from './assign-shards.js';
import type { ShardPlan } from './shard-plan.js';

export const PLAN_ASSIGNER_NAME = 'CairnPlanAssigner';

/** What each member tells the group's leader about itself when it joins. */
export interface MemberInfo {
  readonly nodeId: string;
  readonly owned: readonly number[];
  /** The newest plan version the member has seen: the leader waits to have it too. */
  readonly planVersion: number;
  /** Joined only to make the group rebalance (after a plan change): gets nothing. */
  readonly poke?: boolean;
}

export interface PlanAssignerOptions {
  readonly topic: string;
  readonly partitions: number;
  /** This member, as it describes itself at each join. */
  readonly self: () => MemberInfo;
  readonly plan: () => ShardPlan;
  /** Resolves once this node has read plan `version` (or gave up waiting). */
  readonly waitForPlan: (version: number) => Promise<unknown>;
  /** Told the shards that changed owner, on the member that computed the assignment. */
  readonly onAssigned?: (moved: number) => void;
}

/**
 * A kafkajs partition assigner that honours the operator plan (see assignShards). Every member
 * publishes its node id, the shards it owns and the plan version it has seen; the group leader
 * assigns with the newest plan any member has seen.
 */
export function createPlanAssigner(options: PlanAssignerOptions): PartitionAssigner {
  return () => ({
    name: PLAN_ASSIGNER_NAME,
    version: 1,
    async assign({ members, topics }) {
      const infos: (GroupMember & { planVersion: number })[] = members.map(({ memberId, memberMetadata }) => {
        // A member that says nothing readable about itself still gets its share, as a node of its own.
        let info: Partial<MemberInfo> = {};
        try {
          const parsed: unknown = JSON.parse(AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData.toString('utf8') || '{}');
          if (parsed && typeof parsed === 'object') info = parsed as Partial<MemberInfo>;
        } catch {
          info = {};
        }
        const owned = Array.isArray(info.owned) ? info.owned.filter((s): s is number => Number.isInteger(s)) : [];
        return { memberId, nodeId: typeof info.nodeId === 'string' ? info.nodeId : memberId, owned, poke: info.poke === true, planVersion: Number(info.planVersion) || 0 };
      });
      const newest = Math.max(0, ...infos.map((m) => m.planVersion));
      if (newest > options.plan().version) await options.waitForPlan(newest);
      const assignment = assignShards(options.partitions, infos, options.plan());
      const before = new Map<number, string>();
      for (const m of infos) for (const shard of m.owned) before.set(shard, m.nodeId);
      let moved = 0;
      for (const m of infos) for (const shard of assignment.get(m.memberId) ?? []) if (before.get(shard) !== m.nodeId) moved += 1;
      options.onAssigned?.(moved);
      return infos.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: Object.fromEntries(topics.map((topic) => [topic, topic === options.topic ? (assignment.get(memberId) ?? []) : []])),
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: PLAN_ASSIGNER_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.from(JSON.stringify(options.self())) }),
      };
    },
  });
}
