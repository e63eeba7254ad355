import type { CommandOutcome } from '../../actors/runtime/entity-messages.js';

/**
 * The CommandBus port: takes a command to the node that hosts its entity and brings the outcome
 * back. In one process the shard host is the bus; in a cluster, a Kafka topic keyed by entity id.
 */
export interface CommandBus {
  /**
   * Resolves with the outcome once any resulting event is durable. Rejects only when the command
   * could not be delivered or answered in time (then it may or may not have been applied: retry
   * with the same command id).
   */
  execute<Event = unknown>(kind: string, entityId: string, command: unknown): Promise<CommandOutcome<Event>>;

  /**
   * The entity's view `view` (one of its behaviour's named views), computed where the entity
   * lives from its durable state. Rejects like `execute` when it cannot be had in time.
   */
  query(kind: string, entityId: string, view: string): Promise<unknown>;
}
