/** Where the shards of a cluster live, as an operator sees it (the reply to `shards.map`). */
export interface ShardMap {
  /** `embedded`: one process that holds everything (one shard, no plan). */
  readonly mode: 'cluster' | 'embedded';
  readonly partitions: number;
  /** The operator plan this map was answered under. */
  readonly planVersion: number;
  /** Shard (as a string key) -> the node it is pinned to. */
  readonly pins: Readonly<Record<string, string>>;
  /** Nodes that must own no shard. */
  readonly drained: readonly string[];
  readonly nodes: readonly ShardMapNode[];
  readonly shards: readonly ShardMapEntry[];
}

export interface ShardMapNode {
  readonly nodeId: string;
  /** It reported within the last few seconds. */
  readonly live: boolean;
  readonly drained: boolean;
  /** Shards it owns. */
  readonly shards: number;
  /** Open WebSocket connections on it. */
  readonly connections: number;
  /** When it last reported, ms since the epoch. */
  readonly reportedAt: number;
}

export interface ShardMapEntry {
  readonly shard: number;
  /** The node that owns it now; null while it moves (or nobody reported it). */
  readonly owner: string | null;
  readonly pinnedTo?: string;
  /** Entities (hunts, players) active on its owner. */
  readonly entities: number;
  /** Sockets watching its hunts, over all nodes. */
  readonly players: number;
  /** Commands waiting in it. */
  readonly lag: number;
  /** Commands its owner ran per second, lately. */
  readonly commandsPerSecond: number;
}
