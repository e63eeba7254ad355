import type { ShardPlan } from '../cluster/plan/shard-plan.js';

/** How often the node compares the plan with what it owns, ms. */
const CHECK_EVERY_MS = 250;

export interface DrainTarget {
  readonly nodeId: string;
  readonly plan: () => ShardPlan;
  readonly ownedShards: () => number;
  /** Draining: refuse new connections and report not ready. */
  readonly stopServing: () => void;
  /** Every shard is gone: tell the players on this node to reconnect elsewhere (1012). */
  readonly sendPlayersAway: () => Promise<void>;
  /** Undrained: take connections and report ready again. */
  readonly serveAgain: () => void;
}

/**
 * Follows the operator plan for this node: when it is drained it stops taking connections at
 * once (load balancers see /readyz fail), and once the group has moved all its shards away it
 * closes its sockets with 1012, so its players resume on other nodes, where the shards already
 * are. When it is undrained it serves again. Returns the stop.
 */
export function watchDrain(target: DrainTarget): () => void {
  let phase: 'serving' | 'draining' | 'drained' = 'serving';
  let busy = false;
  const check = async () => {
    if (busy) return;
    busy = true;
    try {
      const drained = target.plan().drained.includes(target.nodeId);
      if (!drained && phase !== 'serving') {
        phase = 'serving';
        target.serveAgain();
      } else if (drained && phase === 'serving') {
        phase = 'draining';
        target.stopServing();
      }
      if (phase === 'draining' && target.ownedShards() === 0) {
        phase = 'drained';
        await target.sendPlayersAway();
      }
    } finally {
      busy = false;
    }
  };
  // At once too: a node restarting while drained must not take players even for a moment.
  void check();
  const timer = setInterval(() => void check(), CHECK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
