import type { HuntEvent } from '../../actors/hunt/hunt-events.js';

/**
 * The UpdateBus port: carries every stored hunt event to the gateways that push it to players.
 * In one process it is an in-memory fan-out; in a cluster, a Kafka topic every gateway reads.
 * Delivery is per hunt in update order; a receiver that sees a gap reads the journal to fill it.
 */
export interface UpdateBus {
  /** Hands a stored event to every subscriber of its hunt. */
  publish(huntId: string, event: HuntEvent): void;
  /** Calls `listener` with each event of `huntId` published from now on; returns the unsubscribe. */
  subscribe(huntId: string, listener: (event: HuntEvent) => void): () => void;
}
