/**
 * The player benchmark: the same scripted players, at the same offered rate, against three
 * servers one after the other, at each size: Cairn (embedded, SQLite, every event persisted), a
 * Colyseus room playing the same hunt in memory, and a raw `ws` echo (the transport alone). One
 * table: throughput, latency percentiles, server CPU per command, memory per joined player, and
 * Cairn's ratios to Colyseus and to the echo measured in the same run. A benchmark, not a test.
 *
 *   npm run bench                                   # 1,000 players / 50 hunts, then 5,000 / 250; 30 s steady each
 *   npm run bench -- --quick                        # 200 players / 10 hunts, 10 s
 *   npm run bench -- --players 5000 --hunts 250     # one size
 *
 * Options: --sizes PxH,... (1000x50,5000x250), --players N and --hunts H (one size instead; H: N/20),
 * --duration S (30), --rate R (0.5 offered commands/s per player), --ramp C (200 connections/s),
 * --targets LIST (cairn,colyseus,echo), --wrong-penalty P (5, as in the example hunt), --quick.
 *
 * Each run: the server starts, players connect and join at the ramp rate, the server's memory is
 * read with everyone joined and nothing played (memory per player), then they play (the script
 * and pacing of bench/player-script.ts) and a steady window is measured. Server CPU is
 * utime + stime of its process over the window, per reply.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { elapsedLog, numberArg, runBench } from './bench-kit.js';
import { cairnTarget, type CairnTarget } from './cairn-target.js';
import { colyseusTarget } from './colyseus-target.js';
import { DEFAULT_REQUEST_BYTES, echoTarget } from './echo-target.js';
import { runClosedLoop, type RunFigures } from './load-run.js';
import type { LoadTarget, TargetContext } from './load-target.js';
import { scriptHunt } from './player-script.js';
import { printPlayersReport } from './players-report.js';
import { descriptorsFit } from './proc-kit.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string' },
    players: { type: 'string' },
    hunts: { type: 'string' },
    duration: { type: 'string' },
    rate: { type: 'string' },
    ramp: { type: 'string' },
    targets: { type: 'string' },
    'wrong-penalty': { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: tsx bench/players.ts [--sizes PxH,...] [--players N] [--hunts H] [--duration S] [--rate R] [--ramp C] [--targets cairn,colyseus,echo] [--wrong-penalty P] [--quick]');
  process.exit(0);
}

interface Size {
  players: number;
  hunts: number;
}

function sizes(): Size[] {
  if (args.players !== undefined || args.hunts !== undefined) {
    const players = numberArg('players', args.players, 1000, true, 1);
    return [{ players, hunts: numberArg('hunts', args.hunts, Math.max(1, Math.ceil(players / 20)), true, 1) }];
  }
  const list = args.sizes ?? (args.quick ? '200x10' : '1000x50,5000x250');
  return list.split(',').map((item) => {
    const match = /^([1-9]\d*)x([1-9]\d*)$/.exec(item);
    if (!match) {
      console.error(`--sizes takes PLAYERSxHUNTS,... (e.g. 1000x50,5000x250), not ${item}`);
      process.exit(2);
    }
    return { players: Number(match[1]), hunts: Number(match[2]) };
  });
}

const SIZES = sizes();
const DURATION_S = numberArg('duration', args.duration, args.quick ? 10 : 30, false, 1);
const RATE = numberArg('rate', args.rate, 0.5, false, 0.001);
const RAMP = numberArg('ramp', args.ramp, 200, false, 1);
const WRONG_PENALTY = numberArg('wrong-penalty', args['wrong-penalty'], 5, true, 0);
const TARGETS = (args.targets ?? 'cairn,colyseus,echo').split(',');
if (TARGETS.some((t) => !['cairn', 'colyseus', 'echo'].includes(t))) {
  console.error(`--targets takes a comma-separated list of cairn, colyseus, echo; not ${args.targets}`);
  process.exit(2);
}

const cleanups = new Set<() => void>();
const log = elapsedLog();

async function main(): Promise<number> {
  const command = `tsx bench/players.ts${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(`Cairn player benchmark: ${command}`);
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; sizes ${SIZES.map((s) => `${s.players}/${s.hunts}`).join(', ')}; targets ${TARGETS.join(', ')}`);
  if (!descriptorsFit(Math.max(...SIZES.map((s) => s.players)), command)) return 2;

  const results: RunFigures[] = [];
  const failures: string[] = [];
  for (const size of SIZES) {
    const hunt = scriptHunt({ ...size, rate: RATE, rampPerSecond: RAMP, durationS: DURATION_S, wrongAnswerPenalty: WRONG_PENALTY });
    // The echo frames weigh what Cairn's requests weighed in the same size's run.
    let cairn: CairnTarget | undefined;
    const makers: Record<string, (context: TargetContext) => LoadTarget> = {
      cairn: (context) => (cairn = cairnTarget(context)),
      colyseus: colyseusTarget,
      echo: (context) => echoTarget(context, Math.round(cairn?.requestBytes() ?? DEFAULT_REQUEST_BYTES)),
    };
    for (const name of TARGETS) {
      log(`--- ${name}: ${size.players} players in ${size.hunts} hunts, ${RATE} commands/s each`);
      try {
        const options = { ...size, ratePerPlayer: RATE, rampPerSecond: RAMP, durationS: DURATION_S, hunt, cleanups, log };
        results.push(await runClosedLoop(makers[name]!, options));
      } catch (error) {
        failures.push(`${name} at ${size.players}/${size.hunts}: ${error instanceof Error ? error.message : String(error)}`);
        log(`!!! ${failures.at(-1)}`);
      }
    }
  }

  printPlayersReport(results, {
    command: `npx ${command}`,
    settings: [
      { setting: 'offered rate', value: `${RATE} commands/s per player (each waits for its reply; ticks every 0.5-1.5 × ${(1 / RATE).toFixed(1)} s)` },
      { setting: 'steady window', value: `${DURATION_S} s per run, after a ramp of ${RAMP} connections/s` },
      { setting: 'command mix', value: 'per clue: 1-3 wrong guesses, then the right one; hint 0 on 25% of clues with hints' },
      { setting: 'scoring', value: `wrong answer penalty ${WRONG_PENALTY}, speed bonus, 5 attempts per clue; top 10 to every player` },
    ],
  });
  const problems = [...failures, ...results.flatMap((r) => r.problems.map((p) => `${r.name} ${r.players}/${r.hunts}: ${p}`))];
  const unjoined = results.filter((r) => r.connectFailed > 0).map((r) => `${r.name} ${r.players}/${r.hunts}: ${r.connectFailed} players failed to connect or join`);
  if (problems.length + unjoined.length > 0) {
    console.log(`\nFAILED:\n${[...problems, ...unjoined].join('\n')}`);
    return 1;
  }
  return 0;
}

runBench(main, cleanups);
