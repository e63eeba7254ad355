/**
 * Players per hunt against server CPU per command: the same players at the same total offered
 * rate, grouped into hunts of 10, 100, 1,000 and 5,000 players (fewer, larger hunts at each step).
 * A hunt's cost per command should not grow with its size: the report gives each step's CPU per
 * command over the smallest hunt's, and says plainly whether the largest stays within 1.5×.
 * A benchmark, not a test.
 *
 *   npm run bench:sweep                             # 5,000 players, 1,000 commands/s, 30 s per step
 *   npm run bench:sweep -- --quick                  # 1,000 players, hunts of 10/100/1,000, 500/s, 10 s
 *
 * Options: --sizes LIST (players per hunt: 10,100,1000,5000), --players N (the largest size),
 * --total-rate R (1000 offered commands/s in all), --duration S (30), --ramp C (500 connections/s),
 * --target cairn|colyseus (cairn), --quick.
 */
import { parseArgs } from 'node:util';
import { elapsedLog, fixed, markdownTable, numberArg, ratio, runBench } from './bench-kit.js';
import { runClosedLoop, type RunFigures } from './load-run.js';
import { scriptHunt } from './player-script.js';
import { descriptorsFit } from './proc-kit.js';
import { gameTarget } from './targets.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string' },
    players: { type: 'string' },
    'total-rate': { type: 'string' },
    duration: { type: 'string' },
    ramp: { type: 'string' },
    target: { type: 'string', default: 'cairn' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: tsx bench/sweep.ts [--sizes 10,100,1000,5000] [--players N] [--total-rate R] [--duration S] [--ramp C] [--target cairn|colyseus] [--quick]');
  process.exit(0);
}
const SIZES = (args.sizes ?? (args.quick ? '10,100,1000' : '10,100,1000,5000')).split(',').map((s) => numberArg('sizes', s, 0, true, 1));
const PLAYERS = numberArg('players', args.players, Math.max(...SIZES), true, Math.max(...SIZES));
const TOTAL_RATE = numberArg('total-rate', args['total-rate'], args.quick ? 500 : 1000, false, 1);
const DURATION_S = numberArg('duration', args.duration, args.quick ? 10 : 30, false, 1);
const RAMP = numberArg('ramp', args.ramp, 500, false, 1);
const make = gameTarget(args.target!);
const RATE_PER_PLAYER = TOTAL_RATE / PLAYERS;
/** Sizes within the tolerance when the largest hunt's CPU per command is at most this many times the smallest's. */
const GOAL = 1.5;

const cleanups = new Set<() => void>();
const log = elapsedLog();

async function main(): Promise<number> {
  const command = `tsx bench/sweep.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(`Cairn players-per-hunt sweep: ${command}`);
  console.log(`${PLAYERS} players, ${TOTAL_RATE} commands/s offered in all (${RATE_PER_PLAYER.toFixed(3)} each), hunts of ${SIZES.join(', ')} players, target ${args.target}`);
  if (!descriptorsFit(PLAYERS, command)) return 2;
  const steps: { size: number; figures?: RunFigures; failure?: string }[] = [];
  for (const size of SIZES) {
    const hunts = Math.max(1, Math.round(PLAYERS / size));
    const hunt = scriptHunt({ players: PLAYERS, hunts, rate: RATE_PER_PLAYER, rampPerSecond: RAMP, durationS: DURATION_S });
    log(`--- hunts of ${size}: ${hunts} hunt(s)`);
    try {
      const options = { players: PLAYERS, hunts, ratePerPlayer: RATE_PER_PLAYER, rampPerSecond: RAMP, durationS: DURATION_S, hunt, cleanups, log };
      steps.push({ size, figures: await runClosedLoop(make, options) });
    } catch (error) {
      steps.push({ size, failure: error instanceof Error ? error.message : String(error) });
      log(`!!! hunts of ${size}: ${steps.at(-1)!.failure}`);
    }
  }

  const base = steps.find((s) => s.figures)?.figures;
  console.log(`\n=== players per hunt, ${args.target}: ${PLAYERS} players, ${TOTAL_RATE} commands/s offered, ${DURATION_S} s per step ===\n`);
  markdownTable(
    steps.map(({ size, figures: f, failure }) => ({
      'players/hunt': size,
      hunts: f?.hunts ?? Math.max(1, Math.round(PLAYERS / size)),
      'offered/s': fixed(f?.offered ?? Number.NaN, 0),
      rps: fixed(f?.achieved ?? Number.NaN, 0),
      'p50 ms': f?.latency.p50 ?? 'failed',
      'p99 ms': f?.latency.p99 ?? 'failed',
      errors: f ? [...f.errors.values()].reduce((a, b) => a + b, 0) : (failure ?? ''),
      'CPU µs/cmd': fixed(f?.cpuUsPerCommand ?? Number.NaN, 0),
      [`÷ hunts of ${SIZES[0]}`]: ratio(f?.cpuUsPerCommand ?? Number.NaN, base?.cpuUsPerCommand),
      'server CPU %': fixed(f?.window.serverCpuPct ?? Number.NaN, 0),
      'client ELU': fixed(f?.window.clientElu ?? Number.NaN, 2),
      'machine CPU %': fixed(f?.window.machineCpuPct ?? Number.NaN, 0),
    })),
  );
  const first = steps[0]?.figures;
  const last = steps.at(-1)?.figures;
  const spread = first && last ? last.cpuUsPerCommand / first.cpuUsPerCommand : Number.NaN;
  console.log(
    `\nCPU per command, hunts of ${SIZES.at(-1)} ÷ hunts of ${SIZES[0]}: ${fixed(spread, 2)}× ` +
      (Number.isFinite(spread) ? (spread <= GOAL ? `(within the ${GOAL}× goal)` : `(OVER the ${GOAL}× goal)`) : '(not measured)'),
  );
  for (const s of steps) for (const p of s.figures?.problems ?? []) console.log(`\nhunts of ${s.size} PROBLEM: ${p}`);
  const failed = steps.some((s) => s.failure || (s.figures?.problems.length ?? 0) > 0 || (s.figures?.connectFailed ?? 0) > 0);
  return failed ? 1 : 0;
}

runBench(main, cleanups);
