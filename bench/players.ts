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
 * The player script, its pacing and its latency bookkeeping are in bench/player-script.ts; the
 * echo connections are paced the same way.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { decodeFrame, encodeMessage } from '../protocol/codec.js';
import type { CairnClient } from '../src/client/index.js';
import { elapsedLog, fixed, latencyRecorder, mib, numberArg, sleep, table } from './bench-kit.js';
import { buildBenchHunt } from './bench-hunt.js';
import { BENCH_SECRET, ROOT, cairnEnv, limiterSettings, startCairn, type CairnProcess } from './cairn-process.js';
import { DRAIN_MS, closeWindow, drain, emptyWindow, openWindow, ramp, scrape, steady, type WindowFigures } from './load-phases.js';
import {
  Pacer,
  Player,
  REQUEST_TIMEOUT_MS,
  ScriptRun,
  bump,
  joinAsPlayer,
  newStats,
  scriptRounds,
  spawnHunts,
  type LoadPhase,
} from './player-script.js';
import {
  acceptQueue,
  ephemeralPortRange,
  openFds,
  listenOverflows,
  openFileLimit,
  rssSampler,
  startChild,
  statusKb,
  type StartedChild,
} from './proc-kit.js';
import { CountingWebSocket, wire } from './wire-counter.js';

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

const N = numberArg('players', args.players, args.quick ? 200 : 1000, true, 1);
const H = numberArg('hunts', args.hunts, Math.max(1, Math.ceil(N / 500)), true, 1);
const DURATION_S = numberArg('duration', args.duration, args.quick ? 10 : 30, false, 1);
const RATE = numberArg('rate', args.rate, 0.5, false, 0.001);
const RAMP = numberArg('ramp', args.ramp, 200, false, 1);
const WRONG_PENALTY = numberArg('wrong-penalty', args['wrong-penalty'], 5, true, 0);
const PLAYERS_PER_HUNT = Math.ceil(N / H);
const ROUNDS = scriptRounds({ players: N, rate: RATE, rampPerSecond: RAMP, durationS: DURATION_S });

/** Synchronous last-resort cleanups (children to kill, directories to remove), for an interrupt. */
const cleanups = new Set<() => void>();

const log = elapsedLog();

/** Pacing of both runs: one action per tick, at most one in flight per connection. */
const phase: LoadPhase = { intervalMs: 1000 / RATE, measuring: false, stopped: false };

// --- the Cairn run ---------------------------------------------------------------------------

class CairnRun extends ScriptRun {
  readonly drops = new Map<string, number>();
  readonly clients: CairnClient[] = [];
  readonly players: Player[] = [];
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
  window: WindowFigures;
  selfPeakKb: number;
}

async function runCairn(rss: ReturnType<typeof rssSampler>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-players-'));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  cleanups.add(removeDir);
  const run = new CairnRun(phase);
  const hunt = buildBenchHunt({ rounds: ROUNDS, maxPlayers: Math.min(100_000, PLAYERS_PER_HUNT + 10), wrongAnswerPenalty: WRONG_PENALTY });
  const definitionBytes = Buffer.byteLength(hunt.yaml);
  let server: CairnProcess | undefined;
  let serverDied: string | undefined;
  let stoppingServer = false;
  try {
    log(`starting the Cairn server (data dir ${dataDir})`);
    server = await startCairn({ env: cairnEnv({ dataDir, rate: RATE, definitionBytes }), cleanups });
    const srv = server;
    void srv.exited.then((info) => {
      if (stoppingServer) return;
      serverDied = `the server exited during the run (code ${info.code}, signal ${info.signal})`;
      log(`!!! ${serverDied}\n${srv.output().slice(-4000)}`);
    });
    const { wsUrl, httpUrl } = server;
    rss.watch(server.pid);
    log(`server pid ${server.pid} ready at ${wsUrl}`);

    // The designer spawns and starts the hunts.
    const huntIds = Array.from({ length: H }, (_, h) => `bench-${h + 1}`);
    await spawnHunts({ url: wsUrl, secret: BENCH_SECRET, ids: huntIds, yaml: hunt.yaml, WebSocket: CountingWebSocket });
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
    const ramped = await ramp({
      label: 'cairn players',
      total: N,
      perSecond: RAMP,
      log,
      abort: () => serverDied,
      open: async (i) => {
        const huntId = huntIds[i % H]!;
        const client = await joinAsPlayer({
          url: wsUrl,
          secret: BENCH_SECRET,
          index: i,
          hunt: huntId,
          run,
          WebSocket: CountingWebSocket,
          onClient: (c) => {
            run.clients.push(c);
            c.on('disconnected', ({ code, reason }) => {
              if (!run.closing) bump(run.drops, `${code}${reason ? ` ${reason}` : ''}`);
            });
          },
        });
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
    });
    const rampPeakKb = rss.peakKb(server.pid);
    log(`after the ramp: server RSS ${mib(statusKb(server.pid, 'VmRSS') ?? 0)} MiB, ${openFds(server.pid) ?? '?'} fds; bench ${openFds('self') ?? '?'} fds`);

    // Steady phase.
    let window: WindowFigures | undefined;
    let metrics0: Map<string, number> | undefined;
    let metrics1: Map<string, number> | undefined;
    let wireCounts = wire.counts;
    if (!serverDied) {
      metrics0 = await scrape(httpUrl);
      wire.reset();
      wire.counting = true;
      const w = openWindow([server.pid]);
      await steady({ label: 'cairn', phase, durationS: DURATION_S, stats: run.stats, inFlight: () => run.players.filter((p) => p.pacer.busy).length, log });
      window = closeWindow(w);
      wire.counting = false;
      wireCounts = wire.counts;
      metrics1 = await scrape(httpUrl);
    }
    const unanswered = await drain(phase, () => run.players.filter((p) => p.pacer.busy).length);
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
      window: window ?? emptyWindow(seconds),
      selfPeakKb,
    };
    return {
      figures,
      run,
      ramped,
      rampPeakKb,
      connectFailures: run.connectFailures,
      joinFailures: run.joinFailures,
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
      onSpawn: (child) => {
        const kill = () => child.kill('SIGKILL');
        cleanups.add(kill);
        child.once('exit', () => cleanups.delete(kill));
      },
    });
    void server.exited.then((info) => {
      if (!stopping) died = `the echo server exited during the run (code ${info.code}, signal ${info.signal})`;
    });
    rss.watch(server.pid);
    const url = String(server.ready.ws);
    log(`echo server pid ${server.pid} ready at ${url}; frames of ${encodeMessage(message(50)).byteLength} bytes`);
    await sleep(1500);
    const idleKb = statusKb(server.pid, 'VmRSS') ?? 0;

    const ramped = await ramp({
      label: 'echo connections',
      total: N,
      perSecond: RAMP,
      log,
      abort: () => died,
      open: () =>
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
              phase,
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
        }),
    });

    let window: WindowFigures | undefined;
    if (!died) {
      const w = openWindow([server.pid]);
      await steady({ label: 'echo', phase, durationS: DURATION_S, stats, inFlight: () => pacers.filter((p) => p.busy).length, log });
      window = closeWindow(w);
    }
    const unanswered = await drain(phase, () => pacers.filter((p) => p.busy).length);
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
      window: window ?? emptyWindow(seconds),
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
    { setting: 'server settings', value: `${Object.entries(limiterSettings(RATE)).map(([k, v]) => `${k}=${v}`).join(' ')} CAIRN_LOG_LEVEL=info` },
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
