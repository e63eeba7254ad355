import type { ShardHost } from '../../../actors/runtime/shard-host.js';
import type { CommandBus } from '../command-bus.js';

/** The CommandBus of a single process: every entity is local, so the shard host answers directly. */
export function createLocalCommandBus(host: ShardHost): CommandBus {
  return {
    execute: (kind, entityId, command) => host.execute(kind, entityId, command),
    query: (kind, entityId, view) => host.view(kind, entityId, view),
  };
}
