/**
 * N simulated players play the example hunt through the client SDK against a real Cairn server
 * process on loopback; then, in the same run, the same N connections send frames of the same
 * size at the same rate to a raw `ws` echo server (the baseline). A benchmark, not a test.
 *
 *   npm run bench                                  # 1000 players, 30 s of steady play
 *   npx tsx bench/players.ts --quick               # 200 players, 10 s
 *   npx tsx bench/players.ts --players 10000       # needs `ulimit -n` >= ~10100 per process
 *
 * Options: --players N (1000), --hunts H (ceil(N/500)), --duration S (30), --rate R (0.5 offered
 * commands per second per player), --ramp C (200 connections per second), --wrong-penalty P (5,
 * as in the example hunt), --quick (N=200, S=10).
 *
 * The player script (one SDK client, one WebSocket per player; reconnect disabled so that a lost
 * connection shows instead of being papered over; maxRetries 0 so that a rate-limited or timed-out
 * guess is counted as an error instead of hidden in the latency): for the current clue of the
 * linear hunt, 1-3 wrong guesses, then the right one (an answer, a location ~10 m from the target,
 * or a code); on 25% of clues that have hints, a request for hint 0 after the first wrong guess.
 * One action per tick; ticks come every (0.5..1.5)/R s, at a random phase per player; a player
 * waits for a reply before its next action (a tick that finds the previous action unanswered is
 * counted "late" and fires as soon as the reply arrives). The hunt repeats the example's 4 clues in
 * enough rounds that nobody finishes; a player who does finish keeps sending wrong guesses on the
 * last clue (which the server refuses with clue-already-solved).
 *
 * Latency: from the SDK call (submit()/hint()) to its promise settling with the server's reply,
 * for actions started in the steady phase.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { decodeFrame, encodeMessage } from '../protocol/codec.js';
import { mintToken } from '../src/auth/tokens.js';
import { CairnConnectionError, CairnRequestError, createCairnClient, type CairnClient } from '../src/client/index.js';
import { latencyRecorder, table } from './bench-kit.js';
import { buildBenchHunt, type ScriptClue } from './bench-hunt.js';
import {
  acceptQueue,
  cpuSeconds,
  ephemeralPortRange,
  machineCpu,
  openFds,
  listenOverflows,
  openFileLimit,
  parsePrometheus,
  rssSampler,
  startChild,
  statusKb,
  type StartedChild,
} from './proc-kit.js';
import { CountingWebSocket, wire } from './wire-counter.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'bench-players-secret-0123456789';
const HINT_CHANCE = 0.25;
const REQUEST_TIMEOUT_MS = 10_000;
const JOIN_TIMEOUT_MS = 30_000;
const DRAIN_MS = 15_000;

// --- options ---------------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    players: { type: 'string' },
    hunts: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    ramp: { type: 'string' },
    'wrong-penalty': { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: tsx bench/players.ts [--players N] [--hunts H] [--duration S] [--rate R] [--ramp C] [--wrong-penalty P] [--quick]');
  process.exit(0);
}

function numberArg(name: string, given: string | undefined, fallback: number, integer: boolean, min: number): number {
  if (given === undefined) return fallback;
  const n = Number(given);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    console.error(`--${name} must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, not ${given}`);
    process.exit(2);
  }
  return n;
}

const N = numberArg('players', args.players, args.quick ? 200 : 1000, true, 1);
const H = numberArg('hunts', args.hunts, Math.max(1, Math.ceil(N / 500)), true, 1);
const DURATION_S = numberArg('duration', args.duration, args.quick ? 10 : 30, false, 1);
const RATE = numberArg('rate', args.rate, 0.5, false, 0.001);
const RAMP = numberArg('ramp', args.ramp, 200, false, 1);
const WRONG_PENALTY = numberArg('wrong-penalty', args['wrong-penalty'], 5, true, 0);
const INTERVAL_MS = 1000 / RATE;
const PLAYERS_PER_HUNT = Math.ceil(N / H);
// Enough clues that nobody finishes: ~3.25 actions per clue (2 wrong on average, a hint on a
// quarter of them, the right one), over ramp + steady + drain, with 50% to spare.
const ACTIONS_EXPECTED = RATE * 1.5 * (N / RAMP + DURATION_S + 10);
const ROUNDS = Math.max(1, Math.ceil((ACTIONS_EXPECTED * 1.5) / 3.25 / 4));

/** Synchronous last-resort cleanups (children to kill, directories to remove), for an interrupt. */
const cleanups = new Set<() => void>();

