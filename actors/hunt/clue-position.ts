import type { LiveClue } from './hunt-state.js';

// Keyed by the clue list itself: it is replaced, never changed in place, when the clues change
// under immer, and an in-place runtime only changes clues' texts, never their ids or order.
const positions = new WeakMap<readonly LiveClue[], ReadonlyMap<string, number>>();

/** The place of clue `clueId` in `clues`, or -1; O(1) after the first call for a clue list. */
export function cluePosition(clues: readonly LiveClue[], clueId: string): number {
  let byId = positions.get(clues);
  if (!byId) {
    byId = new Map(clues.map((clue, index) => [clue.id, index]));
    positions.set(clues, byId);
  }
  return byId.get(clueId) ?? -1;
}
