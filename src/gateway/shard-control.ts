import type { ShardMap } from '../../protocol/shard-map.js';
import type { PlanChange } from '../cluster/plan/shard-plan.js';

/**
 * What operators may do with the shards, as the gateway needs it. A cluster node steers the
 * operator plan; a single process has one shard and no plan, and refuses changes.
 */
export interface ShardControl {
  /** The shard map as this node knows it now (every node reports to every other every few seconds). */
  map(): ShardMap;
  /**
   * Records `change` in the operator plan and sets the rebalance going; resolves with the plan's
   * new version once this node has read it back. Throws a CairnError (`code`, `retriable`) when
   * the change is refused: a shard out of range, an unknown node, not a cluster.
   */
  change(change: PlanChange): Promise<number>;
}