const startedAt = performance.now();
const log = (message: string) => console.log(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${message}`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const mib = (kb: number) => (kb / 1024).toFixed(1);
const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const bump = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

// --- pacing: one action per tick, at most one in flight per connection ----------------------

interface Window {
  measuring: boolean;
  stopped: boolean;
}
const phase: Window = { measuring: false, stopped: false };

/** Paced actions of one connection. `act` returns once the action's reply (or failure) is in. */
class Pacer {
  private inFlight = false;
  private pending = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly act: () => Promise<void>,
    private readonly onLate: () => void,
  ) {}

  start(): void {
    this.timer = setTimeout(() => this.tick(), Math.random() * INTERVAL_MS);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  get busy(): boolean {
    return this.inFlight;
  }

  private tick(): void {
    if (phase.stopped) return;
    this.timer = setTimeout(() => this.tick(), INTERVAL_MS * (0.5 + Math.random()));
    if (this.inFlight) {
      if (!this.pending) this.onLate();
      this.pending = true;
      return;
    }
    this.fire();
  }

  private fire(): void {
    this.inFlight = true;
    void this.act().finally(() => {
      this.inFlight = false;
      if (this.pending && !phase.stopped) {
        this.pending = false;
        this.fire();
      }
    });
  }
}

// --- measurements ----------------------------------------------------------------------------

interface LoadStats {
  /** Replies received while measuring (the achieved throughput). */
  repliesInWindow: number;
  /** Actions started while measuring. */
  issuedInWindow: number;
  late: number;
  errorsSteady: Map<string, number>;
  errorsTotal: Map<string, number>;
}
const newStats = (): LoadStats => ({ repliesInWindow: 0, issuedInWindow: 0, late: 0, errorsSteady: new Map(), errorsTotal: new Map() });

interface ProcessWindow {
  cpu0: number;
  machine0: { busy: number; total: number } | undefined;
  self0: NodeJS.CpuUsage;
  elu0: ReturnType<typeof performance.eventLoopUtilization>;
  t0: number;
}

function openWindow(pid: number): ProcessWindow {
  return {
    cpu0: cpuSeconds(pid) ?? Number.NaN,
    machine0: machineCpu(),
    self0: process.cpuUsage(),
    elu0: performance.eventLoopUtilization(),
    t0: performance.now(),
  };
}

function closeWindow(pid: number, w: ProcessWindow) {
  const seconds = (performance.now() - w.t0) / 1000;
  const machine1 = machineCpu();
  const self = process.cpuUsage(w.self0);
  return {
    seconds,
    serverCpuPct: (((cpuSeconds(pid) ?? Number.NaN) - w.cpu0) / seconds) * 100,
    machineCpuPct: w.machine0 && machine1 ? ((machine1.busy - w.machine0.busy) / (machine1.total - w.machine0.total)) * 100 : Number.NaN,
    clientCpuPct: ((self.user + self.system) / 1e6 / seconds) * 100,
    clientElu: performance.eventLoopUtilization(w.elu0).utilization,
  };
}

async function scrape(httpUrl: string): Promise<Map<string, number> | undefined> {
  try {
    const response = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return parsePrometheus(await response.text());
  } catch {
    return undefined;
  }
}

/** Connects `total` connections at `perSecond`, printing progress; `open` throws a reason on failure. */
async function ramp(label: string, total: number, perSecond: number, open: (i: number) => Promise<void>, abort: () => string | undefined) {
  const failures = new Map<string, number>();
  let next = 0;
  let inProgress = 0;
  let ok = 0;
  let failed = 0;
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

async function steady(label: string, stats: LoadStats, inFlight: () => number) {
  phase.measuring = true;
  const t0 = performance.now();
  let lastReplies = 0;
  let lastAt = t0;
  while (DURATION_S * 1000 - (performance.now() - t0) > 20) {
    await sleep(Math.min(5_000, DURATION_S * 1000 - (performance.now() - t0)));
    const now = performance.now();
    log(
      `${label} steady ${((now - t0) / 1000).toFixed(0)}/${DURATION_S} s: ` +
        `${((stats.repliesInWindow - lastReplies) / ((now - lastAt) / 1000)).toFixed(0)} replies/s, ${inFlight()} in flight`,
    );
    lastReplies = stats.repliesInWindow;
    lastAt = now;
  }
  phase.measuring = false;
}

async function drain(busy: () => number): Promise<number> {
  phase.stopped = true;
  const deadline = performance.now() + DRAIN_MS;
  while (busy() > 0 && performance.now() < deadline) await sleep(50);
  return busy();
}

// --- the Cairn run ---------------------------------------------------------------------------

type Action = { kind: 'submit'; clue: ScriptClue; guess: ScriptClue['right']; expectCorrect: boolean } | { kind: 'hint'; clue: ScriptClue };

class Player {
  private clueIndex = 0;
  private wrongPlanned = 0;
  private wrongDone = 0;
  private hintPlanned = false;
  finished = false;
  readonly pacer: Pacer;

  constructor(
    private readonly client: CairnClient,
    private readonly hunt: string,
    private readonly clues: readonly ScriptClue[],
    private readonly run: CairnRun,
  ) {
    this.planClue();
    this.pacer = new Pacer(
      () => this.act(),
      () => {
        if (phase.measuring) run.stats.late += 1;
      },
    );
  }

  private get clue(): ScriptClue {
    return this.clues[Math.min(this.clueIndex, this.clues.length - 1)]!;
  }

  private planClue(): void {
    this.wrongPlanned = 1 + Math.floor(Math.random() * 3);
    this.wrongDone = 0;
    this.hintPlanned = this.clue.hints > 0 && Math.random() < HINT_CHANCE;
  }

  private nextAction(): Action {
    const clue = this.clue;
    const wrong = () => clue.wrong[this.wrongDone++ % clue.wrong.length]!;
    if (this.finished) return { kind: 'submit', clue, guess: wrong(), expectCorrect: false };
    if (this.hintPlanned && this.wrongDone >= 1) {
      this.hintPlanned = false;
      return { kind: 'hint', clue };
    }
    if (this.wrongDone < this.wrongPlanned) return { kind: 'submit', clue, guess: wrong(), expectCorrect: false };
    return { kind: 'submit', clue, guess: clue.right, expectCorrect: true };
  }

  private solved(): void {
    this.clueIndex += 1;
    if (this.clueIndex >= this.clues.length) {
      this.finished = true;
      this.run.finishedPlayers += 1;
    } else this.planClue();
  }

  private async act(): Promise<void> {
    const action = this.nextAction();
    const measured = phase.measuring;
    const { stats } = this.run;
    if (measured) stats.issuedInWindow += 1;
    const t0 = performance.now();
    const recorder = action.kind === 'hint' ? this.run.hintLatency : this.run.submitLatency;
    try {
      if (action.kind === 'hint') {
        await this.client.hint(this.hunt, action.clue.id, 0);
      } else {
        const result = await this.client.submit(this.hunt, action.clue.id, action.guess);
        if (action.expectCorrect) {
          if (result.correct) this.solved();
          else bump(this.run.scriptSurprises, 'right guess judged wrong');
        } else if (result.correct) bump(this.run.scriptSurprises, 'wrong guess judged right');
      }
      if (measured) {
        recorder.record(t0);
        this.run.allLatency.record(t0);
      }
      if (phase.measuring) stats.repliesInWindow += 1;
    } catch (error) {
      const code = errorCode(error);
      const fromServer = !code.startsWith('client:');
      if (fromServer) {
        if (measured) {
          recorder.record(t0);
          this.run.allLatency.record(t0);
        }
        if (phase.measuring) stats.repliesInWindow += 1;
      }
      // A timed-out right guess may have been applied: the retry then finds the clue solved.
      if (action.kind === 'submit' && action.expectCorrect && code === 'clue-already-solved') this.solved();
      bump(stats.errorsTotal, `${action.kind}: ${code}`);
      if (measured) bump(stats.errorsSteady, `${action.kind}: ${code}`);
    }
  }
}

function errorCode(error: unknown): string {
  if (error instanceof CairnRequestError) {
    if (error.code === 'timeout' && error.message.startsWith('no reply')) return `client:timeout (no reply in ${REQUEST_TIMEOUT_MS / 1000} s)`;
    if (error.code === 'closed' || error.code === 'disconnected') return `client:${error.code}`;
    return error.code;
  }
  return `client:exception ${error instanceof Error ? error.message : String(error)}`;
}

class CairnRun {
  readonly stats = newStats();
  readonly submitLatency = latencyRecorder();
  readonly hintLatency = latencyRecorder();
  /** Submits and hints together: every command. */
  readonly allLatency = latencyRecorder();
  readonly scriptSurprises = new Map<string, number>();
  readonly drops = new Map<string, number>();
  readonly clients: CairnClient[] = [];
  readonly players: Player[] = [];
  finishedPlayers = 0;
  closing = false;
  /** Leaderboard changes seen by one observing player per hunt in the steady phase, and how many left the top 10 as it was. */
  readonly observed = { leaderboards: 0, unchangedTop: 0, updates: 0 };
}

interface Figures {
  offered: number;
  achieved: number;
  latency: ReturnType<ReturnType<typeof latencyRecorder>['summary']>;
  errors: number;
  connectFailed: number;
  idleKb: number;
  peakKb: number;
  hwmKb: number;
  window: ReturnType<typeof closeWindow>;
  selfPeakKb: number;
}

async function runCairn(rss: ReturnType<typeof rssSampler>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-players-'));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  cleanups.add(removeDir);
  const run = new CairnRun();
  const hunt = buildBenchHunt({ rounds: ROUNDS, maxPlayers: Math.min(100_000, PLAYERS_PER_HUNT + 10), wrongAnswerPenalty: WRONG_PENALTY });
  const definitionBytes = Buffer.byteLength(hunt.yaml);
  const env = {
    ...process.env,
    CAIRN_HOST: '127.0.0.1',
    CAIRN_PORT: '0',
    CAIRN_DATA_DIR: dataDir,
    CAIRN_TOKEN_SECRET: SECRET,
    // 'info', not 'warn': the ready line (which carries the port) is logged at info, and it is
    // the only info line a running server writes (besides the stop lines); warnings are counted.
    CAIRN_LOG_LEVEL: 'info',
    // Well above the offered rate, so that the limiter does not shape the load.
    CAIRN_GUESSES_PER_SECOND: String(Math.max(10, RATE * 20)),
    CAIRN_GUESS_BURST: String(Math.max(20, Math.ceil(RATE * 40))),
    CAIRN_MAX_FRAME_BYTES: String(Math.max(64 * 1024, definitionBytes * 2)),
  };
  let server: StartedChild | undefined;
  let serverDied: string | undefined;
  let stoppingServer = false;
  try {
    log(`starting the Cairn server (data dir ${dataDir})`);
    // BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
    server = await startChild([...extra, '--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
      cwd: ROOT,
      env,
      isReady: (line) => line.msg === 'cairn is ready' && typeof line.ws === 'string',
    });
    const srv = server;
    const killServer = () => srv.child.kill('SIGKILL');
    cleanups.add(killServer);
    void srv.exited.then(() => cleanups.delete(killServer));
    void srv.exited.then((info) => {
      if (stoppingServer) return;
      serverDied = `the server exited during the run (code ${info.code}, signal ${info.signal})`;
      log(`!!! ${serverDied}\n${srv.output().slice(-4000)}`);
    });
    const wsUrl = String(server.ready.ws);
    const httpUrl = wsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
    rss.watch(server.pid);
    log(`server pid ${server.pid} ready at ${wsUrl}`);

    // The designer spawns and starts the hunts.
    const huntIds = Array.from({ length: H }, (_, h) => `bench-${h + 1}`);
    const designer = createCairnClient({
      url: wsUrl,
      token: await mintToken(SECRET, { subject: 'bench-designer', role: 'designer', name: 'Bench designer' }, 3600),
      WebSocket: CountingWebSocket,
      reconnect: { enabled: false },
    });
    await designer.connect();
    for (const id of huntIds) {
      await designer.spawn(id, hunt.yaml);
      await designer.start(id);
    }
    await designer.close();
    log(`designer spawned and started ${H} hunt(s) of ${hunt.clues.length} clues (${definitionBytes} bytes of YAML), maxPlayers ${PLAYERS_PER_HUNT + 10}`);

    await sleep(1500);
    // Connections the kernel has completed but the server has not accepted yet: a server too busy to accept shows here.
    const port = Number(new URL(wsUrl).port);
    const listen = { maxQueued: 0, overflows0: listenOverflows() ?? 0 };
    const listenTimer = setInterval(() => {
      const q = acceptQueue(port);
      if (q) listen.maxQueued = Math.max(listen.maxQueued, q.queued);
    }, 250);
    const idleKb = statusKb(server.pid, 'VmRSS') ?? 0;
    log(`server idle RSS ${mib(idleKb)} MiB, ${openFds(server.pid) ?? '?'} fds`);

    // Players connect (ramp), join, and start playing at once.
    const connectFailures = new Map<string, number>();
    const joinFailures = new Map<string, number>();
    const ramped = await ramp(
      'cairn players',
      N,
      RAMP,
      async (i) => {
        const huntId = huntIds[i % H]!;
        const client = createCairnClient({
          url: wsUrl,
          token: () => mintToken(SECRET, { subject: `player-${i}`, role: 'player', name: `Player ${i}` }, 3600),
          WebSocket: CountingWebSocket,
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
          reconnect: { enabled: false },
          maxRetries: 0,
        });
        run.clients.push(client);
        client.on('disconnected', ({ code, reason }) => {
          if (!run.closing) bump(run.drops, `${code}${reason ? ` ${reason}` : ''}`);
        });
        try {
          await client.connect();
        } catch (error) {
          const reason = error instanceof CairnConnectionError ? `connect: close ${error.code} ${error.reason}` : `connect: ${String(error)}`;
          bump(connectFailures, reason);
          throw new Error(reason);
        }
        try {
          await client.request({ type: 'join', hunt: huntId }, { timeoutMs: JOIN_TIMEOUT_MS });
        } catch (error) {
          const reason = `join: ${errorCode(error)}`;
          bump(joinFailures, reason);
          throw new Error(reason);
        }
        if (i < H) {
          // One observer per hunt: does each leaderboard broadcast change what a player sees?
          let lastTop = '';
          client.on('update', (update) => {
            if (!wire.counting) return;
            run.observed.updates += 1;
            for (const change of update.changes) {
              if (change.kind !== 'leaderboard') continue;
              const top = JSON.stringify(change.leaderboard.top);
              run.observed.leaderboards += 1;
              if (top === lastTop) run.observed.unchangedTop += 1;
              lastTop = top;
            }
          });
        }
        const player = new Player(client, huntId, hunt.clues, run);
        run.players.push(player);
        player.pacer.start();
      },
      () => serverDied,
    );
    const rampPeakKb = rss.peakKb(server.pid);
    log(`after the ramp: server RSS ${mib(statusKb(server.pid, 'VmRSS') ?? 0)} MiB, ${openFds(server.pid) ?? '?'} fds; bench ${openFds('self') ?? '?'} fds`);

    // Steady phase.
    let window: ReturnType<typeof closeWindow> | undefined;
    let metrics0: Map<string, number> | undefined;
    let metrics1: Map<string, number> | undefined;
    let wireCounts = wire.counts;
    if (!serverDied) {
      metrics0 = await scrape(httpUrl);
      wire.reset();
      wire.counting = true;
      const w = openWindow(server.pid);
      await steady('cairn', run.stats, () => run.players.filter((p) => p.pacer.busy).length);
      window = closeWindow(server.pid, w);
      wire.counting = false;
      wireCounts = wire.counts;
      metrics1 = await scrape(httpUrl);
    }
    const unanswered = await drain(() => run.players.filter((p) => p.pacer.busy).length);
    for (const p of run.players) p.pacer.stop();
    clearInterval(listenTimer);
    const listenReport = { maxQueued: listen.maxQueued, overflows: (listenOverflows() ?? 0) - listen.overflows0 };
    rss.sample();
    const peakKb = rss.peakKb(server.pid);
    const hwmKb = statusKb(server.pid, 'VmHWM') ?? 0;
    const selfPeakKb = rss.selfPeakKb();
    log(`drained (${unanswered} actions still unanswered after ${DRAIN_MS / 1000} s); closing ${run.clients.length} clients`);

    run.closing = true;
    for (let i = 0; i < run.clients.length; i += 1000) await Promise.all(run.clients.slice(i, i + 1000).map((c) => c.close()));
    log('clients closed; stopping the server');
    stoppingServer = true;
    const exit = serverDied ? server.exit() : await server.stop();
    const warnings = server.warnings();
    if (!serverDied && exit && exit.code !== 0) serverDied = `the server did not stop cleanly (code ${exit.code}, signal ${exit.signal})`;

    const submitSummary = run.submitLatency.summary();
    const hintSummary = run.hintLatency.summary();
    const allLatency = run.allLatency.summary();
    const seconds = window?.seconds ?? DURATION_S;
    const errorsSteady = [...run.stats.errorsSteady.values()].reduce((a, b) => a + b, 0);
    const figures: Figures = {
      offered: N * RATE,
      achieved: run.stats.repliesInWindow / seconds,
      latency: allLatency,
      errors: errorsSteady,
      connectFailed: ramped.failed,
      idleKb,
      peakKb,
      hwmKb,
      window: window ?? { seconds, serverCpuPct: Number.NaN, machineCpuPct: Number.NaN, clientCpuPct: Number.NaN, clientElu: Number.NaN },
      selfPeakKb,
    };
    return {
      figures,
      run,
      ramped,
      rampPeakKb,
      connectFailures,
      joinFailures,
      submitSummary,
      hintSummary,
      wireCounts,
      seconds,
      metrics0,
      metrics1,
      unanswered,
      serverDied,
      warnings,
      huntClues: hunt.clues.length,
      definitionBytes,
      listenReport,
      playing: run.players.length,
    };
  } finally {
    stoppingServer = true;
    if (server && !server.exit()) await server.stop(5_000);
    removeDir();
    cleanups.delete(removeDir);
  }
}

// --- the echo baseline -----------------------------------------------------------------------

/** A submit message padded to `bytes` when encoded (ids of the size a per-connection counter has). */
function echoMessage(bytes: number): (id: number) => Record<string, unknown> {
  const make = (pad: number) => (id: number) => ({
    type: 'submit',
    id,
    hunt: 'bench-1',
    commandId: randomUUID(),
    clue: 'fountain',
    guess: { kind: 'answer', text: 'x'.repeat(pad) },
  });
  let pad = 1;
  while (encodeMessage(make(pad)(50)).byteLength < bytes && pad < 60_000) pad += 1;
  return make(pad);
}

async function runEcho(rss: ReturnType<typeof rssSampler>, requestBytes: number) {
  const stats = newStats();
  const latency = latencyRecorder();
  let server: StartedChild | undefined;
  let died: string | undefined;
  let stopping = false;
  const sockets: WebSocket[] = [];
  const pacers: Pacer[] = [];
  const drops = new Map<string, number>();
  let closing = false;
  const message = echoMessage(requestBytes);
  try {
    server = await startChild(['--import', 'tsx', path.join(ROOT, 'bench/echo-server.ts')], {
      cwd: ROOT,
      env: process.env,
      isReady: (line) => line.msg === 'echo ready',
    });
    const srv = server;
    const killServer = () => srv.child.kill('SIGKILL');
    cleanups.add(killServer);
    void srv.exited.then(() => cleanups.delete(killServer));
    void srv.exited.then((info) => {
      if (!stopping) died = `the echo server exited during the run (code ${info.code}, signal ${info.signal})`;
    });
    rss.watch(server.pid);
    const url = String(server.ready.ws);
    log(`echo server pid ${server.pid} ready at ${url}; frames of ${encodeMessage(message(50)).byteLength} bytes`);
    await sleep(1500);
    const idleKb = statusKb(server.pid, 'VmRSS') ?? 0;

    const ramped = await ramp(
      'echo connections',
      N,
      RAMP,
      (i) =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          sockets.push(ws);
          let nextId = 1;
          let waiting: (() => void) | undefined;
          ws.on('message', (data: Buffer) => {
            decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
            const done = waiting;
            waiting = undefined;
            done?.();
          });
          ws.on('error', () => undefined);
          ws.on('close', (code) => {
            if (!closing) bump(drops, String(code));
            const done = waiting;
            waiting = undefined;
            done?.();
            reject(new Error(`connect: close ${code}`));
          });
          ws.on('open', () => {
            const pacer = new Pacer(
              () =>
                new Promise<void>((settle) => {
                  const measured = phase.measuring;
                  if (measured) stats.issuedInWindow += 1;
                  const t0 = performance.now();
                  waiting = () => {
                    if (ws.readyState === WebSocket.OPEN) {
                      if (measured) latency.record(t0);
                      if (phase.measuring) stats.repliesInWindow += 1;
                    } else {
                      bump(stats.errorsTotal, 'closed');
                      if (measured) bump(stats.errorsSteady, 'closed');
                    }
                    settle();
                  };
                  ws.send(encodeMessage(message(nextId++)));
                }),
              () => {
                if (phase.measuring) stats.late += 1;
              },
            );
            pacers.push(pacer);
            pacer.start();
            resolve();
          });
          void i;
        }),
      () => died,
    );

    let window: ReturnType<typeof closeWindow> | undefined;
    if (!died) {
      const w = openWindow(server.pid);
      await steady('echo', stats, () => pacers.filter((p) => p.busy).length);
      window = closeWindow(server.pid, w);
    }
    const unanswered = await drain(() => pacers.filter((p) => p.busy).length);
    for (const p of pacers) p.stop();
    rss.sample();
    const peakKb = rss.peakKb(server.pid);
    const hwmKb = statusKb(server.pid, 'VmHWM') ?? 0;
    closing = true;
    for (const ws of sockets) ws.close();
    await sleep(500);
    stopping = true;
    await server.stop();
    const seconds = window?.seconds ?? DURATION_S;
    const figures: Figures = {
      offered: N * RATE,
      achieved: stats.repliesInWindow / seconds,
      latency: latency.summary(),
      errors: [...stats.errorsSteady.values()].reduce((a, b) => a + b, 0),
      connectFailed: ramped.failed,
      idleKb,
      peakKb,
      hwmKb,
      window: window ?? { seconds, serverCpuPct: Number.NaN, machineCpuPct: Number.NaN, clientCpuPct: Number.NaN, clientElu: Number.NaN },
      selfPeakKb: rss.selfPeakKb(),
    };
    return { figures, stats, ramped, drops, unanswered, died, playing: pacers.length };
  } finally {
    stopping = true;
    for (const ws of sockets) ws.terminate();
    if (server && !server.exit()) await server.stop(5_000);
  }
}

// --- main ------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const command = `tsx bench/players.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  const limit = openFileLimit();
  const ports = ephemeralPortRange();
  console.log(`Cairn player benchmark: ${command}`);
  console.log(
    `node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ` +
      `N=${N} players in H=${H} hunt(s) (${PLAYERS_PER_HUNT} per hunt), ${DURATION_S} s steady, ${RATE} commands/s offered per player, ` +
      `ramp ${RAMP} connections/s`,
  );
  // Each of this process and the server holds one descriptor per player, plus ~100 of their own.
  const needed = 2 * N + 100;
  console.log(`ulimit -n: soft ${limit.soft}, hard ${limit.hard}; the run needs ${N + 100} per process, ${needed} recommended`);
  if (limit.soft < N + 100) {
    console.error(
      `\nThe open-files limit (ulimit -n = ${limit.soft}) is too low for ${N} players: this process and the server each ` +
        `hold one socket per player. Raise it for the command, e.g.\n` +
        `  bash -c 'ulimit -n ${Math.min(limit.hard, Math.max(needed, 1024))} && npx ${command}'\n` +
        (limit.hard < N + 100 ? `(the hard limit is ${limit.hard}: ask for a higher one, or run fewer players)\n` : ''),
    );
    return 2;
  }
  if (limit.soft < needed) {
    console.log(
      `NOTE: ulimit -n ${limit.soft} is below 2×N+100 = ${needed}. The server and this process each need ~${N + 100}, ` +
        'which fits, but there is little headroom.',
    );
  }
  if (ports && N > ports.high - ports.low + 1) {
    console.log(`WARNING: ${N} connections from one address exceed the ephemeral port range ${ports.low}-${ports.high}.`);
  }

  const rss = rssSampler(500);
  const cairn = await runCairn(rss);
  const w = cairn.wireCounts;
  const avgRequest = w.requests > 0 ? w.requestBytes / w.requests : 150;
  const avgReply = w.replies > 0 ? w.replyBytes / w.replies : Number.NaN;
  const avgUpdate = w.updates > 0 ? w.updateBytes / w.updates : Number.NaN;

  phase.stopped = false;
  phase.measuring = false;
  log(`echo baseline: ${N} connections, ${RATE} frames/s each, ${Math.round(avgRequest)}-byte frames (the Cairn run's average request)`);
  const echo = await runEcho(rss, Math.round(avgRequest));
  rss.stop();

  // --- report --------------------------------------------------------------------------------
  const c = cairn.figures;
  const e = echo.figures;
  const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) : 'n/a');
  // Machine-wide busy time minus the server's and this process's: other sessions, tsx, the kernel's softirqs.
  const others = (f: Figures) => f.window.machineCpuPct * os.cpus().length - f.window.serverCpuPct - f.window.clientCpuPct;
  const perConn = (f: Figures) => ((Math.max(f.peakKb, f.hwmKb) - f.idleKb) / Math.max(1, N - f.connectFailed));

  console.log('\n=== Cairn player benchmark ===');
  table([
    { setting: 'command', value: `npx ${command}` },
    { setting: 'node', value: process.version },
    { setting: 'machine', value: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ulimit -n ${limit.soft}` },
    { setting: 'players N', value: N },
    { setting: 'hunts H', value: `${H} (${PLAYERS_PER_HUNT} players each; ${cairn.huntClues} clues each)` },
    { setting: 'steady duration', value: `${DURATION_S} s (measured ${cairn.seconds.toFixed(1)} s)` },
    { setting: 'offered rate', value: `${RATE} commands/s per player = ${N * RATE} commands/s` },
    { setting: 'command mix', value: 'per clue: 1-3 wrong guesses, the right one, hint 0 on 25% of clues with hints' },
    { setting: 'scoring', value: `wrong answer penalty ${WRONG_PENALTY} (example: 5), speed bonus, 5 attempts per clue` },
    { setting: 'client', value: `SDK, 1 socket/player, reconnect off, maxRetries 0, request timeout ${REQUEST_TIMEOUT_MS / 1000} s` },
    { setting: 'ramp', value: `${RAMP} connections/s: Cairn ${cairn.ramped.seconds.toFixed(1)} s, echo ${echo.ramped.seconds.toFixed(1)} s` },
    { setting: 'server settings', value: `CAIRN_GUESSES_PER_SECOND=${Math.max(10, RATE * 20)} CAIRN_GUESS_BURST=${Math.max(20, Math.ceil(RATE * 40))} CAIRN_LOG_LEVEL=info` },
  ]);

  console.log('\nSteady phase: Cairn (SDK, real server) vs raw ws echo (same connections, frame rate and request size)');
  table([
    { metric: 'offered msgs/s', cairn: fixed(c.offered, 0), echo: fixed(e.offered, 0), 'cairn/echo': ratio(c.offered, e.offered) },
    { metric: 'offered by connected players msgs/s', cairn: fixed(cairn.playing * RATE, 0), echo: fixed(echo.playing * RATE, 0), 'cairn/echo': '' },
    { metric: 'achieved msgs/s', cairn: fixed(c.achieved, 0), echo: fixed(e.achieved, 0), 'cairn/echo': ratio(c.achieved, e.achieved) },
    { metric: 'replies measured', cairn: c.latency.count, echo: e.latency.count, 'cairn/echo': '' },
    { metric: 'p50 ms', cairn: c.latency.p50, echo: e.latency.p50, 'cairn/echo': ratio(Number(c.latency.p50), Number(e.latency.p50)) },
    { metric: 'p99 ms', cairn: c.latency.p99, echo: e.latency.p99, 'cairn/echo': ratio(Number(c.latency.p99), Number(e.latency.p99)) },
    { metric: 'p99.9 ms', cairn: c.latency.p999, echo: e.latency.p999, 'cairn/echo': ratio(Number(c.latency.p999), Number(e.latency.p999)) },
    { metric: 'max ms', cairn: c.latency.max, echo: e.latency.max, 'cairn/echo': ratio(Number(c.latency.max), Number(e.latency.max)) },
    { metric: 'errors (steady)', cairn: c.errors, echo: e.errors, 'cairn/echo': '' },
    { metric: 'ticks late (prev. unanswered)', cairn: cairn.run.stats.late, echo: echo.stats.late, 'cairn/echo': '' },
    { metric: 'connections failed', cairn: c.connectFailed, echo: e.connectFailed, 'cairn/echo': '' },
    { metric: 'server idle RSS MiB', cairn: mib(c.idleKb), echo: mib(e.idleKb), 'cairn/echo': ratio(c.idleKb, e.idleKb) },
    { metric: 'server peak RSS MiB (sampled / VmHWM)', cairn: `${mib(c.peakKb)} / ${mib(c.hwmKb)}`, echo: `${mib(e.peakKb)} / ${mib(e.hwmKb)}`, 'cairn/echo': ratio(c.hwmKb, e.hwmKb) },
    { metric: 'server RSS per connection KiB', cairn: fixed(perConn(c)), echo: fixed(perConn(e)), 'cairn/echo': ratio(perConn(c), perConn(e)) },
    { metric: 'server CPU % (of 1 core)', cairn: fixed(c.window.serverCpuPct, 0), echo: fixed(e.window.serverCpuPct, 0), 'cairn/echo': ratio(c.window.serverCpuPct, e.window.serverCpuPct) },
    { metric: 'bench client CPU % (of 1 core)', cairn: fixed(c.window.clientCpuPct, 0), echo: fixed(e.window.clientCpuPct, 0), 'cairn/echo': '' },
    { metric: 'bench client event-loop utilisation', cairn: fixed(c.window.clientElu, 2), echo: fixed(e.window.clientElu, 2), 'cairn/echo': '' },
    { metric: 'machine CPU % (all cores)', cairn: fixed(c.window.machineCpuPct, 0), echo: fixed(e.window.machineCpuPct, 0), 'cairn/echo': '' },
    { metric: 'other processes CPU % (of 1 core)', cairn: fixed(others(c), 0), echo: fixed(others(e), 0), 'cairn/echo': '' },
    { metric: 'bench client peak RSS MiB (whole run)', cairn: mib(c.selfPeakKb), echo: mib(e.selfPeakKb), 'cairn/echo': '' },
  ]);

  const perSecond = (n: number) => fixed(n / cairn.seconds, 0);
  console.log('\nCairn detail (steady phase)');
  table([
    { item: 'submit latency ms p50/p99/p99.9/max', value: `${cairn.submitSummary.p50} / ${cairn.submitSummary.p99} / ${cairn.submitSummary.p999} / ${cairn.submitSummary.max} (n=${cairn.submitSummary.count})` },
    { item: 'hint latency ms p50/p99/p99.9/max', value: `${cairn.hintSummary.p50} / ${cairn.hintSummary.p99} / ${cairn.hintSummary.p999} / ${cairn.hintSummary.max} (n=${cairn.hintSummary.count})` },
    { item: 'actions issued / replies received', value: `${cairn.run.stats.issuedInWindow} / ${cairn.run.stats.repliesInWindow}` },
    { item: 'avg request frame bytes', value: fixed(avgRequest) },
    { item: 'avg reply frame bytes', value: fixed(avgReply) },
    { item: 'update frames/s received (all players)', value: `${perSecond(w.updates)} (${fixed(w.updates / Math.max(1, cairn.run.stats.repliesInWindow), 1)} per reply), avg ${fixed(avgUpdate)} bytes` },
    {
      item: 'observer players: leaderboard changes / with the top 10 unchanged',
      value: `${cairn.run.observed.leaderboards} / ${cairn.run.observed.unchangedTop} (${fixed((cairn.run.observed.unchangedTop / Math.max(1, cairn.run.observed.leaderboards)) * 100, 0)}%) in ${cairn.run.observed.updates} update frames`,
    },
    { item: 'bytes/s received by all players', value: `${fixed((w.replyBytes + w.updateBytes + w.otherBytes) / cairn.seconds / 2 ** 20, 2)} MiB/s` },
    { item: 'players who finished every clue', value: cairn.run.finishedPlayers },
    { item: 'actions unanswered after drain', value: cairn.unanswered },
    { item: 'script surprises', value: [...cairn.run.scriptSurprises].map(([k, v]) => `${k}: ${v}`).join(', ') || 'none' },
    { item: 'connections dropped during the run', value: [...cairn.run.drops].map(([k, v]) => `${k}: ${v}`).join(', ') || 'none' },
    { item: 'server RSS at end of ramp (peak) MiB', value: mib(cairn.rampPeakKb) },
    {
      item: 'server accept queue: max connections waiting for accept() (backlog 511); SYNs dropped (ListenOverflows)',
      value: `${cairn.listenReport.maxQueued}; ${cairn.listenReport.overflows} (machine-wide, whole Cairn phase)`,
    },
    { item: 'server warnings (pino level >= 40)', value: [...cairn.warnings].map(([k, v]) => `${k} ×${v}`).join('; ') || 'none' },
  ]);

  const errorRows = [...new Set([...cairn.run.stats.errorsTotal.keys()])].map((code) => ({
    code,
    steady: cairn.run.stats.errorsSteady.get(code) ?? 0,
    'whole run': cairn.run.stats.errorsTotal.get(code) ?? 0,
  }));
  console.log('\nCairn errors by code');
  if (errorRows.length > 0) table(errorRows);
  else console.log('  none');
  if (cairn.connectFailures.size + cairn.joinFailures.size > 0) {
    console.log('Player connection/join failures');
    table([...cairn.connectFailures, ...cairn.joinFailures].map(([reason, count]) => ({ reason, count })));
  }
  if (echo.ramped.failures.size > 0 || echo.drops.size > 0) {
    console.log('Echo connection failures / drops');
    table([...echo.ramped.failures, ...[...echo.drops].map(([k, v]) => [`dropped ${k}`, v] as const)].map(([reason, count]) => ({ reason, count })));
  }

  if (!cairn.metrics0 || !cairn.metrics1) {
    console.log('\nServer-side view: /metrics could not be read within 10 s (the server did not answer: its event loop was saturated)');
  } else {
    const m0 = cairn.metrics0;
    const m1 = cairn.metrics1;
    const d = (key: string) => (m1.get(key) ?? 0) - (m0.get(key) ?? 0);
    const find = (part: string) => [...m1.keys()].find((k) => k.includes(part));
    const lagP99 = find('eventloop_lag_p99_seconds');
    const lagMax = find('eventloop_lag_max_seconds');
    const commits = d('cairn_journal_commit_duration_seconds_count');
    console.log('\nServer-side view (/metrics, difference across the steady phase)');
    table([
      { item: 'submit: server-side avg ms (receive → reply)', value: fixed((d('cairn_command_duration_seconds_sum{type="submit"}') / Math.max(1, d('cairn_command_duration_seconds_count{type="submit"}'))) * 1000, 2) },
      { item: 'frames in/s (all types)', value: perSecond([...m1.keys()].filter((k) => k.startsWith('cairn_frames_in_total')).reduce((sum, k) => sum + d(k), 0)) },
      { item: 'update frames out/s', value: perSecond(d('cairn_frames_out_total{type="update"}')) },
      { item: 'reply frames out/s', value: perSecond(d('cairn_frames_out_total{type="reply"}')) },
      { item: 'journal commits/s, avg appends per commit, avg commit ms', value: `${perSecond(commits)}, ${fixed(d('cairn_journal_commit_appends_sum') / Math.max(1, commits), 1)}, ${fixed((d('cairn_journal_commit_duration_seconds_sum') / Math.max(1, commits)) * 1000, 2)}` },
      { item: 'slow-consumer disconnects (4002)', value: d('cairn_slow_consumer_disconnects_total') },
      { item: 'event-loop lag p99 / max ms (since previous scrape)', value: `${lagP99 ? fixed((m1.get(lagP99) ?? 0) * 1000, 1) : 'n/a'} / ${lagMax ? fixed((m1.get(lagMax) ?? 0) * 1000, 1) : 'n/a'}` },
    ]);
  }

  const saturated = c.window.clientElu > 0.9;
  if (saturated) {
    console.log(
      `\nNOTE: the bench client's event loop was busy ${(c.window.clientElu * 100).toFixed(0)}% of the Cairn steady phase: ` +
        'latencies include time the replies waited in this process, not only in the server.',
    );
  }

  const problems: string[] = [];
  if (cairn.serverDied) problems.push(cairn.serverDied);
  if (echo.died) problems.push(echo.died);
  if (cairn.ramped.failed > 0) problems.push(`${cairn.ramped.failed} of ${N} players failed to connect or join`);
  if (echo.ramped.failed > 0) problems.push(`${echo.ramped.failed} of ${N} echo connections failed`);
  if (problems.length > 0) {
    console.log(`\nFAILED: ${problems.join('; ')}`);
    return 1;
  }
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: killing the child processes and removing the temp dir`);
    for (const cleanup of cleanups) cleanup();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('benchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
