import type { HuntEvent } from '../../../actors/hunt/hunt-events.js';
import type { UpdateBus } from '../update-bus.js';

/**
 * In-process UpdateBus: delivers synchronously, in publish order. A failing listener is reported
 * and skipped: it must not keep the event from the others, nor fail the command that stored it.
 */
export class LocalUpdateBus implements UpdateBus {
  private readonly listeners = new Map<string, Set<(event: HuntEvent) => void>>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  publish(huntId: string, event: HuntEvent): void {
    for (const listener of this.listeners.get(huntId) ?? []) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Whether anyone here listens to `huntId`. */
  watches(huntId: string): boolean {
    return this.listeners.has(huntId);
  }

  subscribe(huntId: string, listener: (event: HuntEvent) => void): () => void {
    let set = this.listeners.get(huntId);
    if (!set) this.listeners.set(huntId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(huntId) === set) this.listeners.delete(huntId);
    };
  }
}
