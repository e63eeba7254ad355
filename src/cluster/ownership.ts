import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { shardOf } from './shard-of.js';

/**
 * Which shards this node owns, as the consumer group last assigned them. Entities of a lost shard
 * are passivated (their work in flight finishes first); entities of a gained shard are activated
 * lazily, by their first command.
 */
export class Ownership {
  #owned: ReadonlySet<number> = new Set();
  #rebalancingSince: number | undefined;
  #memberId: string | undefined;

  constructor(
    readonly partitions: number,
    private readonly release: (lost: ReadonlySet<number>) => Promise<number>,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** Whether the entity's shard is this node's now. */
  owns(entityId: string): boolean {
    return this.#owned.has(shardOf(entityId, this.partitions));
  }

  get shards(): readonly number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  /** The group started a rebalance: the handoff clock starts. */
  rebalancing(): void {
    this.#rebalancingSince ??= performance.now();
  }

  /**
   * The group's new assignment for this node. `memberId` is this node's id in the group: a new
   * one means the group expelled it meanwhile (it was frozen, say) and others may have run its
   * shards, so every entity it kept in memory is stale, even in shards it now gets back.
   */
  async assigned(shards: readonly number[], memberId?: string): Promise<void> {
    const next = new Set(shards);
    const expelled = memberId !== undefined && this.#memberId !== undefined && memberId !== this.#memberId;
    if (memberId !== undefined) this.#memberId = memberId;
    if (expelled) this.logger.warn({ memberId }, 'this node was out of the group: dropping every entity it held');
    const lost = new Set([...this.#owned].filter((shard) => expelled || !next.has(shard)));
    const gained = [...next].filter((shard) => expelled || !this.#owned.has(shard));
    this.#owned = next;
    this.metrics.ownedShards.set(next.size);
    if (this.#rebalancingSince !== undefined) {
      this.metrics.handoffSeconds.observe({ phase: 'rebalance' }, (performance.now() - this.#rebalancingSince) / 1000);
      this.#rebalancingSince = undefined;
    }
    this.logger.info({ owned: this.shards, gained, lost: [...lost] }, 'shard assignment');
    if (lost.size === 0) return;
    const started = performance.now();
    const passivated = await this.release(lost);
    this.metrics.handoffSeconds.observe({ phase: 'release' }, (performance.now() - started) / 1000);
    this.logger.info({ lost: [...lost], passivated, ms: Math.round(performance.now() - started) }, 'released shards');
  }
}
