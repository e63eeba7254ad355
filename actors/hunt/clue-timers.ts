import type { ClueProgress, LiveClue } from './hunt-state.js';
import type { ClueTimer } from './timer-index.js';

/**
 * The timers one competitor has pending on one open clue: its time limit, and each hint that
 * releases itself after a while unless it was taken, released already, or released to everyone.
 */
export function timersOfClue(
  competitorId: string,
  clueIndex: number,
  clue: LiveClue,
  progress: ClueProgress,
  releasedToAll: readonly number[],
): ClueTimer[] {
  const timers: ClueTimer[] = [];
  if (clue.timeLimitSeconds !== undefined) {
    timers.push({
      dueAt: progress.unlockedAt + clue.timeLimitSeconds * 1000,
      competitorId,
      clueIndex,
      hintIndex: -1,
      body: { type: 'clue-timed-out', competitorId, clueId: clue.id },
    });
  }
  for (const [hintIndex, hint] of clue.hints.entries()) {
    if (hint.autoReleaseAfterSeconds === undefined) continue;
    if (progress.hintsTaken.includes(hintIndex) || progress.hintsAutoReleased.includes(hintIndex)) continue;
    if (releasedToAll.includes(hintIndex)) continue;
    timers.push({
      dueAt: progress.unlockedAt + hint.autoReleaseAfterSeconds * 1000,
      competitorId,
      clueIndex,
      hintIndex,
      body: { type: 'hint-auto-released', competitorId, clueId: clue.id, hintIndex },
    });
  }
  return timers;
}
