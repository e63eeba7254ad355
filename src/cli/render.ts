import type { ClueView, HuntChange, HuntSummary, LeaderboardEntry, PlayerView } from '../../protocol/views.js';

/** A time in the terminal's own zone, named (`2026-05-01 12:27:30 GMT+2`): a bare time reads as local. */
export const time = (at: number | undefined): string => {
  if (at === undefined) return '-';
  const parts = Object.fromEntries(LOCAL_TIME.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
};

const LOCAL_TIME = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

export function renderLeaderboard(entries: readonly LeaderboardEntry[]): string {
  if (entries.length === 0) return '  (nobody yet)';
  return entries
    .map((e) => `  ${String(e.rank).padStart(3)}. ${e.name.padEnd(24)} ${String(e.points).padStart(6)} pts  ${e.solved} solved${e.finishedAt ? `  finished ${time(e.finishedAt)}` : ''}`)
    .join('\n');
}

export function renderSummary(hunt: string, s: HuntSummary): string {
  return [
    `${s.title} (${hunt}): ${s.status}, ${s.order} order`,
    `players: ${s.players}/${s.maxPlayers}   clues: ${s.clues.map((c) => c.id).join(', ')}   update: ${s.updateSeq}`,
    `started: ${time(s.startedAt)}   ended: ${time(s.endedAt)}`,
    'leaderboard:',
    renderLeaderboard(s.leaderboard),
  ].join('\n');
}

export function renderClue(clue: ClueView): string {
  const state = clue.status === 'open' ? `solve with ${clue.solveWith}` : clue.status;
  // Attempts matter only while the clue can still be guessed.
  const attempts = clue.attemptsLeft === null || clue.status !== 'open' ? '' : `, ${clue.attemptsLeft} attempts left`;
  const deadline = clue.deadlineAt && clue.status === 'open' ? `, until ${time(clue.deadlineAt)}` : '';
  const hints = clue.hints.map((h) => (h.revealed ? `    hint ${h.index}: ${h.text}` : `    hint ${h.index}: (costs ${h.penalty} pts: \`hint ${clue.id} ${h.index}\`)`));
  return [`  [${clue.id}] ${clue.title} (${clue.points} pts, ${state}${attempts}${deadline})`, `    ${clue.text}`, ...hints].join('\n');
}

export function renderView(view: PlayerView): string {
  return [
    `${view.title}: ${view.status}. You are ${view.you.displayName}${view.you.team ? ` of team ${view.you.team}` : ''}, ${view.you.points} pts.`,
    `clues (${view.clues.length} of ${view.totalClues} unlocked):`,
    ...view.clues.map(renderClue),
    // What was announced while this player was away (a view is what a returning player gets).
    ...(view.announcements.length > 0 ? ['announcements:', ...view.announcements.map((a) => `  ${time(a.at)}  ${a.message}`)] : []),
    'leaderboard:',
    renderLeaderboard(view.leaderboard.top),
  ].join('\n');
}

export function renderChange(change: HuntChange): string {
  switch (change.kind) {
    case 'hunt-status':
      return `* the hunt is now ${change.status}`;
    case 'clue':
      return `* clue update:\n${renderClue(change.clue)}`;
    case 'score':
      return `* you have ${change.points} pts${change.rank ? ` (rank ${change.rank})` : ''}`;
    case 'leaderboard':
      return `* leaderboard:\n${renderLeaderboard(change.leaderboard.top)}`;
    case 'announcement':
      return `* announcement: ${change.message}`;
    case 'players':
      return `* players in the hunt: ${change.active}`;
    case 'kicked':
      return `* you were removed from the hunt: ${change.reason}`;
  }
}
