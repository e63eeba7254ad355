/**
 * Persisted commands per second through the hunt actors into SQLite, beside the raw journal's
 * appends per second in the same run (the baseline), and the activation time of a hunt with
 * 10,000 events with and without snapshots.
 *
 *   npm run bench:actors                # full run
 *   npm run bench:actors -- --quick     # smaller counts, for a smoke run
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { huntBehaviour } from '../actors/hunt/hunt-behaviour.js';
import { playerBehaviour } from '../actors/player/player-behaviour.js';
import { ShardHost } from '../actors/runtime/shard-host.js';
import { createJournalPersistenceEngine } from '../src/journal/journal-persistence-engine.js';
import { createSqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { latencyRecorder, median, runConcurrently, scratchDir, table } from './bench-kit.js';
import { guessingHunt, measureAppends, must } from './journal-load.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const COMMANDS = args.quick ? 5_000 : 40_000;
const CONCURRENCY = 256;
const HISTORY = args.quick ? 2_000 : 10_000;
const ACTIVATION_RUNS = args.quick ? 5 : 15;

function openNode(file: string, snapshotEvery: number) {
  const journal = createSqliteJournal({ path: file });
  const host = new ShardHost({
    persistence: createJournalPersistenceEngine(journal), ledger: journal,
    behaviours: [huntBehaviour, playerBehaviour],
    snapshotEvery,
    maxConcurrentActivations: 64,
  });
  return { journal, host, stop: async () => { await host.stop(); await journal.close(); } };
}

/** Baseline: the same number of single-event appends straight into the journal. */
async function rawAppends(hunts: number) {
  const scratch = scratchDir();
  const journal = createSqliteJournal({ path: path.join(scratch.dir, 'raw.db') });
  const measured = await measureAppends(journal, { entities: hunts, total: COMMANDS, concurrency: CONCURRENCY, prefix: 'hunt:raw' });
  await journal.close();
  scratch.remove();
  return { perSecond: measured.perSecond, latency: measured };
}

/** Wrong guesses through the actors: decide, persist (group commit), apply, reply. */
async function actorCommands(hunts: number) {
  const scratch = scratchDir();
  const node = openNode(path.join(scratch.dir, 'actors.db'), 100);
  const players = Math.max(1, Math.ceil(CONCURRENCY / hunts));
  let id = 0;
  const cmd = () => ({ commandId: `b${++id}`, at: Date.now() });
  await runConcurrently(hunts, 64, async (h) => {
    await must(node.host.execute('hunt', `h${h}`, { ...cmd(), type: 'spawn', issuer: 'bench', definition: guessingHunt }));
    for (let p = 0; p < players; p += 1) {
      await must(node.host.execute('hunt', `h${h}`, { ...cmd(), type: 'join', playerId: `p${p}`, displayName: `P${p}` }));
    }
    await must(node.host.execute('hunt', `h${h}`, { ...cmd(), type: 'start', issuer: 'bench' }));
  });
  const latency = latencyRecorder();
  const started = performance.now();
  await runConcurrently(COMMANDS, CONCURRENCY, async (i) => {
    const t = performance.now();
    const hunt = i % hunts;
    const player = Math.floor(i / hunts) % players;
    await must(node.host.execute('hunt', `h${hunt}`, {
      ...cmd(), type: 'submit', playerId: `p${player}`, clueId: 'only', guess: { kind: 'answer', text: `guess ${i}` },
    }));
    latency.record(t);
  });
  const seconds = (performance.now() - started) / 1000;
  await node.stop();
  scratch.remove();
  return { perSecond: COMMANDS / seconds, latency: latency.summary() };
}

/** Median and p90 time to activate (recover) one hunt of HISTORY events. */
async function activation(snapshotEvery: number) {
  const scratch = scratchDir();
  const file = path.join(scratch.dir, 'history.db');
  const writer = openNode(file, snapshotEvery);
  let id = 0;
  const cmd = () => ({ commandId: `a${++id}`, at: Date.now() });
  await must(writer.host.execute('hunt', 'long', { ...cmd(), type: 'spawn', issuer: 'bench', definition: guessingHunt }));
  await must(writer.host.execute('hunt', 'long', { ...cmd(), type: 'join', playerId: 'p', displayName: 'P' }));
  await must(writer.host.execute('hunt', 'long', { ...cmd(), type: 'start', issuer: 'bench' }));
  for (let i = 3; i < HISTORY; i += 1) {
    await must(writer.host.execute('hunt', 'long', { ...cmd(), type: 'submit', playerId: 'p', clueId: 'only', guess: { kind: 'answer', text: `g${i}` } }));
  }
  await writer.stop();
  const times: number[] = [];
  for (let run = 0; run < ACTIVATION_RUNS; run += 1) {
    const reader = openNode(file, snapshotEvery);
    const t = performance.now();
    const { seqNr } = await reader.host.read('hunt', 'long', () => undefined);
    times.push(performance.now() - t);
    if (seqNr !== HISTORY) throw new Error(`recovered ${seqNr} events, expected ${HISTORY}`);
    await reader.stop();
  }
  scratch.remove();
  const sorted = [...times].sort((a, b) => a - b);
  return { median: median(times), p90: sorted[Math.floor(sorted.length * 0.9)]! };
}

async function main() {
  console.log(`commands per run: ${COMMANDS}, concurrency ${CONCURRENCY}, node ${process.version}`);
  const rows = [];
  for (const hunts of [1, 100, 10_000]) {
    const raw = await rawAppends(hunts);
    const actors = await actorCommands(hunts);
    rows.push({
      hunts,
      'raw appends/s': Math.round(raw.perSecond),
      'actor commands/s': Math.round(actors.perSecond),
      'actors/raw': (actors.perSecond / raw.perSecond).toFixed(2),
      'p50 ms': actors.latency.p50,
      'p99 ms': actors.latency.p99,
      'p99.9 ms': actors.latency.p999,
      'raw p50 ms': raw.latency.p50,
      'raw p99 ms': raw.latency.p99,
    });
  }
  table(rows);

  const without = await activation(0);
  const withSnapshots = await activation(100);
  table([
    { history: HISTORY, snapshots: 'none', 'median ms': without.median.toFixed(1), 'p90 ms': without.p90.toFixed(1) },
    { history: HISTORY, snapshots: 'every 100', 'median ms': withSnapshots.median.toFixed(1), 'p90 ms': withSnapshots.p90.toFixed(1) },
  ]);
  console.log(`activation speed-up from snapshots (median): ${(without.median / withSnapshots.median).toFixed(1)}x`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
