/**
 * Snapshot bytes an entity may write per stored event, amortised. A snapshot is taken once the
 * events since the last one reach its size divided by this, so the cost of snapshots per event
 * stays flat however large the state grows, and an activation replays at most that many events
 * after loading the snapshot (a 1 MB hunt: one snapshot per ~4,000 events).
 */
export const SNAPSHOT_BYTES_PER_EVENT = 256;

/**
 * Decides, each time nact offers a snapshot (every `snapshotEvery` events), whether to take one,
 * and encodes it. The state is encoded straight to JSON text: the actor changes its state in
 * place, so it must be captured now, and one pass over it is half the cost of a copy that the
 * journal would then encode again.
 */
export class SnapshotPolicy {
  private lastSeqNr = 0;
  private lastBytes = 0;

  constructor(private readonly bytesPerEvent = SNAPSHOT_BYTES_PER_EVENT) {}

  /** The snapshot of `entity` as JSON text, or undefined to let this offer pass. */
  encode(entity: { readonly seqNr: number }): string | undefined {
    if ((entity.seqNr - this.lastSeqNr) * this.bytesPerEvent < this.lastBytes) return undefined;
    const json = JSON.stringify(entity);
    this.lastSeqNr = entity.seqNr;
    this.lastBytes = json.length;
    return json;
  }
}
