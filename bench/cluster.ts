/**
 * The same offered load against four setups, one after the other in one run: one embedded Cairn
 * process (SQLite, as `npm start` runs it), the same with its journal in Cassandra, a one-node
 * and a three-node cluster (Kafka partitions as shards, Cassandra as the journal). The embedded setup measured in the same run is
 * the baseline, so that the ratios hold even on a machine whose speed varies between runs.
 * A benchmark, not a test.
 *
 *   npm run bench:cluster                          # 600 players, 0.5 commands/s each, 30 s steady
 *   npx tsx bench/cluster.ts --quick               # 200 players, 10 s
 *   npx tsx bench/cluster.ts --setups embedded     # only some setups (embedded,embedded-cassandra,cluster-1,cluster-3)
 *
 * Options: --players N (600), --hunts H (ceil(N/100), so that hunts spread over the shards),
 * --rate R (0.5 offered commands/s per player), --duration S (30 s of steady play after the ramp),
 * --ramp C (200 connections/s), --setups LIST, --quick (N=200, S=10).
 *
 * Kafka and Cassandra are started (or reused) as `npm run services:up` does. In a cluster, player
 * i connects to node i mod n and plays hunt floor(i / n) mod H, so every hunt has players on every
 * node and most commands cross nodes. The players follow bench/player-script.ts.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ensureServices, type ServiceAddresses } from '../src/services/services.js';
import { isPortOpen, waitUntil } from '../src/services/wait-until.js';
import { elapsedLog, numberArg } from './bench-kit.js';
import { limiterSettings } from './cairn-process.js';
import { runLoad } from './cluster-load.js';
import { printReport, type SetupOutcome } from './cluster-report.js';
import { SETUPS, SetupFailed, needsServices, servicePids, startSetup, type RunningSetup } from './cluster-setup.js';
import { REQUEST_TIMEOUT_MS, scriptHunt } from './player-script.js';
import { openFileLimit } from './proc-kit.js';

const { values: args } = parseArgs({
  options: {
    players: { type: 'string' },
    hunts: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    ramp: { type: 'string' },
    setups: { type: 'string' },
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: tsx bench/cluster.ts [--players N] [--hunts H] [--rate R] [--duration S] [--ramp C] [--setups embedded,embedded-cassandra,cluster-1,cluster-3] [--quick]');
  process.exit(0);
}

const N = numberArg('players', args.players, args.quick ? 200 : 600, true, 1);
const H = numberArg('hunts', args.hunts, Math.max(1, Math.ceil(N / 100)), true, 1);
const RATE = numberArg('rate', args.rate, 0.5, false, 0.001);
const DURATION_S = numberArg('duration', args.duration, args.quick ? 10 : 30, false, 1);
const RAMP = numberArg('ramp', args.ramp, 200, false, 1);
const names = (args.setups ?? SETUPS.map((s) => s.name).join(',')).split(',').filter((s) => s !== '');
const unknown = names.filter((name) => !SETUPS.some((s) => s.name === name));
if (unknown.length > 0 || names.length === 0) {
  console.error(`--setups takes a comma-separated list of ${SETUPS.map((s) => s.name).join(', ')}; not ${args.setups}`);
  process.exit(2);
}
const selected = SETUPS.filter((s) => names.includes(s.name));

const hunt = scriptHunt({ players: N, hunts: H, rate: RATE, rampPerSecond: RAMP, durationS: DURATION_S });

const log = elapsedLog();
const NO_SERVICES: ServiceAddresses = { kafkaBrokers: [], cassandraContactPoints: [] };
/** Synchronous last-resort cleanups (children to kill, directories to remove), for an interrupt. */
const cleanups = new Set<() => void>();
/** What the setups still running or not yet cleaned up created (topics, keyspaces, data dirs). */
const disposerSets = new Set<Set<() => Promise<void>>>();

async function dispose(disposers: Set<() => Promise<void>>): Promise<void> {
  for (const d of disposers) await d();
  disposerSets.delete(disposers);
}

function commandLine(): string {
  const given = process.argv.slice(2).join(' ');
  if (process.env.npm_lifecycle_event === 'bench:cluster') return `npm run bench:cluster${given ? ` -- ${given}` : ''}`;
  return `npx tsx bench/cluster.ts${given ? ` ${given}` : ''}`;
}

/** The services' addresses, once the first check has found or started them. */
let knownServices: ServiceAddresses | undefined;

/**
 * Kafka and Cassandra, up. Checked again before each cluster setup: on a shared machine a test
 * may stop one for a few seconds (a Cassandra outage drill), so a service that stopped answering
 * gets 30 s to come back on its own before it is started here.
 */
async function servicesUp(): Promise<{ services: ServiceAddresses; pids: number[] }> {
  const answers = (address: string) => {
    const at = address.lastIndexOf(':');
    return isPortOpen(address.slice(0, at), Number(address.slice(at + 1)));
  };
  const answering = async (s: ServiceAddresses) => (await Promise.all([...s.kafkaBrokers, ...s.cassandraContactPoints].map(answers))).every(Boolean);
  const known = knownServices;
  if (known && !(await answering(known))) {
    log('services: Kafka or Cassandra stopped answering; waiting up to 30 s for it to come back');
    await waitUntil(() => answering(known), { timeoutMs: 30_000, intervalMs: 500 });
  }
  knownServices = await ensureServices({ log: (line) => log(`services: ${line}`) });
  return { services: knownServices, pids: servicePids() };
}

