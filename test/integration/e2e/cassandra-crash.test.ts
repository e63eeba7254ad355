import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCassandraJournal } from '../../../src/journal/cassandra/cassandra-journal.js';
import { ensureServices, killService } from '../../../src/services/services.js';
import { compareWithLedger, LOAD_HUNT, QUICK_BREAKER_ENV, UNTHROTTLED_ENV, readAllEvents, sleep, startGuessLoad } from '../../e2e/guess-load.js';
import { RawClient } from '../../e2e/raw-client.js';
import { watchReadiness } from '../../e2e/readiness-watch.js';
import { disposeServer, startServerProcess, tokenFor, type ServerProcess } from '../../e2e/server-process.js';

/**
 * kill -9 of Cassandra under load, with the project's own services: nothing the node
 * acknowledged is lost (the services run Cassandra with a batch commitlog and without
 * -Dcassandra.unsafesystem), /readyz says 503 while Cassandra is gone and 200 once it is back,
 * and commands succeed again on the same node.
 */

const keyspace = `cairn_crash_${Date.now().toString(36)}`;
const PLAYERS = 8;
const KILL_AFTER_ACKS = 300;
const log = (line: string) => process.stderr.write(`[services] ${line}\n`);

describe('Cassandra killed with kill -9 under load', () => {
  let server: ServerProcess;
  const sockets: RawClient[] = [];

  beforeAll(async () => {
    if (process.env.CASSANDRA_CONTACT_POINTS) throw new Error('this test kills and restarts Cassandra: run it with the services the suite starts, not CASSANDRA_CONTACT_POINTS');
    server = await startServerProcess({
      env: {
        CAIRN_CASSANDRA_CONTACT_POINTS: inject('cassandraContactPoints').join(','),
        CAIRN_CASSANDRA_KEYSPACE: keyspace,
        ...UNTHROTTLED_ENV,
        ...QUICK_BREAKER_ENV,
        CAIRN_COMMAND_TIMEOUT_MS: '8000',
      },
    });
    const designer = await RawClient.connect(server.wsUrl, await tokenFor('crash-dee', 'designer'));
    sockets.push(designer);
    await designer.ok({ type: 'admin.spawn', hunt: 'crash', commandId: 'crash-spawn', definition: LOAD_HUNT });
    await designer.ok({ type: 'admin.start', hunt: 'crash', commandId: 'crash-start' });
    for (let i = 0; i < PLAYERS; i += 1) {
      const player = await RawClient.connect(server.wsUrl, await tokenFor(`crasher-${i}`));
      sockets.push(player);
      await player.ok({ type: 'join', hunt: 'crash', commandId: `crasher-${i}-join` });
    }
  }, 120_000);

  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await disposeServer(server);
    // Whatever happened above, the suites after this one get a running Cassandra.
    await ensureServices({ kafka: false, cassandra: true, log, useEnvironment: false });
  }, 300_000);

  it('keeps every acknowledged command exactly once; /readyz is 503 while it is down and 200 once it is back; commands succeed again', async () => {
    const players = sockets.slice(1);
    const readiness = watchReadiness(server.httpUrl);
    const load = startGuessLoad(players, { hunt: 'crash', inFlightPerSocket: 2, prefix: 'guess' });
    while (load.acknowledged.length < KILL_AFTER_ACKS) await sleep(10);

    const killedAt = Date.now();
    await killService('cassandra', { log });
    const ackedAtKill = load.acknowledged.length;
    const notReadyAfterMs = (await readiness.until(503, { since: killedAt, timeoutMs: 5000 })) - killedAt;

    await ensureServices({ kafka: false, cassandra: true, log, useEnvironment: false });
    const backAt = Date.now();
    const readyAfterMs = (await readiness.until(200, { since: backAt, timeoutMs: 20_000 })) - backAt;
    const ackedWhenReady = load.acknowledged.length;
    const deadline = Date.now() + 20_000;
    while (load.acknowledged.length < ackedWhenReady + 50 && Date.now() < deadline) await sleep(50);
    await load.stop();
    await readiness.stop();

    console.log(
      `cassandra kill -9: ${ackedAtKill} acknowledged before, /readyz 503 after ${notReadyAfterMs} ms, Cassandra back after ${backAt - killedAt} ms, ` +
        `/readyz 200 ${readyAfterMs} ms later, ${load.acknowledged.length - ackedWhenReady} acknowledged since; ` +
        `refused ${JSON.stringify(Object.fromEntries(load.refused))}, ${load.unanswered} unanswered`,
    );
    expect(notReadyAfterMs).toBeLessThan(5000);
    expect(load.acknowledged.length - ackedWhenReady, 'commands acknowledged after Cassandra came back').toBeGreaterThanOrEqual(50);

    const journal = await createCassandraJournal({ contactPoints: inject('cassandraContactPoints'), keyspace, createSchema: false });
    try {
      const { lost, storedTwice } = compareWithLedger(await readAllEvents(journal, 'hunt:crash'), load.acknowledged);
      expect(lost, 'acknowledged commands missing after the restart').toEqual([]);
      expect(storedTwice, 'commands stored more than once').toEqual([]);
    } finally {
      await journal.close();
    }
  }, 180_000);
});
