/**
 * The two journals side by side: appends/s and append latency into SQLite and into Cassandra
 * with 1, 100 and 10,000 entities, the latency of one append at a time (a conditional write's
 * round trips, for Cassandra), and the activation time of a hunt with 10,000 events from each
 * (with and without a snapshot). Cassandra is found or started like the test suite does.
 *
 *   npm run bench:journals              # full run
 *   npm run bench:journals -- --quick   # smaller counts
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { huntBehaviour } from '../actors/hunt/hunt-behaviour.js';
import { playerBehaviour } from '../actors/player/player-behaviour.js';
import { ShardHost } from '../actors/runtime/shard-host.js';
import { createCassandraJournal } from '../src/journal/cassandra/cassandra-journal.js';
import { createJournalPersistenceEngine } from '../src/journal/journal-persistence-engine.js';
import type { Journal } from '../src/journal/journal.js';
import { createSqliteJournal } from '../src/journal/sqlite/sqlite-journal.js';
import { ensureServices } from '../src/services/services.js';
import { median, runConcurrently, scratchDir, table } from './bench-kit.js';
import { guessingHunt, measureAppends, must } from './journal-load.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const APPENDS = args.quick ? 3_000 : 20_000;
const CONCURRENCY = 128;
const HISTORY = args.quick ? 2_000 : 10_000;
const ACTIVATIONS = args.quick ? 3 : 7;
const SEQUENTIAL = args.quick ? 300 : 1_000;
const keyspace = `cairn_bench_${Date.now().toString(36)}`;

interface Backend {
  readonly name: string;
  open(label: string): Promise<Journal>;
  cleanup(): void;
}

async function backends(): Promise<Backend[]> {
  const scratch = scratchDir();
  const { cassandraContactPoints } = await ensureServices({ kafka: false, cassandra: true, log: (line) => console.error(`[services] ${line}`) });
  return [
    {
      name: 'sqlite',
      open: async (label) => createSqliteJournal({ path: path.join(scratch.dir, `${label}.db`) }),
      cleanup: () => scratch.remove(),
    },
    {
      name: 'cassandra',
      open: async () => createCassandraJournal({ contactPoints: cassandraContactPoints, keyspace }),
      cleanup: () => undefined,
    },
  ];
}

async function appends(backend: Backend, entities: number) {
  const journal = await backend.open(`appends-${entities}`);
  const prefix = `bench-${entities}-${Date.now().toString(36)}`;
  const measured = await measureAppends(journal, { entities, total: APPENDS, concurrency: CONCURRENCY, prefix });
  await journal.close();
  return measured;
}

/**
 * One append at a time to one entity: the latency of a single uncontended write (for Cassandra,
 * one conditional write: its Paxos round trips, plus the ledger's index row before it).
 */
async function oneAtATime(backend: Backend) {
  const journal = await backend.open('one-at-a-time');
  const measured = await measureAppends(journal, { entities: 1, total: SEQUENTIAL, concurrency: 1, prefix: `seq-${Date.now().toString(36)}` });
  await journal.close();
  return measured;
}

/** Writes a HISTORY-event hunt through the actors, then times fresh activations of it. */
async function activation(backend: Backend, snapshotEvery: number) {
  const hunt = `long-${snapshotEvery}-${Date.now().toString(36)}`;
  const label = `history-${snapshotEvery}`;
  const writerJournal = await backend.open(label);
  const writer = new ShardHost({ persistence: createJournalPersistenceEngine(writerJournal), ledger: writerJournal, behaviours: [huntBehaviour, playerBehaviour], snapshotEvery });
  let id = 0;
  const cmd = () => ({ commandId: `a${++id}`, at: Date.now() });
  await must(writer.execute('hunt', hunt, { ...cmd(), type: 'spawn', issuer: 'bench', definition: guessingHunt }));
  await must(writer.execute('hunt', hunt, { ...cmd(), type: 'join', playerId: 'p', displayName: 'P' }));
  await must(writer.execute('hunt', hunt, { ...cmd(), type: 'start', issuer: 'bench' }));
  // Many players guessing at once: the actor batches them, so the history is written quickly.
  await runConcurrently(HISTORY - 3, 64, async (i) =>
    must(writer.execute('hunt', hunt, { ...cmd(), type: 'submit', playerId: 'p', clueId: 'only', guess: { kind: 'answer', text: `g${i}` } })),
  );
  await writer.stop();
  await writerJournal.close();
  const times: number[] = [];
  for (let run = 0; run < ACTIVATIONS; run += 1) {
    const journal = await backend.open(label);
    const reader = new ShardHost({ persistence: createJournalPersistenceEngine(journal), ledger: journal, behaviours: [huntBehaviour, playerBehaviour], snapshotEvery });
    const t = performance.now();
    const { seqNr } = await reader.read('hunt', hunt, () => undefined);
    times.push(performance.now() - t);
    if (seqNr !== HISTORY) throw new Error(`recovered ${seqNr} events, expected ${HISTORY}`);
    await reader.stop();
    await journal.close();
  }
  return median(times);
}

async function main() {
  console.log(`appends per run ${APPENDS}, concurrency ${CONCURRENCY}, history ${HISTORY}, node ${process.version}`);
  const all = await backends();
  const rows: Record<string, string | number>[] = [];
  for (const entities of [1, 100, 10_000]) {
    const measured = [];
    for (const backend of all) measured.push({ backend: backend.name, ...(await appends(backend, entities)) });
    const [sqlite, cassandra] = measured;
    for (const m of measured) {
      rows.push({ entities, journal: m.backend, 'appends/s': Math.round(m.perSecond), 'p50 ms': m.p50, 'p99 ms': m.p99, 'vs sqlite': (m.perSecond / sqlite!.perSecond).toFixed(2) });
    }
    void cassandra;
  }
  table(rows);
  const single: Record<string, string | number>[] = [];
  for (const backend of all) {
    const m = await oneAtATime(backend);
    single.push({ journal: backend.name, appends: SEQUENTIAL, 'one at a time p50 ms': m.p50, 'p99 ms': m.p99 });
  }
  table(single);
  const activations: Record<string, string | number>[] = [];
  for (const backend of all) {
    for (const snapshotEvery of [0, 100]) {
      activations.push({ journal: backend.name, history: HISTORY, snapshots: snapshotEvery ? `every ${snapshotEvery}` : 'none', 'median activation ms': (await activation(backend, snapshotEvery)).toFixed(1) });
    }
  }
  table(activations);
  for (const backend of all) backend.cleanup();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
