/**
 * Soak: a steady open-loop load (bench/open-loop-driver.ts) for many minutes, one line a minute
 * with the server's RSS, that minute's errors and p99, then whether memory kept growing: RSS at
 * minute 5 (or the last, for shorter runs) against the last minute. A benchmark, not a test.
 *
 *   npm run soak                                    # 30 minutes at the default rate
 *   npm run soak -- --minutes 1                     # a quick check
 *
 * Options: --minutes M (30), --rate R (offered commands/s in all; default 600: half of the ~1,200/s
 * at which an embedded Cairn process and this client saturated a 2-core machine in
 * `bench:open-loop --players 1000`: all answered at 1,000/s, p50 22 ms; at 1,400/s 0.95 of it
 * answered, p50 256 ms, both cores 98% busy),
 * --players N (3000: at 600/s each player plays one command every 5 s, so that half an hour of
 * play fits in a hunt file under the 256 KiB definition limit), --hunts H (N/20), --ramp C (500
 * connections/s), --target cairn|colyseus (cairn).
 */
import { parseArgs } from 'node:util';
import { elapsedLog, fixed, mib, numberArg, runBench, sleep } from './bench-kit.js';
import { cpuTotal, drain, scrape } from './load-phases.js';
import { closeSession, openSession } from './load-session.js';
import { OpenLoop } from './open-loop-driver.js';
import { scriptHunt } from './player-script.js';
import { descriptorsFit, statusKb } from './proc-kit.js';
import { gameTarget } from './targets.js';

const DEFAULT_RATE = 600;

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string' },
    rate: { type: 'string' },
    players: { type: 'string' },
    hunts: { type: 'string' },
    ramp: { type: 'string' },
    target: { type: 'string', default: 'cairn' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: tsx bench/soak.ts [--minutes M] [--rate R] [--players N] [--hunts H] [--ramp C] [--target cairn|colyseus]');
  process.exit(0);
}
const MINUTES = numberArg('minutes', args.minutes, 30, true, 1);
const RATE = numberArg('rate', args.rate, DEFAULT_RATE, false, 1);
const PLAYERS = numberArg('players', args.players, 3000, true, 1);
const HUNTS = numberArg('hunts', args.hunts, Math.max(1, Math.ceil(PLAYERS / 20)), true, 1);
const RAMP = numberArg('ramp', args.ramp, 500, false, 1);
const make = gameTarget(args.target!);
/** The minute whose RSS is the baseline of the growth: after start-up and the first compactions. */
const BASELINE_MINUTE = 5;

const cleanups = new Set<() => void>();
const log = elapsedLog();

async function main(): Promise<number> {
  const command = `tsx bench/soak.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(`Soak: ${command}`);
  console.log(`${args.target}, ${PLAYERS} players in ${HUNTS} hunts, ${RATE} commands/s offered (open loop), ${MINUTES} minute(s)`);
  if (!descriptorsFit(PLAYERS, command)) return 2;
  const ratePerPlayer = RATE / PLAYERS;
  const hunt = scriptHunt({ players: PLAYERS, hunts: HUNTS, rate: ratePerPlayer, rampPerSecond: RAMP, durationS: MINUTES * 60 });
  const s = await openSession(make, { players: PLAYERS, hunts: HUNTS, ratePerPlayer, rampPerSecond: RAMP, hunt, cleanups, log });
  const { run, phase, server } = s;
  const loop = new OpenLoop(s.connections, RATE, phase);
  const minutes: { rssKb: number; errors: number }[] = [];
  let code = s.ramped.failed > 0 ? 1 : 0;
  try {
    loop.start();
    phase.measuring = true;
    const t0 = performance.now();
    let errors0 = 0;
    let replies0 = 0;
    let cpu0 = cpuTotal([server.pid]);
    for (let m = 1; m <= MINUTES && !server.died(); m += 1) {
      await sleep(t0 + m * 60_000 - performance.now());
      const latency = run.allLatency.summary();
      run.allLatency.reset();
      const errorsNow = [...run.stats.errorsSteady.values()].reduce((a, b) => a + b, 0);
      const cpu = cpuTotal([server.pid]);
      const rssKb = statusKb(server.pid, 'VmRSS') ?? Number.NaN;
      const heap = await heapFigures(server);
      minutes.push({ rssKb, errors: errorsNow - errors0 });
      log(
        `minute ${m}: RSS ${mib(rssKb)} MiB${heap}, errors ${errorsNow - errors0}, p99 ${latency.p99} ms (p50 ${latency.p50}, n=${latency.count}), ` +
          `${fixed((run.stats.repliesInWindow - replies0) / 60, 0)} replies/s, server CPU ${fixed(((cpu - cpu0) / 60) * 100, 0)}%, ${loop.maxBacklog} largest queue of due commands`,
      );
      [errors0, replies0, cpu0] = [errorsNow, run.stats.repliesInWindow, cpu];
    }
    phase.measuring = false;
    await drain(phase, () => loop.inFlight);
  } finally {
    loop.stop();
    const problems = await closeSession(s);
    for (const p of problems) console.log(`\nPROBLEM: ${p}`);
    if (problems.length > 0) code = 1;
  }

  const at = Math.min(BASELINE_MINUTE, minutes.length);
  const base = minutes[at - 1]?.rssKb ?? Number.NaN;
  const last = minutes.at(-1)?.rssKb ?? Number.NaN;
  const totalErrors = minutes.reduce((a, m) => a + m.errors, 0);
  console.log(`\n=== soak, ${args.target}: ${PLAYERS} players, ${RATE} commands/s, ${minutes.length} minute(s) ===`);
  console.log(`RSS at minute ${at}: ${mib(base)} MiB; at minute ${minutes.length}: ${mib(last)} MiB; growth ${fixed(((last - base) / base) * 100)}%`);
  console.log(`errors in all: ${totalErrors}${totalErrors > 0 ? ` (${[...run.stats.errorsSteady].map(([k, v]) => `${k} ×${v}`).join(', ')})` : ''}`);
  if (s.ramped.failed > 0) console.log(`players that failed to connect or join: ${s.ramped.failed}`);
  return code;
}

/**
 * The server's JS heap in use and its memory outside the heap (buffers, native), from its /metrics
 * when it has one: they tell state that grows from memory the allocator has not given back.
 */
async function heapFigures(server: object): Promise<string> {
  if (!('httpUrl' in server) || typeof server.httpUrl !== 'string') return '';
  const metrics = await scrape(server.httpUrl);
  const used = metrics?.get('cairn_nodejs_heap_size_used_bytes');
  const external = metrics?.get('cairn_nodejs_external_memory_bytes');
  if (used === undefined || external === undefined) return '';
  return ` (heap used ${mib(used / 1024)}, external ${mib(external / 1024)})`;
}

runBench(main, cleanups);
