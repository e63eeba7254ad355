import type { ShardMap, ShardMapEntry } from '../../../protocol/shard-map.js';
import { CairnError } from '../../errors.js';
import type { ShardControl } from '../../gateway/shard-control.js';
import type { ClusterState } from './cluster-state.js';
import { applyPlanChange, type PlanChange, type ShardPlan } from './shard-plan.js';

/** A node that has not reported for this long is taken for gone, ms. */
const LIVE_WITHIN_MS = 10_000;

export interface ClusterShardControlOptions {
  readonly partitions: number;
  readonly state: ClusterState;
  /** Writes the plan to the state topic. */
  readonly publishPlan: (plan: ShardPlan) => Promise<void>;
  /** Makes the group rebalance with the plan of that version. */
  readonly rebalance: (planVersion: number) => Promise<void>;
  readonly now?: () => number;
}

/** The shard map from every node's latest report, and plan changes, for a cluster node's gateway. */
export function createClusterShardControl(options: ClusterShardControlOptions): ShardControl {
  const now = options.now ?? Date.now;
  const liveNodes = () => new Set(options.state.nodes.filter((n) => now() - n.at < LIVE_WITHIN_MS).map((n) => n.nodeId));

  return {
    map(): ShardMap {
      const plan = options.state.plan;
      const reports = options.state.nodes;
      const live = liveNodes();
      const shards: ShardMapEntry[] = Array.from({ length: options.partitions }, (_, shard) => {
        const key = String(shard);
        const owner = reports.filter((n) => live.has(n.nodeId) && n.owned.includes(shard)).sort((a, b) => b.at - a.at)[0];
        const here = owner?.shards[key];
        return {
          shard,
          owner: owner?.nodeId ?? null,
          ...(plan.pins[key] !== undefined ? { pinnedTo: plan.pins[key] } : {}),
          entities: here?.entities ?? 0,
          players: reports.filter((n) => live.has(n.nodeId)).reduce((sum, n) => sum + (n.shards[key]?.watchers ?? 0), 0),
          lag: here?.lag ?? 0,
          commandsPerSecond: here?.commandsPerSecond ?? 0,
        };
      });
      return {
        mode: 'cluster',
        partitions: options.partitions,
        planVersion: plan.version,
        pins: plan.pins,
        drained: plan.drained,
        nodes: reports
          .map((n) => ({
            nodeId: n.nodeId,
            live: live.has(n.nodeId),
            drained: plan.drained.includes(n.nodeId),
            shards: shards.filter((s) => s.owner === n.nodeId).length,
            connections: n.connections,
            reportedAt: n.at,
          }))
          .sort((a, b) => a.nodeId.localeCompare(b.nodeId)),
        shards,
      };
    },

    async change(change: PlanChange): Promise<number> {
      if ((change.type === 'pin' || change.type === 'unpin') && change.shard >= options.partitions) {
        throw new CairnError('bad-request', `shard ${change.shard} does not exist: the cluster has shards 0-${options.partitions - 1}`, { retriable: false });
      }
      if ((change.type === 'pin' || change.type === 'drain') && !liveNodes().has(change.node)) {
        throw new CairnError('unknown-node', `no live node is called ${JSON.stringify(change.node)} (live: ${[...liveNodes()].sort().join(', ')})`, {
          retriable: false,
        });
      }
      const plan = applyPlanChange(options.state.plan, change);
      await options.publishPlan(plan);
      if (!(await options.state.waitForPlan(plan.version, 10_000))) {
        throw new CairnError('timeout', 'the plan was written but not read back in time: check `shards.map` and retry', { retriable: true });
      }
      await options.rebalance(plan.version);
      return plan.version;
    },
  };
}
