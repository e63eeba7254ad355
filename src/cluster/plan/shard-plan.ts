/**
 * The operators' intent for the shards, shared by every node: shards pinned to a node, nodes
 * drained of shards. Everything else the assigner spreads evenly. `version` grows by one with
 * each change; the newest version wins.
 */
export interface ShardPlan {
  readonly version: number;
  /** Shard (as a string key) -> the node it must live on while that node is alive and not drained. */
  readonly pins: Readonly<Record<string, string>>;
  /** Nodes that must own no shard, sorted. */
  readonly drained: readonly string[];
}

export const EMPTY_PLAN: ShardPlan = { version: 0, pins: {}, drained: [] };

export type PlanChange =
  | { readonly type: 'pin'; readonly shard: number; readonly node: string }
  | { readonly type: 'unpin'; readonly shard: number }
  | { readonly type: 'drain'; readonly node: string }
  | { readonly type: 'undrain'; readonly node: string };

/** The plan after `change`, one version later. */
export function applyPlanChange(plan: ShardPlan, change: PlanChange): ShardPlan {
  const pins = { ...plan.pins };
  let drained = [...plan.drained];
  switch (change.type) {
    case 'pin':
      pins[String(change.shard)] = change.node;
      break;
    case 'unpin':
      delete pins[String(change.shard)];
      break;
    case 'drain':
      drained = [...new Set([...drained, change.node])].sort();
      break;
    case 'undrain':
      drained = drained.filter((node) => node !== change.node);
      break;
  }
  return { version: plan.version + 1, pins, drained };
}

/** Reads a plan from its JSON form; anything else is refused. */
export function parsePlan(value: unknown): ShardPlan {
  const v = value as Partial<ShardPlan> | null;
  const valid =
    v !== null &&
    typeof v === 'object' &&
    Number.isSafeInteger(v.version) &&
    typeof v.pins === 'object' &&
    v.pins !== null &&
    Object.entries(v.pins).every(([shard, node]) => /^\d+$/.test(shard) && typeof node === 'string') &&
    Array.isArray(v.drained) &&
    v.drained.every((node) => typeof node === 'string');
  if (!valid) throw new TypeError('not a shard plan');
  return { version: v.version!, pins: v.pins!, drained: v.drained! };
}
