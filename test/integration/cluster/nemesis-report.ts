import type { JournalVerdict } from './journal-verdict.js';
import type { Fault } from './nemesis.js';
import type { PlayerLoad } from './retrying-players.js';

/** The figures of a nemesis run, in one line: commands, retries, kills, the verdict, and each fault's recovery. */
export function summaryLine(run: {
  readonly seed: number;
  /** When the load began, ms since the epoch; fault times are printed from it. */
  readonly loadStarted: number;
  readonly loadMs: number;
  readonly load: PlayerLoad;
  readonly hunts: readonly string[];
  readonly faults: readonly Fault[];
  readonly verdict: JournalVerdict;
}): string {
  const { load, faults, verdict, loadStarted: t0 } = run;
  const commands = load.commands;
  const acked = commands.flatMap((c) => (c.outcome?.kind === 'acknowledged' ? [{ command: c, outcome: c.outcome }] : []));
  const refused = commands.flatMap((c) => (c.outcome?.kind === 'refused' ? [c.outcome.code] : []));
  // Before the first fault: the cluster's pace on this machine, to compare the pauses with.
  const calmMs = (faults[0]?.killedAt ?? t0 + run.loadMs) - t0;
  const calm = acked
    .filter(({ command, outcome }) => outcome.at < t0 + calmMs && command.attempts === 1)
    .map(({ command, outcome }) => outcome.at - command.firstSentAt)
    .sort((a, b) => a - b);
  return (
    `nemesis seed ${run.seed}: ${commands.length} commands in ${seconds(run.loadMs)} s, ${acked.length} acknowledged ` +
    `(${acked.filter(({ outcome }) => outcome.duplicate).length} of them answered as the duplicate of an earlier attempt; ` +
    `before the first fault ${(calm.length / (calmMs / 1000)).toFixed(0)}/s, median ${calm[Math.floor(calm.length / 2)] ?? '-'} ms), ` +
    `${refused.length} refused ${tally(refused)}, ${verdict.inDoubt} given up (${verdict.inDoubtStored} of them stored); ` +
    `${commands.reduce((n, c) => n + c.attempts - 1, 0)} retries after ${tally(commands.flatMap((c) => c.failures))}; ` +
    `kills ${tally(faults.map((f) => f.kind))}; lost ${verdict.lost.length}, duplicated ${verdict.duplicated.length}, ` +
    `misreported ${verdict.misreported.length}, refused-but-stored ${verdict.refusedButStored.length}, unknown ${verdict.unknown.length}, ` +
    `gaps ${verdict.gaps.length}; faults: ${faults.map((fault) => `${describeFault(fault, t0)}, longest pause of a hunt ${seconds(longestPause(load, run.hunts, fault))} s`).join('; ')}`
  );
}

/** "node node-2 at 12.3 s, down 2.2 s: back +12.1 s, first ack after it +12.2 s, ..." (times after the kill). */
export function describeFault(fault: Fault, t0: number): string {
  const after = (t?: number) => (t === undefined ? 'never' : `+${seconds(t - fault.killedAt)} s`);
  const down = fault.restartedAt === undefined ? '?' : seconds(fault.restartedAt - fault.killedAt);
  return (
    `${fault.kind} ${fault.target} at ${seconds(fault.killedAt - t0)} s, down ${down} s: back ${after(fault.backAt)}, ` +
    `first ack after it ${after(fault.firstAckAt)}, every hunt served ${after(fault.servedAt)}, every node ready ${after(fault.readyAt)}` +
    (fault.problems.length > 0 ? ` [${fault.problems.join(' | ')}]` : '')
  );
}

/** The longest time one hunt went without an acknowledgement, from its last one before the kill until every hunt was served again. */
function longestPause(load: PlayerLoad, hunts: readonly string[], fault: Fault): number {
  const until = fault.servedAt ?? Date.now();
  let longest = 0;
  for (const hunt of hunts) {
    const acks = load.acksOf(hunt);
    let last = acks.findLast((at) => at <= fault.killedAt) ?? fault.killedAt;
    for (const at of acks) {
      if (at <= fault.killedAt || at > until) continue;
      longest = Math.max(longest, at - last);
      last = at;
    }
  }
  return longest;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** {"a":2,"b":1} */
const tally = (items: readonly string[]) => JSON.stringify(Object.fromEntries([...new Set(items)].map((item) => [item, items.filter((i) => i === item).length])));
