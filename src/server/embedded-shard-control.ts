import type { ShardMap } from '../../protocol/shard-map.js';
import { CairnError } from '../errors.js';
import type { ShardControl } from '../gateway/shard-control.js';

/** One process holds every entity: one shard, one node, nothing to move. */
export function createEmbeddedShardControl(load: { readonly connections: () => number; readonly entities: () => number }): ShardControl {
  return {
    map(): ShardMap {
      const connections = load.connections();
      return {
        mode: 'embedded',
        partitions: 1,
        planVersion: 0,
        pins: {},
        drained: [],
        nodes: [{ nodeId: 'embedded', live: true, drained: false, shards: 1, connections, reportedAt: Date.now() }],
        shards: [{ shard: 0, owner: 'embedded', entities: load.entities(), players: connections, lag: 0, commandsPerSecond: 0 }],
      };
    },
    async change() {
      throw new CairnError('not-clustered', 'this server is one process, not a cluster node: there are no shards to move (set CAIRN_KAFKA_BROKERS to run a cluster)', {
        retriable: false,
      });
    },
  };
}
