import type { ShardMap, ShardMapEntry } from '../../../protocol/shard-map.js';
import { CairnError } from '../../errors.js';
import type { ShardControl } from '../../gateway/shard-control.js';
import type { ClusterState } from './cluster-state.js';
import { applyPlanChange, type PlanChange, type ShardPlan } from './shard-plan.js';

export interface ClusterShardControlOptions {
  readonly partitions: number;
  readonly state: ClusterState;
  /** Writes the plan to the state topic. */
  readonly publishPlan: (plan: ShardPlan) => Promise<void>;
  /** Makes the group rebalance with the plan of that version (in the background). */
  readonly rebalance: (planVersion: number) => void;
  readonly now?: () => number;
}

/** The shard map from every node's latest report, and plan changes, for a cluster node's gateway. */
export function createClusterShardControl(options: ClusterShardControlOptions): ShardControl {
  const now = options.now ?? Date.now;
  const liveNodes = () => options.state.liveNodes(now());

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
      const live = liveNodes();
      const current = options.state.plan;
      if ((change.type === 'pin' || change.type === 'unpin') && change.shard >= options.partitions) {
        throw new CairnError('bad-request', `shard ${change.shard} does not exist: the cluster has shards 0-${options.partitions - 1}`, { retriable: false });
      }
      if ((change.type === 'pin' || change.type === 'drain') && !live.has(change.node)) {
        throw new CairnError('unknown-node', `no live node is called ${JSON.stringify(change.node)} (live: ${[...live].sort().join(', ')})`, { retriable: false });
      }
      if (change.type === 'pin' && current.drained.includes(change.node)) {
        throw new CairnError('bad-request', `${change.node} is drained: undrain it before pinning shards to it`, { retriable: false });
      }
      if (change.type === 'drain' && [...live].every((node) => node === change.node || current.drained.includes(node))) {
        throw new CairnError('bad-request', `${change.node} is the last node serving: draining it would leave the shards nowhere to go`, { retriable: false });
      }
      // Built on the newest plan this node has read; if another write got in first (or this node
      // was behind), what is read back differs and the change is made again on top of it.
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const plan = applyPlanChange(options.state.plan, change);
        await options.publishPlan(plan);
        if (!(await options.state.waitForPlan(plan.version, 10_000))) {
          throw new CairnError('timeout', 'the plan was written but not read back in time: check `shards.map` and retry', { retriable: true });
        }
        if (JSON.stringify(options.state.plan) !== JSON.stringify(plan)) continue;
        // The rebalance runs on; the caller watches the map to see it applied.
        options.rebalance(plan.version);
        return plan.version;
      }
      throw new CairnError('timeout', 'other plan changes kept getting in first: retry', { retriable: true });
    },
  };
}
