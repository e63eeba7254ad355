import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCassandraJournal } from '../../../src/journal/cassandra/cassandra-journal.js';
import type { StoredEvent } from '../../../src/journal/journal.js';
import { ensureServices } from '../../../src/services/services.js';
import { QUICK_BREAKER_ENV, UNTHROTTLED_ENV, readAllEvents } from '../../e2e/guess-load.js';
import { Prng } from '../../e2e/prng.js';
import { RawClient } from '../../e2e/raw-client.js';
import { sleep } from '../../e2e/sdk-client.js';
import { tokenFor } from '../../e2e/server-process.js';
import { idsOwnedBy, startCluster, type TestCluster } from './cluster-nodes.js';
import { judge } from './journal-verdict.js';
import { startNemesis, type Nemesis } from './nemesis.js';
import { describeFault, summaryLine } from './nemesis-report.js';
import { startPlayers, type PlayerLoad } from './retrying-players.js';
import { log } from './steady-cluster.js';
import { steadyHunt } from './steady-play.js';

/**
 * Jepsen-style: three nodes under steady guessing while a seeded nemesis kills (kill -9) a node,
 * Kafka or Cassandra, one at a time, and restarts it. Clients retry with the same command id,
 * as real ones do. At the end every hunt's journal is held against what the clients were told:
 * nothing acknowledged lost, nothing applied twice, every acknowledged update number true, and
 * each hunt's history gapless. CAIRN_NEMESIS_SEED=<n> replays a run's choices (not its timings);
 * CAIRN_NEMESIS_LOG_DIR=<dir> keeps every node process's output there.
 */

/** Read once, then taken out of this process's environment: the nodes inherit it, and refuse CAIRN_ names they do not know. */
function takeEnv(name: string): string | undefined {
  const value = process.env[name];
  delete process.env[name];
  return value || undefined;
}
const GIVEN_SEED = takeEnv('CAIRN_NEMESIS_SEED');
const SEED = GIVEN_SEED === undefined ? randomInt(2 ** 31) : Number(GIVEN_SEED);
if (!Number.isSafeInteger(SEED)) throw new Error(`CAIRN_NEMESIS_SEED must be an integer, got ${GIVEN_SEED}`);
const LOG_DIR = takeEnv('CAIRN_NEMESIS_LOG_DIR');
/** Faults go on for about this long (one of each kind at least; a Cassandra restart alone takes most of a minute). */
const WINDOW_MS = 100_000;
/** After the load stops, commands still unanswered are retried for this long. */
const DRAIN_MS = 45_000;
const PLAYERS_PER_HUNT = 4;
const NODE_ENV = { ...UNTHROTTLED_ENV, ...QUICK_BREAKER_ENV, CAIRN_COMMAND_TIMEOUT_MS: '3000' };

describe('a three-node cluster whose nodes, Kafka and Cassandra are killed at random under load', () => {
  const state: { cluster?: TestCluster; load?: PlayerLoad; nemesis?: Nemesis; designer?: RawClient } = {};

  beforeAll(async () => {
    if (process.env.KAFKA_BROKERS || process.env.CASSANDRA_CONTACT_POINTS) {
      throw new Error('this test kills and restarts Kafka and Cassandra: run it with the services the suite starts, not KAFKA_BROKERS / CASSANDRA_CONTACT_POINTS');
    }
    state.cluster = await startCluster(3, { env: NODE_ENV });
    await state.cluster.settled();
  });

  afterAll(async () => {
    // After a failure or a timeout too: no fault begins, no command is retried any more.
    await state.nemesis?.stop().catch(() => undefined);
    await state.load?.stop(Date.now());
    state.load?.close();
    state.designer?.terminate();
    if (LOG_DIR) {
      fs.mkdirSync(LOG_DIR, { recursive: true });
      state.cluster?.nodes.forEach((node, i) => fs.writeFileSync(path.join(LOG_DIR, `${i + 1}-${node.nodeId}.log`), node.output()));
    }
    await state.cluster?.dispose();
    // Whatever happened above, the suites after this one get running services.
    await ensureServices({ kafka: true, cassandra: true, log, useEnvironment: false });
  }, 300_000);

  it('loses no acknowledged command and applies none twice; every hunt stays gapless', async () => {
    console.log(`nemesis seed ${SEED} (replay its choices with CAIRN_NEMESIS_SEED=${SEED})`);
    const cluster = state.cluster!;
    const slots = [...cluster.nodes];
    const hunts: string[] = [];
    for (const [i, node] of slots.entries()) hunts.push(...(await idsOwnedBy(cluster, node, `nemesis${i}`, 2)));
    state.designer = await RawClient.connect(slots[2]!.wsUrl, await tokenFor('nemesis-designer', 'designer'));
    for (const hunt of hunts) {
      await state.designer.ok({ type: 'admin.spawn', hunt, commandId: `${hunt}-spawn`, definition: steadyHunt() }, 30_000);
      await state.designer.ok({ type: 'admin.start', hunt, commandId: `${hunt}-start` }, 30_000);
    }
    const load = await startPlayers({
      hunts,
      perHunt: PLAYERS_PER_HUNT,
      urls: () => slots.filter(cluster.isLive).map((node) => node.wsUrl),
      prng: new Prng(SEED ^ 0x5bd1e995),
    });
    state.load = load;
    const loadStarted = Date.now();

    const nemesis = (state.nemesis = startNemesis({ cluster, nodes: slots, nodeEnv: NODE_ENV, prng: new Prng(SEED), windowMs: WINDOW_MS, load, hunts, log }));
    const nemesisError = await nemesis.done.then(
      () => undefined,
      (error: unknown) => error,
    );
    await sleep(3000);
    await load.stop(Date.now() + DRAIN_MS);
    const loadMs = Date.now() - loadStarted;

    const journal = await createCassandraJournal({ contactPoints: inject('cassandraContactPoints'), keyspace: cluster.keyspace, createSchema: false });
    const events = new Map<string, StoredEvent[]>();
    try {
      for (const hunt of hunts) events.set(hunt, await readAllEvents(journal, `hunt:${hunt}`));
    } finally {
      await journal.close();
    }
    const verdict = judge(events, load.commands);
    console.log(summaryLine({ seed: SEED, loadStarted, loadMs, load, hunts, faults: nemesis.faults, verdict }));

    expect(nemesisError, 'the nemesis restarted everything it killed').toBeUndefined();
    const unrecovered = nemesis.faults.filter((fault) => fault.servedAt === undefined || fault.readyAt === undefined);
    expect(unrecovered.map((fault) => describeFault(fault, loadStarted)), 'faults the cluster did not recover from').toEqual([]);
    expect(verdict.lost, 'acknowledged commands missing from the journal').toEqual([]);
    expect(verdict.duplicated, 'commands stored more than once').toEqual([]);
    expect(verdict.misreported, 'acknowledgements that disagree with the stored event').toEqual([]);
    expect(verdict.refusedButStored, 'commands refused for good, yet stored').toEqual([]);
    expect(verdict.unknown, 'stored guesses that no client sent').toEqual([]);
    expect(verdict.gaps, 'hunts whose history is not 1..n').toEqual([]);
  }, 360_000);
});
