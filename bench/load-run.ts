/**
 * A closed-loop load run against one target: the players of a session each act on their own
 * ticks (bench/player-script.ts's Pacer: one action in flight per player), a steady window is
 * measured, then the replies still due are drained. The figures every report prints come from here.
 */
import { sleep } from './bench-kit.js';
import { closeWindow, drain, emptyWindow, openWindow, steady, type WindowFigures } from './load-phases.js';
import { closeSession, openSession, perPlayerKb, type SessionOptions } from './load-session.js';
import type { DetailRow, LoadTarget, TargetContext } from './load-target.js';
import { pacerFor, type ScriptRun } from './player-script.js';
import { statusKb } from './proc-kit.js';

export interface RunFigures {
  name: string;
  players: number;
  hunts: number;
  /** Commands/s the players offer (all of them; joined or not). */
  offered: number;
  /** Replies/s in the steady window. */
  achieved: number;
  latency: ReturnType<ScriptRun['allLatency']['summary']>;
  /** Server CPU time per reply in the steady window, µs. */
  cpuUsPerCommand: number;
  /** Errors in the steady window, by code. */
  errors: Map<string, number>;
  late: number;
  /** Replies the script did not expect (a right guess judged wrong...): the server and the script disagree. */
  surprises: Map<string, number>;
  unanswered: number;
  connectFailed: number;
  connectFailures: Map<string, number>;
  drops: Map<string, number>;
  idleKb: number;
  /** Server CPU % of one core with everyone joined, before play. */
  joinedCpuPct: number;
  /** VmRSS at the end of the steady window, and the process's peak (VmHWM). */
  rssKb: number;
  peakKb: number;
  perPlayerKb: number;
  window: WindowFigures;
  detail: readonly DetailRow[];
  warnings: ReadonlyMap<string, number>;
  problems: string[];
}

export async function runClosedLoop(make: (context: TargetContext) => LoadTarget, o: SessionOptions & { durationS: number }): Promise<RunFigures> {
  const s = await openSession(make, o);
  const { run, phase, server, target } = s;
  const pacers = s.connections.map((c) => pacerFor(run, () => c.act()));
  const busy = () => pacers.filter((p) => p.busy).length;
  const problems: string[] = [];
  try {
    for (const p of pacers) p.start();
    // Every player has had its first tick, and the next ones are spread out.
    await sleep(Math.min(5_000, 2 * phase.intervalMs));
    let window: WindowFigures | undefined;
    let detail: readonly DetailRow[] = [];
    let rssKb = Number.NaN;
    if (!server.died()) {
      await target.beginWindow?.();
      const w = openWindow([server.pid]);
      await steady({ label: target.name, phase, durationS: o.durationS, stats: run.stats, inFlight: busy, log: o.log });
      window = closeWindow(w);
      rssKb = statusKb(server.pid, 'VmRSS') ?? Number.NaN;
      detail = (await target.endWindow?.(window.seconds)) ?? [];
    }
    const unanswered = await drain(phase, busy);
    for (const p of pacers) p.stop();
    const peakKb = statusKb(server.pid, 'VmHWM') ?? Number.NaN;
    const seconds = window?.seconds ?? o.durationS;
    const replies = run.stats.repliesInWindow;
    const figures: RunFigures = {
      name: target.name,
      players: o.players,
      hunts: o.hunts,
      offered: o.players * o.ratePerPlayer,
      achieved: replies / seconds,
      latency: run.allLatency.summary(),
      cpuUsPerCommand: window && replies > 0 ? (window.serverCpuSeconds * 1e6) / replies : Number.NaN,
      errors: run.stats.errorsSteady,
      late: run.stats.late,
      surprises: run.scriptSurprises,
      unanswered,
      connectFailed: s.ramped.failed,
      connectFailures: s.ramped.failures,
      drops: s.drops,
      idleKb: s.idleKb,
      joinedCpuPct: s.joinedCpuPct,
      rssKb,
      peakKb,
      perPlayerKb: perPlayerKb(s),
      window: window ?? emptyWindow(seconds),
      detail,
      warnings: server.warnings(),
      problems,
    };
    return figures;
  } finally {
    for (const p of pacers) p.stop();
    // Into the figures' own list: a server that died or stopped uncleanly shows in the report.
    problems.push(...(await closeSession(s)));
  }
}
