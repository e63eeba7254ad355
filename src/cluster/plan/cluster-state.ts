import { EMPTY_PLAN, parsePlan, type ShardPlan } from './shard-plan.js';

/** What a node says about itself every few seconds, on the cluster's state topic. */
export interface NodeReport {
  readonly nodeId: string;
  /** When it reported, ms since the epoch. */
  readonly at: number;
  readonly owned: readonly number[];
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Per shard (as a string key): entities active here, sockets here watching its hunts, commands waiting, commands/s here. */
  readonly shards: Readonly<Record<string, { readonly entities: number; readonly watchers: number; readonly lag: number; readonly commandsPerSecond: number }>>;
}

export const PLAN_KEY = 'plan';
/** A node that has not reported for this long is taken for gone, ms (the reporter's clock). */
const LIVE_WITHIN_MS = 10_000;
export const nodeKey = (nodeId: string) => `node/${nodeId}`;

/**
 * The cluster's shared state as this node has read it from the compacted state topic: the newest
 * operator plan and the latest report of every node. Fed by a consumer of that topic.
 */
export class ClusterState {
  #plan: ShardPlan = EMPTY_PLAN;
  readonly #nodes = new Map<string, NodeReport>();
  readonly #planListeners = new Set<(plan: ShardPlan) => void>();
  #planWaiters: { version: number; resolve: () => void }[] = [];

  constructor(private readonly onMalformed: (key: string, error: unknown) => void = () => undefined) {}

  get plan(): ShardPlan {
    return this.#plan;
  }

  get nodes(): readonly NodeReport[] {
    return [...this.#nodes.values()];
  }

  /** The nodes that reported within the last few seconds, as of `now`. */
  liveNodes(now: number): Set<string> {
    return new Set(this.nodes.filter((n) => now - n.at < LIVE_WITHIN_MS).map((n) => n.nodeId));
  }

  /** Calls `listener` with each newer plan; returns the unsubscribe. */
  onPlan(listener: (plan: ShardPlan) => void): () => void {
    this.#planListeners.add(listener);
    return () => this.#planListeners.delete(listener);
  }

  /** Resolves true once the plan has reached `version`, false after `timeoutMs` without it. */
  waitForPlan(version: number, timeoutMs: number): Promise<boolean> {
    if (this.#plan.version >= version) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#planWaiters = this.#planWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = {
        version,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.#planWaiters.push(waiter);
    });
  }

  /** One record of the state topic. */
  receive(key: string, value: Buffer | null): void {
    // A tombstone: the node stopped for good.
    if (!value) {
      if (key.startsWith('node/')) this.#nodes.delete(key.slice('node/'.length));
      return;
    }
    try {
      const parsed: unknown = JSON.parse(value.toString('utf8'));
      if (key === PLAN_KEY) this.#newPlan(parsePlan(parsed));
      else if (key.startsWith('node/')) this.#nodes.set(key.slice('node/'.length), parsed as NodeReport);
    } catch (error) {
      this.onMalformed(key, error);
    }
  }

  #newPlan(plan: ShardPlan): void {
    // Two operators writing at once may both write version n+1: the later record wins.
    if (plan.version < this.#plan.version) return;
    this.#plan = plan;
    const ready = this.#planWaiters.filter((w) => w.version <= plan.version);
    this.#planWaiters = this.#planWaiters.filter((w) => w.version > plan.version);
    for (const waiter of ready) waiter.resolve();
    for (const listener of this.#planListeners) listener(plan);
  }
}