async function runSetup(spec: (typeof SETUPS)[number]): Promise<SetupOutcome> {
  const disposers = new Set<() => Promise<void>>();
  disposerSets.add(disposers);
  let setup: RunningSetup | undefined;
  try {
    const { services, pids } = needsServices(spec) ? await servicesUp() : { services: NO_SERVICES, pids: servicePids() };
    log(`${spec.name}: starting ${spec.nodes} Cairn process(es)`);
    setup = await startSetup(spec, { services, rate: RATE, definitionBytes: Buffer.byteLength(hunt.yaml), cleanups, disposers });
    log(`${spec.name}: ready at ${setup.nodes.map((n) => n.wsUrl).join(' ')} (pids ${setup.nodes.map((n) => n.pid).join(' ')})`);
    const figures = await runLoad(setup, { players: N, hunts: H, rate: RATE, rampPerSecond: RAMP, durationS: DURATION_S, hunt, servicePids: pids, log });
    return { name: spec.name, figures };
  } catch (error) {
    let failure = error instanceof SetupFailed ? error.message : `${spec.name}: the run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    if (!(error instanceof SetupFailed) && setup) {
      failure += setup.nodes.map((n, i) => `\nlast lines of node ${i + 1}:\n${n.output().trimEnd().split('\n').slice(-20).join('\n')}`).join('');
    }
    log(`${failure.split('\n')[0]} (the output is in the report)`);
    return { name: spec.name, failure };
  } finally {
    if (setup) await setup.stop();
    await dispose(disposers);
  }
}

async function main(): Promise<number> {
  const command = commandLine();
  const limit = openFileLimit();
  console.log(`Cairn cluster benchmark: ${command}`);
  console.log(
    `NOTE: figures come from a shared machine (${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(2)} at start, ` +
      'servers, Kafka, Cassandra and this client on the same cores): compare the setups of one run, not runs with each other.',
  );
  if (limit.soft < N + 100) {
    console.error(`The open-files limit (ulimit -n = ${limit.soft}) is too low for ${N} players: raise it to at least ${N + 100}.`);
    return 2;
  }

  const services = selected.some(needsServices) ? (await servicesUp()).services : NO_SERVICES;
  const outcomes: SetupOutcome[] = [];
  for (const spec of selected) if (!interrupted) outcomes.push(await runSetup(spec));

  printReport(outcomes, [
    { setting: 'command', value: command },
    { setting: 'machine', value: `node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ulimit -n ${limit.soft}` },
    { setting: 'players N', value: `${N}, ramp ${RAMP} connections/s` },
    { setting: 'hunts H', value: `${H} (${Math.ceil(N / H)} players each)` },
    { setting: 'steady duration', value: `${DURATION_S} s per setup, after the ramp` },
    { setting: 'offered rate', value: `${RATE} commands/s per player = ${N * RATE} commands/s` },
    { setting: 'command mix', value: 'per clue: 1-3 wrong guesses, the right one, hint 0 on 25% of clues with hints' },
    { setting: 'client', value: `SDK, 1 socket/player, reconnect off, maxRetries 0, request timeout ${REQUEST_TIMEOUT_MS / 1000} s` },
    { setting: 'server settings', value: Object.entries(limiterSettings(RATE)).map(([k, v]) => `${k}=${v}`).join(' ') },
    { setting: 'Kafka / Cassandra', value: services.kafkaBrokers.length > 0 ? `${services.kafkaBrokers.join(',')} / ${services.cassandraContactPoints.join(',')}` : 'not used' },
  ]);

  const failed = outcomes.filter((o) => o.failure).map((o) => `${o.name} did not run`);
  for (const o of outcomes) {
    if (o.figures?.problems.length) failed.push(`${o.name}: a node died or did not stop cleanly`);
    if (o.figures?.connectFailed) failed.push(`${o.name}: ${o.figures.connectFailed} of ${N} players failed to connect or join`);
  }
  if (failed.length > 0) {
    console.log(`\nFAILED: ${failed.join('; ')}`);
    return 1;
  }
  return 0;
}

async function disposeAll(): Promise<void> {
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref());
  await Promise.race([Promise.all([...disposerSets].map((d) => dispose(d).catch(() => undefined))), deadline]);
}

let interrupted = false;
// Whatever path ends the process, no Cairn process outlives it (one may have been spawned after an interrupt).
process.on('exit', () => {
  for (const cleanup of cleanups) cleanup();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${signal}: killing the Cairn processes, then removing the benchmark's topics, keyspaces and temp dirs`);
    for (const cleanup of cleanups) cleanup();
    void disposeAll().finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('benchmark failed:', error instanceof Error ? (error.stack ?? error.message) : error);
    for (const cleanup of cleanups) cleanup();
    void disposeAll().finally(() => process.exit(1));
  },
);
