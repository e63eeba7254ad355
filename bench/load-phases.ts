/**
 * The phases of a load run, shared by the load benchmarks: connections ramp up at a fixed rate,
 * a steady phase is measured, then a drain waits for the replies still due. Also the CPU window
 * of the steady phase, for the server processes, this process and the whole machine.
 */
import { sleep } from './bench-kit.js';
import { bump, type LoadPhase, type LoadStats } from './player-script.js';
import { cpuSeconds, machineCpu, parsePrometheus } from './proc-kit.js';

type Log = (message: string) => void;

export const DRAIN_MS = 15_000;

/** Connects `total` connections at `perSecond`, printing progress; `open` throws a reason on failure. */
export async function ramp(o: {
  label: string;
  total: number;
  perSecond: number;
  open: (i: number) => Promise<void>;
  abort: () => string | undefined;
  log: Log;
}) {
  const { label, total, perSecond, open, abort, log } = o;
  const failures = new Map<string, number>();
  let next = 0;
  let inProgress = 0;
  let ok = 0;
  let failed = 0;
  // Bounded, so that a server that stops answering does not pile up thousands of pending handshakes.
  const maxPending = Math.max(200, perSecond * 10);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const finishIfDone = () => {
      if ((next >= total || abort()) && inProgress === 0) {
        clearInterval(launcher);
        clearInterval(progress);
        resolve();
      }
    };
    const launch = () => {
      if (abort()) return finishIfDone();
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * perSecond) + 1);
      while (next < due && inProgress < maxPending) {
        const i = next++;
        inProgress += 1;
        open(i).then(
          () => (ok += 1),
          (error: unknown) => {
            failed += 1;
            bump(failures, error instanceof Error ? error.message : String(error));
          },
        ).finally(() => {
          inProgress -= 1;
          finishIfDone();
        });
      }
    };
    const launcher = setInterval(launch, 20);
    const progress = setInterval(() => log(`${label}: ${ok}/${total} ready, ${failed} failed, ${inProgress} in progress`), 1000);
    launch();
  });
  const seconds = (performance.now() - t0) / 1000;
  log(`${label}: ${ok}/${total} ready, ${failed} failed, in ${seconds.toFixed(1)} s`);
  return { ok, failed, failures, seconds };
}

/** The measured phase: `durationS` seconds with `phase.measuring` set, logging replies/s every 5 s. */
export async function steady(o: { label: string; phase: LoadPhase; durationS: number; stats: LoadStats; inFlight: () => number; log: Log }) {
  const { label, phase, durationS, stats, inFlight, log } = o;
  phase.measuring = true;
  const t0 = performance.now();
  let lastReplies = 0;
  let lastAt = t0;
  while (durationS * 1000 - (performance.now() - t0) > 20) {
    await sleep(Math.min(5_000, durationS * 1000 - (performance.now() - t0)));
    const now = performance.now();
    log(
      `${label} steady ${((now - t0) / 1000).toFixed(0)}/${durationS} s: ` +
        `${((stats.repliesInWindow - lastReplies) / ((now - lastAt) / 1000)).toFixed(0)} replies/s, ${inFlight()} in flight`,
    );
    lastReplies = stats.repliesInWindow;
    lastAt = now;
  }
  phase.measuring = false;
}

/** Stops new actions and waits (at most 15 s) for the ones in flight; returns how many are still unanswered. */
export async function drain(phase: LoadPhase, busy: () => number): Promise<number> {
  phase.stopped = true;
  const deadline = performance.now() + DRAIN_MS;
  while (busy() > 0 && performance.now() < deadline) await sleep(50);
  return busy();
}

/** CPU seconds used so far by `pids` together (a pid that is gone counts as NaN, so it shows). */
export const cpuTotal = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? Number.NaN), 0);

export interface ProcessWindow {
  pids: readonly number[];
  cpu0: number;
  machine0: { busy: number; total: number } | undefined;
  self0: NodeJS.CpuUsage;
  elu0: ReturnType<typeof performance.eventLoopUtilization>;
  t0: number;
}

/** Starts measuring the CPU of the server processes `pids`, of this process and of the machine. */
export function openWindow(pids: readonly number[]): ProcessWindow {
  return {
    pids,
    cpu0: cpuTotal(pids),
    machine0: machineCpu(),
    self0: process.cpuUsage(),
    elu0: performance.eventLoopUtilization(),
    t0: performance.now(),
  };
}

export function closeWindow(w: ProcessWindow) {
  const seconds = (performance.now() - w.t0) / 1000;
  const machine1 = machineCpu();
  const self = process.cpuUsage(w.self0);
  const serverCpuSeconds = cpuTotal(w.pids) - w.cpu0;
  return {
    seconds,
    /** utime + stime of the server processes over the window (/proc/<pid>/stat). */
    serverCpuSeconds,
    serverCpuPct: (serverCpuSeconds / seconds) * 100,
    machineCpuPct: w.machine0 && machine1 ? ((machine1.busy - w.machine0.busy) / (machine1.total - w.machine0.total)) * 100 : Number.NaN,
    clientCpuPct: ((self.user + self.system) / 1e6 / seconds) * 100,
    clientElu: performance.eventLoopUtilization(w.elu0).utilization,
  };
}

export type WindowFigures = ReturnType<typeof closeWindow>;

/** A window for a phase that never ran: every figure n/a. */
export const emptyWindow = (seconds: number): WindowFigures => ({
  seconds,
  serverCpuSeconds: Number.NaN,
  serverCpuPct: Number.NaN,
  machineCpuPct: Number.NaN,
  clientCpuPct: Number.NaN,
  clientElu: Number.NaN,
});

/** The server's /metrics, or undefined when it does not answer within 10 s. */
export async function scrape(httpUrl: string): Promise<Map<string, number> | undefined> {
  try {
    const response = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return parsePrometheus(await response.text());
  } catch {
    return undefined;
  }
}
