import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCassandraJournal } from '../../../src/journal/cassandra/cassandra-journal.js';
import { connectKept, LOAD_HUNT, QUICK_BREAKER_ENV, sleep, startGuessLoad, UNTHROTTLED_ENV } from '../../e2e/guess-load.js';
import { RawClient } from '../../e2e/raw-client.js';
import { watchReadiness } from '../../e2e/readiness-watch.js';
import { disposeServer, startServerProcess, type ServerProcess } from '../../e2e/server-process.js';

/**
 * The journal's keyspace dropped under a running node (`DROP KEYSPACE`, as an operator's mistake
 * or a store that lost it would): /readyz goes 503, and back to 200 once the keyspace is there
 * again, recreated by the node itself (CAIRN_CASSANDRA_SCHEMA=create) or by an operator
 * (`existing`); then commands succeed.
 */

const suffix = Date.now().toString(36);
const servers: ServerProcess[] = [];
const sockets: RawClient[] = [];
let admin: cassandra.Client;

async function startNode(keyspace: string, schema: 'create' | 'existing'): Promise<ServerProcess> {
  const server = await startServerProcess({
    env: {
      CAIRN_CASSANDRA_CONTACT_POINTS: inject('cassandraContactPoints').join(','),
      CAIRN_CASSANDRA_KEYSPACE: keyspace,
      CAIRN_CASSANDRA_SCHEMA: schema,
      ...UNTHROTTLED_ENV,
      ...QUICK_BREAKER_ENV,
    },
  });
  servers.push(server);
  return server;
}

const connect = (server: ServerProcess, subject: string, role: 'player' | 'designer' = 'player') => connectKept(sockets, server, subject, role);

/**
 * Sends `message`, and again with the same commandId while the answer is a retriable error, as
 * a client should: right after the store is back, requests that were already waiting on it may
 * still fail and briefly reopen the breaker.
 */
async function okRetrying(socket: RawClient, message: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await socket.request(message);
    if (reply.ok) return reply.result;
    if (!reply.error.retriable || Date.now() > deadline) throw new Error(`${String(message.type)} failed: ${reply.error.code}: ${reply.error.message}`);
    await sleep(200);
  }
}

/** A new hunt, started and joined by `players` players: the node stores commands again. */
async function playHunt(server: ServerProcess, hunt: string, players: number): Promise<RawClient[]> {
  const designer = await connect(server, `${hunt}-dee`, 'designer');
  await okRetrying(designer, { type: 'admin.spawn', hunt, commandId: `${hunt}-spawn`, definition: LOAD_HUNT });
  await okRetrying(designer, { type: 'admin.start', hunt, commandId: `${hunt}-start` });
  return Promise.all(
    Array.from({ length: players }, async (_, i) => {
      const player = await connect(server, `${hunt}-p${i}`);
      await okRetrying(player, { type: 'join', hunt, commandId: `${hunt}-p${i}-join` });
      return player;
    }),
  );
}

beforeAll(async () => {
  admin = new cassandra.Client({ contactPoints: inject('cassandraContactPoints'), localDataCenter: 'datacenter1' });
  await admin.connect();
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  for (const server of servers) await disposeServer(server);
  await admin?.shutdown();
}, 60_000);

describe('the journal keyspace is dropped under a running node', () => {
  it('with CAIRN_CASSANDRA_SCHEMA=create: 503 while commands fail, then the node recreates it, answers 200 and stores commands', async () => {
    const keyspace = `cairn_lost_create_${suffix}`;
    const server = await startNode(keyspace, 'create');
    const players = await playHunt(server, 'before', 4);
    const load = startGuessLoad(players, { hunt: 'before', inFlightPerSocket: 2, prefix: 'before' });
    while (load.acknowledged.length < 50) await sleep(10);

    // Watched from before the DROP: the node may notice, recreate and recover while the DROP is still flushing.
    const readiness = watchReadiness(server.httpUrl);
    const droppedAt = Date.now();
    await admin.execute(`DROP KEYSPACE ${keyspace}`);
    const notReadyAt = await readiness.until(503, { since: droppedAt, timeoutMs: 5000 });
    const readyAt = await readiness.until(200, { since: notReadyAt, timeoutMs: 15_000 });
    await load.stop();
    await readiness.stop();
    console.log(`keyspace dropped (create): /readyz 503 after ${notReadyAt - droppedAt} ms, 200 again ${readyAt - notReadyAt} ms later`);

    const tables = await admin.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [keyspace]);
    expect(tables.rows.map((row) => row.get('table_name') as string).sort()).toEqual(['command_ids', 'events', 'snapshots']);
    // What the drop destroyed is gone; the node stores new hunts.
    const after = await playHunt(server, 'after', 1);
    await okRetrying(after[0]!, { type: 'submit', hunt: 'after', clue: 'riddle', guess: { kind: 'answer', text: 'again' }, commandId: 'after-guess' });
  }, 60_000);

  it('with CAIRN_CASSANDRA_SCHEMA=existing: 503 from the next probe, even with no traffic, until an operator recreates it; then 200 and commands succeed', async () => {
    const keyspace = `cairn_lost_existing_${suffix}`;
    const operator = async () => (await createCassandraJournal({ contactPoints: inject('cassandraContactPoints'), keyspace })).close();
    await operator();
    const server = await startNode(keyspace, 'existing');
    const players = await playHunt(server, 'quiet', 1);

    const readiness = watchReadiness(server.httpUrl);
    const droppedAt = Date.now();
    await admin.execute(`DROP KEYSPACE ${keyspace}`);
    const notReadyAt = await readiness.until(503, { since: droppedAt, timeoutMs: 5000 });
    await sleep(2000);
    const response = await fetch(`${server.httpUrl}/readyz`);
    expect(response.status, 'the node does not recreate what it may not').toBe(503);
    // Probes failing, or the breaker they opened: either way fixed words, not the storage's text.
    expect(await response.text(), 'names the journal, not its internals').toMatch(/^not ready: journal (probe failing|circuit breaker open) \(see the log\)\n$/);
    expect(server.output(), 'the log says what is missing').toContain(`lacks ${keyspace}.events, ${keyspace}.snapshots`);
    expect(await players[0]!.fails({ type: 'submit', hunt: 'quiet', clue: 'riddle', guess: { kind: 'answer', text: 'x' }, commandId: 'quiet-down' })).toMatchObject({ retriable: true });

    await operator();
    const recreatedAt = Date.now();
    const readyAt = await readiness.until(200, { since: recreatedAt, timeoutMs: 15_000 });
    await readiness.stop();
    console.log(`keyspace dropped (existing): /readyz 503 after ${notReadyAt - droppedAt} ms, 200 ${readyAt - recreatedAt} ms after the operator recreated it`);
    const after = await playHunt(server, 'back', 1);
    await okRetrying(after[0]!, { type: 'submit', hunt: 'back', clue: 'riddle', guess: { kind: 'answer', text: 'again' }, commandId: 'back-guess' });
  }, 60_000);
});
