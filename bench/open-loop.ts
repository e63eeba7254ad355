/**
 * Open-loop load: many connected players and a fixed offered rate, sent on schedule whether or
 * not the server keeps up (bench/open-loop-driver.ts), each command timed from when it fell due.
 * Reports submit → reply percentiles, failed connections, errors by code and achieved ÷ offered.
 * A benchmark, not a test.
 *
 *   npm run bench:open-loop                         # 10,000 players (ramp 1,000/s), 5,000 commands/s, 30 s
 *   npm run bench:open-loop -- --quick              # 1,000 players, 500 commands/s, 10 s
 *
 * Options: --players N (10000), --hunts H (N/20), --rate R (5000 offered commands/s in all),
 * --ramp C (1000 connections/s), --duration S (30), --target cairn|colyseus (cairn), --quick.
 * One socket per player in this process and in the server: the npm script raises `ulimit -n` to
 * the hard limit first.
 */
import { parseArgs } from 'node:util';
import { elapsedLog, fixed, mib, numberArg, ratio, runBench, sleep, table } from './bench-kit.js';
import { closeWindow, drain, openWindow, steady } from './load-phases.js';
import { closeSession, openSession } from './load-session.js';
import { OpenLoop } from './open-loop-driver.js';
import { scriptHunt } from './player-script.js';
import { descriptorsFit, statusKb } from './proc-kit.js';
import { gameTarget } from './targets.js';

const { values: args } = parseArgs({
  options: {
    players: { type: 'string' },
    hunts: { type: 'string' },
    rate: { type: 'string' },
    ramp: { type: 'string' },
    duration: { type: 'string' },
    target: { type: 'string', default: 'cairn' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: tsx bench/open-loop.ts [--players N] [--hunts H] [--rate R] [--ramp C] [--duration S] [--target cairn|colyseus] [--quick]');
  process.exit(0);
}
const PLAYERS = numberArg('players', args.players, args.quick ? 1000 : 10_000, true, 1);
const HUNTS = numberArg('hunts', args.hunts, Math.max(1, Math.ceil(PLAYERS / 20)), true, 1);
const RATE = numberArg('rate', args.rate, args.quick ? 500 : 5000, false, 1);
const RAMP = numberArg('ramp', args.ramp, 1000, false, 1);
const DURATION_S = numberArg('duration', args.duration, args.quick ? 10 : 30, false, 1);
const make = gameTarget(args.target!);

const cleanups = new Set<() => void>();
const log = elapsedLog();

async function main(): Promise<number> {
  const command = `tsx bench/open-loop.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(`Open-loop benchmark: ${command}`);
  if (!descriptorsFit(PLAYERS, command)) return 2;
  const ratePerPlayer = RATE / PLAYERS;
  const hunt = scriptHunt({ players: PLAYERS, hunts: HUNTS, rate: ratePerPlayer, rampPerSecond: RAMP, durationS: DURATION_S });
  const s = await openSession(make, { players: PLAYERS, hunts: HUNTS, ratePerPlayer, rampPerSecond: RAMP, hunt, cleanups, log });
  const { run, phase, server } = s;
  const loop = new OpenLoop(s.connections, RATE, phase);
  let code = 0;
  try {
    loop.start();
    await sleep(3_000);
    const w = openWindow([server.pid]);
    await steady({ label: `open loop ${RATE}/s`, phase, durationS: DURATION_S, stats: run.stats, inFlight: () => loop.inFlight, log });
    const window = closeWindow(w);
    const rssKb = statusKb(server.pid, 'VmRSS') ?? Number.NaN;
    const unanswered = await drain(phase, () => loop.inFlight);
    loop.stop();
    const achieved = run.stats.repliesInWindow / window.seconds;
    const submit = run.submitLatency.summary();
    const all = run.allLatency.summary();
    const errors = [...run.stats.errorsSteady].sort((a, b) => b[1] - a[1]);

    console.log(`\n=== open loop, ${s.target.name}: ${PLAYERS} players in ${HUNTS} hunts, ${RATE} commands/s offered, ${DURATION_S} s ===`);
    table([
      { item: 'players connected and joined / failed', value: `${s.ramped.ok} / ${s.ramped.failed} (ramp ${RAMP}/s took ${s.ramped.seconds.toFixed(1)} s)` },
      { item: 'offered commands/s', value: RATE },
      { item: 'achieved replies/s (achieved ÷ offered)', value: `${fixed(achieved, 0)} (${ratio(achieved, RATE)})` },
      { item: 'submit → reply ms p50 / p99 / p99.9 / max (from when due)', value: `${submit.p50} / ${submit.p99} / ${submit.p999} / ${submit.max} (n=${submit.count})` },
      { item: 'all commands ms p50 / p99 / p99.9 / max', value: `${all.p50} / ${all.p99} / ${all.p999} / ${all.max} (n=${all.count})` },
      { item: 'errors (window)', value: errors.reduce((a, [, n]) => a + n, 0) },
      { item: 'commands sent >10 ms after due / largest queue of due commands', value: `${loop.sentLate} / ${loop.maxBacklog}` },
      { item: 'unanswered after the drain', value: unanswered },
      { item: 'server CPU % of 1 core, µs per command', value: `${fixed(window.serverCpuPct, 0)}, ${fixed((window.serverCpuSeconds * 1e6) / Math.max(1, run.stats.repliesInWindow), 0)}` },
      { item: 'server RSS MiB idle / joined / end of window', value: `${mib(s.idleKb)} / ${mib(s.joinedKb)} / ${mib(rssKb)}` },
      { item: 'bench client CPU % / event-loop utilisation', value: `${fixed(window.clientCpuPct, 0)} / ${fixed(window.clientElu, 2)}` },
      { item: 'machine CPU % (all cores)', value: fixed(window.machineCpuPct, 0) },
    ]);
    console.log('\nErrors by code (window)');
    if (errors.length > 0) table(errors.map(([code, count]) => ({ code, count })));
    else console.log('  none');
    if (s.ramped.failures.size + s.drops.size > 0) {
      console.log('\nFailed connections and drops');
      table([...s.ramped.failures, ...[...s.drops].map(([k, v]) => [`dropped: ${k}`, v] as const)].map(([reason, count]) => ({ reason, count })));
    }
    if (window.clientElu > 0.9) {
      console.log(`\nNOTE: this process's event loop was ${(window.clientElu * 100).toFixed(0)}% busy: it, not only the server, may be what held the rate back.`);
    }
    code = s.ramped.failed > 0 ? 1 : 0;
  } finally {
    loop.stop();
    const problems = await closeSession(s);
    for (const p of problems) console.log(`\nPROBLEM: ${p}`);
    if (problems.length > 0) code = 1;
  }
  return code;
}

runBench(main, cleanups);
