import type { UpdateBus } from '../bus/update-bus.js';
import type { Journal } from '../journal/journal.js';
import { HuntReplica } from './hunt-replica.js';

/** Keeps one replica per hunt that this gateway's sockets watch, and drops it when nobody does. */
export class HuntReplicas {
  private readonly replicas = new Map<string, HuntReplica>();
  private readonly users = new Map<string, number>();

  constructor(
    private readonly journal: Journal,
    private readonly bus: UpdateBus,
  ) {}

  /** The replica of `huntId`, loaded; pair every acquire with a release. */
  async acquire(huntId: string): Promise<HuntReplica> {
    let replica = this.replicas.get(huntId);
    if (!replica) {
      replica = new HuntReplica(huntId, this.journal, this.bus);
      this.replicas.set(huntId, replica);
    }
    this.users.set(huntId, (this.users.get(huntId) ?? 0) + 1);
    try {
      await replica.ready;
    } catch (error) {
      this.release(huntId);
      throw error;
    }
    return replica;
  }

  release(huntId: string): void {
    const left = (this.users.get(huntId) ?? 1) - 1;
    if (left > 0) {
      this.users.set(huntId, left);
      return;
    }
    this.users.delete(huntId);
    this.replicas.get(huntId)?.close();
    this.replicas.delete(huntId);
  }

  closeAll(): void {
    for (const replica of this.replicas.values()) replica.close();
    this.replicas.clear();
    this.users.clear();
  }
}
