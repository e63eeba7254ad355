import { describe, expect, it } from 'vitest';
import { SnapshotPolicy } from '../../../actors/runtime/snapshot-policy.js';

/** Offers a snapshot every `every` events up to `events`, with a state of `bytes` bytes; returns the seqNrs taken. */
function taken(policy: SnapshotPolicy, every: number, events: number, bytes: number): number[] {
  const state = 'x'.repeat(bytes);
  const out: number[] = [];
  for (let seqNr = every; seqNr <= events; seqNr += every) {
    const entity = { state, seqNr };
    if (policy.encode(entity) !== undefined) out.push(seqNr);
  }
  return out;
}

describe('SnapshotPolicy', () => {
  it('takes every offer while the state is small', () => {
    expect(taken(new SnapshotPolicy(256), 100, 500, 1_000)).toEqual([100, 200, 300, 400, 500]);
  });

  it('spaces snapshots of a large state so that the bytes written per event stay under the budget', () => {
    const seqNrs = taken(new SnapshotPolicy(256), 100, 100_000, 1_000_000);
    // ~1 MB of JSON at 256 bytes per event: one snapshot per ~3,900 events, never closer.
    expect(seqNrs.length).toBeGreaterThan(20);
    for (let i = 1; i < seqNrs.length; i += 1) expect(seqNrs[i]! - seqNrs[i - 1]!).toBeGreaterThanOrEqual(3_900);
    const bytesPerEvent = (seqNrs.length * 1_000_000) / 100_000;
    expect(bytesPerEvent).toBeLessThanOrEqual(256);
  });

  it('encodes the entity as JSON text that parses back to it', () => {
    const entity = { state: { players: { ana: { points: 5 } } }, seqNr: 100 };
    expect(JSON.parse(new SnapshotPolicy().encode(entity)!)).toEqual(entity);
  });
});
